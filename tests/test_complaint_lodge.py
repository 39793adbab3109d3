"""Lodging a complaint: a reference read over the phone, an SMS acknowledgement, events, and
duplicates refused or merged (same Idempotency-Key, or the same text from the same phone)."""

import re
import threading

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection

from huduma.complaints.models import Category, Channel, Complaint, ComplaintEvent, Level, Status
from huduma.complaints.services import complaint_for_citizen, complaint_lodge
from huduma.core.errors import Conflict, DomainError, NotFound
from huduma.notify.models import Message
from tests.conftest import require_postgres

PHONE = "+254712345678"


def lodge(**overrides):
    fields = {
        "channel": Channel.WEB,
        "category": Category.SERVICE_QUALITY,
        "text": "The officer at counter 2 was rude and sent me away.",
        "phone": "0712 345 678",
    }
    fields.update(overrides)
    return complaint_lodge(**fields)


def test_lodged_complaint_gets_a_reference_events_and_an_sms(world, clock):
    complaint = lodge(centre=world.gpo, service=world.nhif_reg)

    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", complaint.reference)
    assert complaint.phone == PHONE
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.level == Level.CENTRE
    assert complaint.mda == world.nhif  # from the service
    assert complaint.due_at is not None
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds == [ComplaintEvent.Kind.RECEIVED, ComplaintEvent.Kind.ACKNOWLEDGED]
    sms = Message.objects.get(to=PHONE, template="complaint_received")
    assert complaint.reference in sms.body


def test_same_idempotency_key_returns_the_same_complaint_and_a_different_request_is_refused(
    world, clock
):
    first = lodge(idempotency_key="k-1", source="form")
    again = lodge(idempotency_key="k-1", source="form")
    assert again.pk == first.pk
    with pytest.raises(Conflict) as refused:
        lodge(idempotency_key="k-1", source="form", text="Something else entirely.")
    assert refused.value.status == 409 and refused.value.field == "idempotency_key"
    # The key is scoped to its sender: another staff member's key does not collide.
    other = lodge(
        idempotency_key="k-1", actor=world.bob, channel=Channel.CENTRE, phone="0722000111"
    )
    assert other.pk != first.pk
    assert Message.objects.filter(template="complaint_received").count() == 2


def test_identical_text_from_the_same_phone_within_minutes_is_merged(world, clock):
    first = lodge()
    clock.advance(minutes=3)
    again = lodge(text="  the officer at counter 2 was RUDE and sent me away. ")
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1
    assert first.events.filter(kind=ComplaintEvent.Kind.SENT_AGAIN).count() == 1
    assert Message.objects.filter(template="complaint_received").count() == 1
    clock.advance(minutes=15)
    later = lodge()
    assert later.pk != first.pk


ANONYMOUS_WITH_KEY = {
    "category": Category.BRIBERY,
    "anonymous": True,
    "secret_phrase": "blue mango at noon",
    "idempotency_key": "retry-1",
    "source": "form",
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("overrides", [{}, ANONYMOUS_WITH_KEY], ids=["same-text", "same-key"])
def test_identical_complaints_sent_at_once_are_stored_once(world, overrides):
    require_postgres()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(lodge(**overrides).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert Complaint.objects.count() == 1


def test_bad_input_is_refused_naming_the_field(world, clock):
    cases = [
        ({"phone": "12"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "  "}, "text"),
        ({"category": "gossip"}, "category"),
        ({"anonymous": True, "secret_phrase": "long enough phrase"}, "anonymous"),
        (
            {"anonymous": True, "category": Category.BRIBERY, "secret_phrase": "short"},
            "secret_phrase",
        ),
        ({"idempotency_key": "k" * 101}, "idempotency_key"),
    ]
    for overrides, field in cases:
        with pytest.raises(DomainError) as refused:
            lodge(**overrides)
        assert refused.value.field == field, overrides
    assert Complaint.objects.count() == 0


def test_anonymous_bribery_report_is_followed_with_reference_and_secret_phrase(world, clock):
    complaint = lodge(
        category=Category.BRIBERY,
        anonymous=True,
        secret_phrase="blue mango at noon",
        centre=world.gpo,
        text="The clerk asked for KES 2,000 to speed up my ID.",
    )
    assert complaint.phone == "" and complaint.level == Level.MONITOR
    assert "blue mango" not in complaint.secret_hash
    assert check_password("blue mango at noon", complaint.secret_hash)
    assert not Message.objects.exists()  # nobody to text
    found = complaint_for_citizen(
        reference=complaint.reference.lower().replace("-", " "), proof="blue mango at noon"
    )
    assert found.pk == complaint.pk
    with pytest.raises(NotFound):
        complaint_for_citizen(reference=complaint.reference, proof="blue mango")
    with pytest.raises(NotFound):
        complaint_for_citizen(reference=complaint.reference, proof="")


def test_tracking_needs_reference_and_phone(world, clock):
    complaint = lodge()
    assert complaint_for_citizen(reference=complaint.reference, proof="0712345678").pk == (
        complaint.pk
    )
    for reference, proof in [(complaint.reference, "0722000111"), ("ZZZZ-ZZZZ", "0712345678")]:
        with pytest.raises(NotFound):
            complaint_for_citizen(reference=reference, proof=proof)


def test_low_rating_becomes_a_complaint_about_its_ticket(world, clock):
    from huduma.queues import services as queue_services

    visit = queue_services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    ticket = visit.tickets.get()
    complaint = complaint_lodge(
        channel=Channel.LOW_RATING,
        category=Category.SERVICE_QUALITY,
        text="Rated 1/5: rude",
        ticket=ticket,
        source=f"rating:{ticket.pk}",
        idempotency_key=f"rating:{ticket.pk}",
    )
    assert complaint.centre == world.gpo and complaint.service == world.id_dup
    assert complaint.mda == world.nrb and complaint.level == Level.CENTRE
    assert complaint.phone == ""  # a reception ticket has none; the record stands
    again = complaint_lodge(
        channel=Channel.LOW_RATING,
        category=Category.SERVICE_QUALITY,
        text="Rated 1/5: rude",
        ticket=ticket,
        source=f"rating:{ticket.pk}",
        idempotency_key=f"rating:{ticket.pk}",
    )
    assert again.pk == complaint.pk

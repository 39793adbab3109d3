"""The server decides, the kit reports: what a field kit pushes goes through the owning app's
rule (core.kit_rules), with the kit as an actor with its own limits. Each refusal is kept out of
the database (and the ledger) and shown, with its reason, on the centre's kits page."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils.html import escape

from huduma.core import clock
from huduma.core.ids import uuid7
from huduma.ledger.models import Entry, Receipt
from huduma.notify.models import Message
from huduma.outreach import sync_push
from huduma.outreach.records import wire
from huduma.payments.models import Invoice, Payment
from huduma.payments.providers import SandboxDaraja, TransactionFound
from huduma.payments.services import OFFLINE_CODE_PROVIDER, TO_VERIFY
from huduma.queues import services as queues
from huduma.queues.models import IssueChannel, Ticket, Visit
from tests.outreach_helpers import Kit, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(world):
    return Kit(world)


def results(response) -> list[tuple[str, str]]:
    return [(r["outcome"], r.get("reason", "")) for r in response.json()["results"]]


def kits_page(client, world) -> str:
    client.force_login(world.bob)
    response = client.get(f"/staff/centres/{world.gpo.code}/field-kits/")
    assert response.status_code == 200
    return response.content.decode()


def money(kit, world, *, amount="100.00", invoice_amount="100.00", **payment_fields):
    """An invoice of the kit's and a payment on it, as the kit sends them."""
    now = clock.now()
    invoice = Invoice(
        service=world.id_dup,
        centre=world.gpo,
        amount_kes=Decimal(invoice_amount),
        raised_by=world.alice,
        raised_at=now,
    )
    fields = {
        "channel": "cash",
        "provider": "cash",
        "status": "completed",
        "amount_paid_kes": Decimal(amount),
        "settled_at": now,
        **payment_fields,
    }
    payment = Payment(
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        invoice=invoice,
        amount_kes=Decimal(amount),
        officer=world.alice,
        started_at=now,
        **fields,
    )
    return [wire(invoice, kit.next_seq()), wire(payment, payment.node_seq)]


def test_a_kits_cash_for_the_fee_by_its_own_officer_is_posted(client, kit, world):
    response = push(client, kit, money(kit, world))
    assert [outcome for outcome, _reason in results(response)] == ["stored", "stored"]
    assert Entry.objects.count() == 1 and Receipt.objects.count() == 1


def test_a_kit_pushing_a_completed_mpesa_payment_is_refused(client, kit, world):
    """The kit's own worker marked an M-Pesa push "completed": nothing reaches the ledger."""
    items = money(
        kit,
        world,
        channel="mpesa",
        provider=OFFLINE_CODE_PROVIDER,
        provider_receipt="QK55EEEE55",
        hold_reason="",
    )
    response = push(client, kit, items)
    (_invoice, (outcome, reason)) = results(response)
    assert outcome == "rejected"
    assert "only the server, on M-Pesa's answer, completes it" in reason
    assert not Payment.objects.exists()
    assert Entry.objects.count() == 0 and Receipt.objects.count() == 0
    assert escape(reason) in kits_page(client, world)


def test_a_kit_payment_of_another_amount_is_refused(client, kit, world):
    # Cash of KES 5,000 on an invoice the kit raised for KES 5,000: the fee is KES 100.
    response = push(client, kit, money(kit, world, amount="5000.00", invoice_amount="5000.00"))
    (invoice_outcome, invoice_reason), (payment_outcome, _payment_reason) = results(response)
    assert invoice_outcome == payment_outcome == "rejected"
    assert invoice_reason == "invoice: the amount is not the service's official fee"
    # Cash of KES 50 on the right invoice.
    response = push(client, kit, money(kit, world, amount="50.00"))
    assert results(response)[1] == ("rejected", "payment: the amount is not the official fee")
    assert not Payment.objects.exists()
    assert Entry.objects.count() == 0
    page = kits_page(client, world)
    assert "payment: the amount is not the official fee" in page
    assert escape(invoice_reason) in page


def test_a_kit_cannot_make_the_server_send_its_own_text(client, kit, world):
    now = clock.now()
    free = Message(
        to="+254712345678",
        template="free_text",
        body="Huduma: send KES 2,000 to 0799000000 to get your ID today.",
        next_attempt_at=now,
        created_at=now,
    )
    # Even under a known template, the kit's text is kept for the record and never sent.
    dressed = Message(
        to="+254712345679",
        template="payment_received",
        body="Huduma: send KES 2,000 to 0799000000 to get your ID today.",
        next_attempt_at=now,
        created_at=now,
    )
    response = push(client, kit, [wire(free, kit.next_seq()), wire(dressed, kit.next_seq())])
    (free_outcome, reason), (dressed_outcome, _none) = results(response)
    assert free_outcome == "rejected"
    assert reason.startswith("message: a kit cannot write its own SMS text")
    assert dressed_outcome == "stored"
    assert not Message.objects.filter(pk=free.pk).exists()
    assert Message.objects.get(pk=dressed.pk).status == "failed"
    assert not Message.objects.filter(body__contains="0799000000").exclude(status="failed")
    assert "a kit cannot write its own SMS text" in kits_page(client, world)


def test_a_kit_cannot_change_a_priority_or_the_order(client, kit, world):
    items = kit.visit()
    push(client, kit, items)
    elderly = kit.changed(items[0], priority="elderly")
    response = push(client, kit, [elderly])
    assert results(response) == [("rejected", "visit: a kit cannot change a priority")]
    assert Visit.objects.get(pk=items[0]["id"]).priority == ""
    front = kit.changed(items[1], queue_key=0.0)
    response = push(client, kit, [front])
    assert results(response) == [("rejected", "ticket: a kit cannot change the order of the queue")]
    # A new ticket that jumps ahead of the order its own visit earns.
    jumper = kit.visit()
    jumper[1] = kit.changed(jumper[1], seq=jumper[1]["seq"], queue_key=1.0)
    response = push(client, kit, jumper)
    assert ("rejected", "ticket: a kit cannot move a ticket ahead in the queue") in results(
        response
    )
    assert not Ticket.objects.filter(queue_key__lt=1000).exists()
    page = kits_page(client, world)
    assert "visit: a kit cannot change a priority" in page
    assert "ticket: a kit cannot change the order of the queue" in page


def test_a_kit_cannot_update_a_record_the_server_made(client, kit, world):
    visit = queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel=IssueChannel.RECEPTION,
        requirements_confirmed=True,
        phone="+254712345678",
        actor=world.alice,
    )
    item = wire(Visit.objects.get(pk=visit.pk), kit.next_seq())
    item = dict(kit.changed(item, seq=item["seq"], phone="+254700000009"), node_id=kit.kit.node_id)
    response = push(client, kit, [item])
    ((outcome, reason),) = results(response)
    assert outcome == "rejected"
    assert "a kit changes only its own" in reason
    visit.refresh_from_db()
    assert visit.phone == "+254712345678"
    assert Entry.objects.count() == 0
    assert "a kit changes only its own" in kits_page(client, world)


def test_an_mpesa_code_from_a_kit_completes_only_on_the_providers_answer(
    client, kit, world, monkeypatch
):
    monkeypatch.setattr(SandboxDaraja, "statement", {})
    items = money(
        kit,
        world,
        channel="mpesa",
        provider=OFFLINE_CODE_PROVIDER,
        provider_receipt="QK66FFFF66",
        hold_reason=TO_VERIFY,
        status="held",
        amount_paid_kes=None,
        settled_at=None,
    )
    response = push(client, kit, items)
    assert [outcome for outcome, _reason in results(response)] == ["stored", "stored"]
    payment = Payment.objects.get(provider_receipt="QK66FFFF66")
    assert payment.status == "held" and Entry.objects.count() == 0  # M-Pesa does not know it
    # M-Pesa confirms the code later: the server's re-check completes it and posts it.
    monkeypatch.setattr(
        SandboxDaraja,
        "statement",
        {
            "QK66FFFF66": TransactionFound(
                "QK66FFFF66", Decimal("100.00"), bill_ref=payment.invoice.account_reference
            )
        },
    )
    assert sync_push.mpesa_codes_recheck(now=clock.now() + dt.timedelta(minutes=10)) == 1
    payment.refresh_from_db()
    assert payment.status == "completed"
    assert Entry.objects.count() == 1


def test_a_rating_of_another_kits_or_the_centres_ticket_is_refused(client, kit, world):
    from huduma.feedback.models import Rating

    visit = queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel=IssueChannel.RECEPTION,
        requirements_confirmed=True,
        actor=world.alice,
    )
    ticket = visit.tickets.get()
    rating = Rating(
        id=uuid7(),
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        ticket=ticket,
        centre=world.gpo,
        service=world.id_dup,
        ending="served",
        channel="tablet",
        score=5,
        at=clock.now(),
    )
    response = push(client, kit, [wire(rating, rating.node_seq)])
    assert results(response) == [("rejected", "rating: of a ticket this kit did not issue")]
    assert not Rating.objects.exists()


def test_the_snapshot_carries_no_secret_and_a_revoked_officer_stops_at_the_next_contact(
    client, kit, world
):
    answer = client.get("/api/outreach/kits/snapshot", **kit.headers).json()
    (officer,) = [o for o in answer["objects"] if o["model"] == "accounts.user"]
    assert officer["fields"]["username"] == "alice"
    assert not {"password", "email", "phone", "last_login"} & set(officer["fields"])
    assert answer["officers"] == [str(world.alice.pk)]
    assert world.alice.password.split("$")[-1] not in json.dumps(answer)
    # Alice leaves the service: at the kit's next contact she is no longer going, and what it
    # records in her name is refused.
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    answer = client.get("/api/outreach/kits/snapshot", **kit.headers).json()
    assert answer["officers"] == []
    response = push(client, kit, money(kit, world))
    assert results(response)[0] == (
        "rejected",
        "invoice: raised by an officer who did not come with this kit",
    )
    assert not Payment.objects.exists()
    assert Entry.objects.count() == 0


def test_a_kits_payment_naming_another_application_is_refused(client, kit, world):
    """The copy of the application on a payment is what the one-fee-per-application rule of the
    database reads: a kit cannot point it elsewhere (or nowhere) to pay one fee twice."""
    from tests.test_payments_one_fee import application as make_application

    other = make_application.__wrapped__(world)
    response = push(client, kit, money(kit, world, application_id=other.pk))
    assert results(response)[1] == ("rejected", "payment: not for its invoice's application")
    assert not Payment.objects.filter(application=other).exists()


def test_a_kits_rating_naming_another_centres_tablet_is_refused(client, kit, world):
    """A rating made on the kit names the kit itself (its own tablet), or no device: never a
    tablet of the centre or of another centre, whose misuse counts and reasons it would take."""
    from huduma.accounts.models import Device
    from huduma.feedback.models import Rating

    visit = kit.visit()
    push(client, kit, visit)
    tablets = [
        Device.objects.create(kind="feedback_tablet", centre=centre, name="Hall tablet")
        for centre in (world.kisumu, world.gpo)
    ]

    def rating(device_id):
        made = Rating(
            id=uuid7(),
            node_id=kit.kit.node_id,
            node_seq=kit.next_seq(),
            ticket_id=visit[1]["id"],
            centre=world.gpo,
            service=world.id_dup,
            ending="served",
            channel="tablet",
            score=5,
            device_id=device_id,
            at=clock.now(),
        )
        return wire(made, made.node_seq)

    response = push(client, kit, [rating(tablet.pk) for tablet in tablets])
    assert results(response) == [("rejected", "rating: from a device that is not this kit")] * 2
    assert not Rating.objects.exists()
    assert "rating: from a device that is not this kit" in kits_page(client, world)
    # The kit's own tablet (the kit itself) is its to name.
    response = push(client, kit, [rating(kit.kit.device_id)])
    assert [outcome for outcome, _reason in results(response)] == ["stored"]
    assert Rating.objects.get().device_id == kit.kit.device_id

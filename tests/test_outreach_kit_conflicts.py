"""Conflicts a person can judge: each field with the server's value and the kit's, who made
each and when; "take the kit's" only for a record the kit made and fields a kit may set;
money and complaints about corruption or staff never overwritten from a kit."""

import json
from decimal import Decimal

import pytest
from django.utils.html import escape

from huduma.complaints.models import Complaint
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.ids import uuid7
from huduma.ledger.models import Entry
from huduma.outreach import sync_conflicts
from huduma.outreach.records import record_fields
from huduma.outreach.sync_models import SyncConflict
from huduma.payments.models import Payment
from huduma.queues import services as queues
from huduma.queues.models import IssueChannel, Ticket, Visit
from tests.outreach_helpers import Kit, push
from tests.test_outreach_kit_trust import money

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(world):
    return Kit(world)


def held(kit, record, **kit_changes) -> SyncConflict:
    """A conflict held for `record`, the kit's version changing `kit_changes`."""
    server = json.loads(json.dumps(record_fields(record), default=str))
    label = f"{record._meta.app_label}.{type(record).__name__}"
    return SyncConflict.objects.create(
        kit=kit.kit,
        seq=kit.next_seq(),
        model=label,
        record_id=record.pk,
        reason="changed on the server since the kit sent it",
        kit_fields=dict(server, **kit_changes),
        server_fields=server,
        created_at=clock.now(),
    )


def page(client, world, conflict) -> str:
    client.force_login(world.bob)
    url = f"/staff/centres/{world.gpo.code}/field-kits/conflicts/{conflict.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_conflict_page_shows_both_values_and_who_made_each(client, kit, world):
    items = kit.visit()
    push(client, kit, items)
    ticket = Ticket.objects.get(pk=items[1]["id"])
    Ticket.objects.filter(pk=ticket.pk).update(status="cancelled")  # at the centre, meanwhile
    served = kit.changed(items[1], status="served")
    assert push(client, kit, [served]).json()["results"][0]["outcome"] == "conflict"
    conflict = SyncConflict.objects.get()
    html = page(client, world, conflict)
    assert "Server's value" in html and "Kit's value" in html
    row = html[html.index('<th scope="row">status</th>') :].split("</tr>")[0]
    assert "cancelled" in row and "served" in row and "yes" in row
    assert "Kit mashinani-kibra-2026-12" in html and f"change #{conflict.seq}" in html
    assert "Take the kit" in html  # its own ticket, a status a kit may set
    sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    assert Ticket.objects.get(pk=ticket.pk).status == "served"


def test_a_bribery_report_is_never_overwritten_from_a_kit(client, kit, world):
    complaint = Complaint.objects.create(
        id=uuid7(),
        node_id=kit.kit.node_id,
        reference="HK-BRIBE-1",
        category="bribery",
        channel="centre",
        status="acknowledged",
        level="centre",
        centre=world.gpo,
        text="The officer asked for KES 2,000 to speed up my ID.",
        text_hash="x" * 64,
        anonymous=True,
        secret_hash="pbkdf2_sha256$placeholder",
        created_at=clock.now(),
        updated_at=clock.now(),
        due_at=clock.now(),
    )
    conflict = held(kit, complaint, category="service_quality", status="closed")
    html = page(client, world, conflict)
    assert "Take the kit" not in html.split("no-take-kit")[0].split("Keep the server")[1]
    assert escape("never overwritten from a kit") in html
    with pytest.raises(DomainError):
        sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    complaint.refresh_from_db()
    assert (complaint.category, complaint.status) == ("bribery", "acknowledged")


def test_a_completed_payment_is_never_overwritten_from_a_kit(client, kit, world):
    push(client, kit, money(kit, world))
    payment = Payment.objects.get()
    conflict = held(kit, payment, status="cancelled", amount_kes="0.00", amount_paid_kes="0.00")
    with pytest.raises(DomainError) as refused:
        sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    assert "Money records are never overwritten" in refused.value.message
    payment.refresh_from_db()
    assert (payment.status, payment.amount_kes) == ("completed", Decimal("100.00"))
    assert Entry.objects.count() == 1


def test_a_record_the_kit_did_not_make_is_never_taken_from_it(client, kit, world):
    visit = queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel=IssueChannel.RECEPTION,
        requirements_confirmed=True,
        phone="+254712345678",
        actor=world.alice,
    )
    conflict = held(kit, visit, phone="+254700000009")
    assert "The kit did not make this record" in page(client, world, conflict)
    with pytest.raises(DomainError):
        sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    visit.refresh_from_db()
    assert visit.phone == "+254712345678"


def test_a_kit_field_it_may_not_set_is_never_taken(client, kit, world):
    items = kit.visit()
    push(client, kit, items)
    visit = Visit.objects.get(pk=items[0]["id"])
    conflict = held(kit, visit, priority="elderly")
    with pytest.raises(DomainError) as refused:
        sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    assert "a kit cannot change a priority" in refused.value.message
    assert Visit.objects.get(pk=visit.pk).priority == ""


def test_keeping_the_servers_version_is_always_possible(client, kit, world):
    push(client, kit, money(kit, world))
    conflict = held(kit, Payment.objects.get(), status="cancelled")
    sync_conflicts.conflict_resolve(conflict=conflict, choice="keep_server", actor=world.bob)
    assert SyncConflict.objects.get().status == "kept_server"

"""The centre server receiving a field kit's batches: stored once, replays change nothing,
other content is held as a conflict, one bad record does not stop the batch, revoked and
unknown kits are refused, gaps show, offline M-Pesa codes are checked at sync."""

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.db import connection

from huduma.accounts import devices
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.outreach import sync_conflicts, sync_push, sync_selectors
from huduma.outreach.records import content_hash, wire
from huduma.outreach.sync_models import MpesaCodeCheck, RefusedPush, SyncConflict, SyncItem
from huduma.outreach.tasks import mpesa_codes_recheck_task
from huduma.payments.models import Invoice, Payment, account_reference
from huduma.payments.providers import SandboxDaraja, TransactionFound, c2b_confirmation_body
from huduma.payments.services import CODE_CONFIRMATION_WAIT, OFFLINE_CODE_PROVIDER, TO_VERIFY
from huduma.queues.models import Ticket, TicketEvent, Visit
from tests.conftest import require_postgres
from tests.outreach_helpers import Kit, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(world):
    return Kit(world)


def outcomes(response) -> list[str]:
    return [r["outcome"] for r in response.json()["results"]]


def test_a_batch_is_stored_and_acknowledged(client, kit):
    items = kit.visit() + kit.visit()
    response = push(client, kit, items, pending=7)
    assert response.status_code == 200, response.content
    body = response.json()
    assert outcomes(response) == ["stored"] * 8
    assert body["acked_seq"] == 8
    assert Visit.objects.filter(node_id=kit.kit.node_id).count() == 2
    assert TicketEvent.objects.filter(node_id=kit.kit.node_id).count() == 4
    visit = Visit.objects.get(pk=items[0]["id"])
    assert visit.number.startswith(kit.kit.ticket_prefix)
    kit.kit.refresh_from_db()
    assert kit.kit.pending_reported == 7 and kit.kit.last_push_at is not None


def test_a_replayed_or_reordered_batch_changes_nothing(client, kit):
    items = kit.visit() + kit.visit()
    push(client, kit, items)
    before = SyncItem.objects.count(), Visit.objects.count(), Ticket.objects.count()
    replay = push(client, kit, items)
    assert outcomes(replay) == ["duplicate"] * 8
    reordered = push(client, kit, list(reversed(items)))
    assert set(outcomes(reordered)) == {"duplicate"}
    after = SyncItem.objects.count(), Visit.objects.count(), Ticket.objects.count()
    assert after == before
    assert not SyncConflict.objects.exists()


def test_children_before_their_parent_in_a_batch_wait_for_it(client, kit):
    items = kit.visit()
    response = push(client, kit, list(reversed(items)))
    assert outcomes(response) == ["stored"] * 4
    # A parent that never comes: the child is refused with its reason, the rest kept.
    orphan = kit.visit()[1:]
    response = push(client, kit, orphan)
    results = response.json()["results"]
    assert {r["outcome"] for r in results} == {"rejected"}
    assert results[0]["reason"].startswith("parent missing")


def test_one_bad_record_does_not_stop_the_batch(client, kit, world):
    good = kit.visit()
    unknown_model = dict(good[0], model="accounts.User", seq=kit.next_seq())
    bad_field = kit.changed(kit.visit()[0], channel="carrier-pigeon")
    bad_hash = dict(kit.visit()[0], hash="0" * 64, seq=kit.next_seq())
    fk_missing_item = kit.visit()[0]
    fk_missing = kit.changed(fk_missing_item, seq=fk_missing_item["seq"], issued_by_id=999999)
    elsewhere_item = kit.visit()[0]
    elsewhere = kit.changed(elsewhere_item, seq=elsewhere_item["seq"], centre_id=world.kisumu.pk)
    batch = [unknown_model, *good, bad_field, bad_hash, fk_missing, "junk", elsewhere]
    response = push(client, kit, batch)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["rejected"] + ["stored"] * 4 + ["rejected"] * 5
    reasons = [r.get("reason", "") for r in results]
    assert reasons[0] == "unknown model"
    assert reasons[5].startswith("invalid field: channel")
    assert reasons[6] == "hash does not match the content"
    assert reasons[7] == "unknown issued_by"
    assert reasons[8] == "not an object"
    assert reasons[9] == "centre: not this kit's centre"
    assert Visit.objects.count() == 1


def test_a_changed_record_is_held_as_a_conflict(client, kit, world):
    items = kit.visit()
    push(client, kit, items)
    ticket = items[1]
    # The kit's own newer version (the ticket was called) is applied...
    called = kit.changed(ticket, status="called", counter_id=world.counters[("gpo-nairobi", 1)].pk)
    assert outcomes(push(client, kit, [called])) == ["updated"]
    assert Ticket.objects.get(pk=ticket["id"]).status == "called"
    # ...but not once the server changed the record since: held, never overwritten.
    Ticket.objects.filter(pk=ticket["id"]).update(status="cancelled")
    served = kit.changed(called, status="served")
    response = push(client, kit, [served])
    assert outcomes(response) == ["conflict"]
    assert Ticket.objects.get(pk=ticket["id"]).status == "cancelled"
    conflict = SyncConflict.objects.get()
    assert conflict.reason == "changed on the server since the kit sent it"
    assert conflict.kit_fields["status"] == "served"
    assert conflict.server_fields["status"] == "cancelled"
    # A number sent again with other content is held too, and the first content stays.
    tampered = kit.changed(items[0], seq=items[0]["seq"], phone="+254700000001")
    assert outcomes(push(client, kit, [tampered])) == ["conflict"]
    assert Visit.objects.get(pk=items[0]["id"]).phone == "+254712345678"
    # Sending the conflict again adds nothing.
    push(client, kit, [served, tampered])
    assert SyncConflict.objects.count() == 2

    # Resolving: take the kit's version of the ticket, keep the server's visit.
    sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    assert Ticket.objects.get(pk=ticket["id"]).status == "served"
    other = SyncConflict.objects.exclude(pk=conflict.pk).get()
    sync_conflicts.conflict_resolve(conflict=other, choice="keep_server", actor=world.bob)
    assert Visit.objects.get(pk=items[0]["id"]).phone == "+254712345678"
    assert set(SyncConflict.objects.values_list("status", flat=True)) == {
        "took_kit",
        "kept_server",
    }


def test_another_kit_claiming_an_id_is_refused(client, kit, world):
    items = kit.visit()
    push(client, kit, items)
    other = Kit(world, "mashinani-makadara")
    stolen = dict(items[0], node_id=other.kit.node_id)
    stolen = other.changed(stolen, seq=1, node_id=other.kit.node_id, phone="+254700000002")
    response = push(client, other, [stolen])
    assert outcomes(response) == ["rejected"]
    assert "a kit changes only its own" in response.json()["results"][0]["reason"]
    assert not SyncConflict.objects.exists()
    assert Visit.objects.get(pk=items[0]["id"]).phone == "+254712345678"


def test_gaps_in_a_kits_sequence_are_visible(client, kit):
    items = kit.visit() + kit.visit() + kit.visit()
    push(client, kit, items[:3] + items[6:])  # 4, 5, 6 lost
    status = client.get("/api/outreach/sync/status", **kit.headers).json()
    assert status == {"received": 9, "highest_seq": 12, "gaps": [[4, 6]]}
    push(client, kit, items[3:6])
    assert sync_selectors.kit_gaps(kit.kit.node_id) == []


def test_revoked_kit_is_refused_and_shown(client, kit, world):
    push(client, kit, kit.visit())
    devices.device_revoke(device=kit.kit.device, actor=world.bob)
    response = push(client, kit, kit.visit())
    assert response.status_code == 403
    assert response.json()["code"] == "kit_revoked"
    refused = RefusedPush.objects.get()
    assert refused.kit == kit.kit and refused.records == 4
    assert Visit.objects.count() == 1


def test_unknown_kit_is_unauthenticated(client, kit):
    response = client.post(
        "/api/outreach/sync/push",
        data=json.dumps({"items": kit.visit()}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Device not-a-token",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unknown_kit"
    response = client.post("/api/outreach/sync/push", data="{}", content_type="application/json")
    assert response.status_code == 401
    assert not Visit.objects.exists() and not RefusedPush.objects.exists()


def test_a_truncated_batch_is_refused_whole(client, kit):
    body = json.dumps({"pending": 0, "items": kit.visit()})
    response = client.post(
        "/api/outreach/sync/push",
        data=body[: len(body) // 2],
        content_type="application/json",
        **kit.headers,
    )
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not SyncItem.objects.exists() and not Visit.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_record_pushed_twice_at_once_is_stored_once(world):
    require_postgres()
    from django.test import Client

    kit = Kit(world)
    items = kit.visit()
    barrier = threading.Barrier(2)
    answers = []

    def send():
        barrier.wait()
        try:
            answers.append(push(Client(), kit, items))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted(outcomes(answers[0]) + outcomes(answers[1])) == ["duplicate"] * 4 + ["stored"] * 4
    assert Visit.objects.filter(pk=items[0]["id"]).count() == 1
    assert SyncItem.objects.count() == 4


def _offline_payment(kit, world, code, amount="100.00"):
    invoice = Invoice(
        service=world.id_dup, centre=world.gpo, amount_kes=Decimal("100.00"), raised_at=_now()
    )
    payment = Payment(
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        invoice=invoice,
        channel="mpesa",
        provider=OFFLINE_CODE_PROVIDER,
        amount_kes=Decimal(amount),
        status="held",
        hold_reason=TO_VERIFY,
        provider_receipt=code,
        officer=world.alice,
        started_at=_now(),
    )
    return [wire(invoice, kit.next_seq()), wire(payment, payment.node_seq)]


def _now():
    from huduma.core import clock

    return clock.now()


def test_mpesa_codes_taken_offline_are_checked_at_sync(client, kit, world, monkeypatch):
    items = (
        _offline_payment(kit, world, "QK11AAAA11")
        + _offline_payment(kit, world, "QK22BBBB22")
        + _offline_payment(kit, world, "QK33CCCC33")
    )
    # Paid to the paybill with each invoice's account number.
    ref = {
        i["fields"]["provider_receipt"]: account_reference(i["fields"]["invoice_id"])
        for i in items
        if i["model"] == "payments.Payment"
    }
    monkeypatch.setattr(
        SandboxDaraja,
        "statement",
        {
            "QK11AAAA11": TransactionFound(
                "QK11AAAA11", Decimal("100.00"), bill_ref=ref["QK11AAAA11"]
            ),
            "QK22BBBB22": TransactionFound(
                "QK22BBBB22", Decimal("50.00"), bill_ref=ref["QK22BBBB22"]
            ),
        },
    )
    response = push(client, kit, items)
    assert set(outcomes(response)) == {"stored"}
    checks = dict(MpesaCodeCheck.objects.values_list("code", "outcome"))
    assert checks == {"QK11AAAA11": "matched", "QK22BBBB22": "mismatch", "QK33CCCC33": "not_found"}
    paid = Payment.objects.get(provider_receipt="QK11AAAA11")
    assert paid.status == "completed"
    kinds = list(paid.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["from_field_kit", "code_verified"]
    held = Payment.objects.get(provider_receipt="QK22BBBB22")
    assert held.status == "held" and "KES 50.00" in held.hold_reason
    # The same code shown again (another tent, another invoice) pays nothing more.
    again = push(client, kit, _offline_payment(kit, world, "QK11AAAA11"))
    assert set(outcomes(again)) == {"stored"}
    twice = Payment.objects.filter(provider_receipt="QK11AAAA11").order_by("started_at")
    assert [p.status for p in twice] == ["completed", "held"]
    assert twice[1].hold_reason == "this code already paid another fee"


def test_snapshot_gives_the_kit_what_it_needs_offline(client, kit, world):
    body = client.get("/api/outreach/kits/snapshot", **kit.headers).json()
    assert body["changed"] and body["ticket_prefix"] == kit.kit.ticket_prefix
    assert body["outreach"] is None  # a kit registered for no outreach (see test_outreach_kit)
    models = {o["model"] for o in body["objects"]}
    assert {"catalogue.service", "places.counter", "accounts.user"} <= models
    users = [o for o in body["objects"] if o["model"] == "accounts.user"]
    # Only the officers going, and no secret of theirs (they sign in on the kit with a PIN).
    assert [u["fields"]["username"] for u in users] == ["alice"]
    assert "password" not in users[0]["fields"]
    again = client.get(
        "/api/outreach/kits/snapshot",
        {"since": body["catalogue_version"]},
        **kit.headers,
    ).json()
    assert again["changed"] is False and again["objects"] == []


def test_kit_prefixes_differ_and_avoid_service_groups(world):
    a, b = Kit(world), Kit(world, "other")
    assert a.kit.ticket_prefix != b.kit.ticket_prefix
    assert {a.kit.ticket_prefix, b.kit.ticket_prefix}.isdisjoint({"A", "B", "C"})


def test_content_hash_covers_every_field(kit):
    item = kit.visit()[0]
    assert content_hash(item["model"], item["id"], item["fields"]) == item["hash"]
    assert kit.changed(item, seq=item["seq"], phone="+254700000003")["hash"] != item["hash"]


def test_a_record_the_database_refuses_is_reported_and_the_rest_kept(client, kit):
    first, second = kit.visit(), kit.visit()
    # A second ticket at the same position of the first visit: the unique constraint refuses it.
    clash = dict(second[1])
    clash = kit.changed(clash, seq=clash["seq"], visit_id=first[0]["id"])
    batch = first + [second[0], clash, *second[2:]]
    response = push(client, kit, batch)
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["stored"] * 5 + ["rejected"] + ["rejected"] * 2
    assert results[5]["reason"].startswith("refused by the database")
    assert results[6]["reason"].startswith("parent missing: ticket")
    assert Visit.objects.count() == 2 and Ticket.objects.count() == 1
    assert SyncItem.objects.filter(outcome="stored").count() == 5


def test_a_refused_record_sent_again_mended_is_taken(client, kit):
    items = kit.visit()
    response = push(client, kit, items[1:])  # the visit is missing: its ticket and events wait
    assert set(outcomes(response)) == {"rejected"}
    response = push(client, kit, items)
    assert outcomes(response) == ["stored"] * 4
    assert not SyncConflict.objects.exists()
    assert SyncItem.objects.filter(outcome="stored").count() == 4


def test_a_code_confirmed_after_the_sync_is_verified_by_the_recheck(client, kit, world, settings):
    settings.MPESA_PROVIDER = "daraja"  # codes checked against the paybill's C2B confirmations
    push(client, kit, _offline_payment(kit, world, "QK44DDDD44"))
    check = MpesaCodeCheck.objects.get()
    assert check.outcome == "not_found"
    assert Payment.objects.get(provider_receipt="QK44DDDD44").status == "held"
    assert sync_push.mpesa_codes_recheck() == 1  # still nothing from M-Pesa: asked again, held
    assert Payment.objects.get(provider_receipt="QK44DDDD44").status == "held"
    body = c2b_confirmation_body(
        trans_id="QK44DDDD44",
        amount=Decimal(100),
        when=_now(),
        bill_ref=Payment.objects.get(provider_receipt="QK44DDDD44").invoice.account_reference,
    )
    confirmed = client.post(
        "/api/payments/c2b/testc2bsecret/confirmation",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert confirmed.status_code == 200, confirmed.content
    mpesa_codes_recheck_task()
    check.refresh_from_db()
    assert check.outcome == "matched"
    assert Payment.objects.get(provider_receipt="QK44DDDD44").status == "completed"
    assert sync_push.mpesa_codes_recheck() == 0


def test_a_code_never_confirmed_is_flagged_after_the_wait(client, kit, world, settings):
    settings.MPESA_PROVIDER = "daraja"
    push(client, kit, _offline_payment(kit, world, "QK55EEEE55"))
    after = _now() + CODE_CONFIRMATION_WAIT
    assert sync_push.mpesa_codes_recheck(now=after) == 1  # the last look, after the wait
    check = MpesaCodeCheck.objects.get()
    assert (check.outcome, check.detail) == ("not_found", "M-Pesa does not know this code")
    assert Payment.objects.get(provider_receipt="QK55EEEE55").status == "held"
    assert sync_push.mpesa_codes_recheck(now=after + dt.timedelta(hours=1)) == 0


def test_a_kit_cannot_claim_or_overwrite_another_centres_record(client, kit, world):
    """A GPO kit sending the id of a Kisumu record as if its own: refused, never held as a
    conflict (which showed the Kisumu record to GPO's manager and let "take the kit's version"
    overwrite it, moving it to GPO)."""
    now = clock.now()
    visit = Visit.objects.create(
        centre=world.kisumu,
        service_day=clock.local_date(now),
        prefix="K",
        sequence=1,
        number="K001",
        arrived_at=now,
        channel="reception",
        phone="+254712345678",
    )
    held = dict(wire(visit, kit.next_seq()), node_id=kit.kit.node_id)
    claimed = kit.changed(held, centre_id=world.gpo.pk, phone="+254700000001")
    response = push(client, kit, [claimed])
    result = response.json()["results"][0]
    assert result["outcome"] == "rejected"
    assert result["reason"] == "centre: not this kit's centre"
    assert not SyncConflict.objects.exists()
    visit.refresh_from_db()
    assert (visit.centre_id, visit.phone) == (world.kisumu.pk, "+254712345678")


def test_a_kits_record_cannot_hang_on_another_centres_record(client, kit, world):
    """A GPO kit's new payment for a Kisumu invoice, or ticket on a Kisumu visit: refused (the
    parent is not among this centre's records), so no money is posted against another centre's
    invoice and no ticket is added to another centre's visit."""
    now = _now()
    invoice = Invoice.objects.create(
        service=world.id_dup, centre=world.kisumu, amount_kes=Decimal("100.00"), raised_at=now
    )
    visit = Visit.objects.create(
        centre=world.kisumu,
        service_day=clock.local_date(now),
        prefix="K",
        sequence=1,
        number="K001",
        arrived_at=now,
        channel="reception",
    )
    payment = Payment(
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        invoice=invoice,
        channel="cash",
        provider="cash",
        amount_kes=Decimal("100.00"),
        amount_paid_kes=Decimal("100.00"),
        status="completed",
        officer=world.alice,
        started_at=now,
        settled_at=now,
    )
    ticket = Ticket(
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        visit=visit,
        centre=world.gpo,
        service=world.id_dup,
        position=0,
        status="waiting",
        waiting_since=now,
    )
    items = [wire(payment, payment.node_seq), wire(ticket, ticket.node_seq)]
    response = push(client, kit, items)
    assert outcomes(response) == ["rejected", "rejected"]
    assert not Payment.objects.filter(invoice=invoice).exists()
    assert not Ticket.objects.filter(visit=visit).exists()


def test_taking_the_kits_version_never_overwrites_another_centres_record(kit, world):
    """A conflict held before sync refused other centres' ids (or by any other way) over a
    Kisumu record: taking the GPO kit's version is refused, the record kept."""
    now = _now()
    visit = Visit.objects.create(
        centre=world.kisumu,
        service_day=clock.local_date(now),
        prefix="K",
        sequence=1,
        number="K001",
        arrived_at=now,
        channel="reception",
        phone="+254712345678",
    )
    fields = dict(wire(visit, 1)["fields"], centre_id=world.gpo.pk, phone="+254700000001")
    conflict = SyncConflict.objects.create(
        kit=kit.kit,
        seq=1,
        model="queues.Visit",
        record_id=visit.pk,
        reason="the server already holds this id",
        kit_fields=fields,
        created_at=now,
    )
    with pytest.raises(DomainError) as refused:
        sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    assert refused.value.field == "choice"
    visit.refresh_from_db()
    assert (visit.centre_id, visit.phone) == (world.kisumu.pk, "+254712345678")
    assert SyncConflict.objects.get().status == "open"


def test_a_kits_cash_cannot_count_in_another_centres_officers_cash_up(client, kit, world):
    """A GPO kit's cash payment naming a Kisumu officer (charlie) is refused: it would count in
    his cash-up at Kisumu."""
    items = _offline_payment(kit, world, "QK44DDDD44")
    items[1] = kit.changed(items[1], seq=items[1]["seq"], officer_id=world.charlie.pk)
    response = push(client, kit, items)
    assert outcomes(response) == ["stored", "rejected"]
    assert not Payment.objects.filter(officer=world.charlie).exists()

"""Refunds: asked by one officer, approved by another, never more than is left, only entries."""

import threading
from decimal import Decimal

import pytest

from huduma.accounts.models import Role, User
from huduma.core.errors import Forbidden
from huduma.ledger import services
from huduma.ledger.errors import RefundTooLarge, SameOfficer
from huduma.ledger.models import Entry, Posting, Refund
from tests.conftest import require_postgres
from tests.test_ledger_receipts import pay


def test_refund_needs_a_second_officer(world):
    receipt = pay(world, amount="100.00")
    refund = services.refund_request(
        receipt_number=receipt.number, amount="40", reason="Charged twice", by=world.bob
    )
    assert refund.status == Refund.Status.PENDING
    assert Entry.objects.filter(kind=Entry.Kind.REFUND).count() == 0  # nothing posted yet
    with pytest.raises(SameOfficer):
        services.refund_approve(refund_id=refund.pk, by=world.bob)
    with pytest.raises(Forbidden):  # a counter officer cannot approve
        services.refund_approve(refund_id=refund.pk, by=world.alice)
    refund = services.refund_approve(refund_id=refund.pk, by=world.sam)
    assert refund.status == Refund.Status.APPROVED and refund.decided_by == world.sam
    entry = refund.entry
    assert entry.kind == Entry.Kind.REFUND and entry.amount == Decimal("40.00")
    postings = {p.account: (p.debit, p.credit) for p in Posting.objects.filter(entry=entry)}
    assert postings == {
        "revenue:NRB:gpo-nairobi": (Decimal("40.00"), Decimal("0.00")),
        "clearing:mpesa": (Decimal("0.00"), Decimal("40.00")),
    }
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 1  # the payment stays


def test_refund_never_exceeds_what_is_left(world):
    receipt = pay(world, amount="100.00")
    first = services.refund_request(
        receipt_number=receipt.number, amount="70", reason="Partly served", by=world.alice
    )
    services.refund_approve(refund_id=first.pk, by=world.bob)
    with pytest.raises(RefundTooLarge):
        services.refund_request(
            receipt_number=receipt.number, amount="30.01", reason="Again", by=world.alice
        )
    services.refund_request(
        receipt_number=receipt.number, amount="30.00", reason="The rest", by=world.alice
    )


def test_two_pending_refunds_cannot_both_be_approved_past_the_paid_amount(world):
    receipt = pay(world, amount="100.00")
    one = services.refund_request(
        receipt_number=receipt.number, amount="80", reason="a", by=world.alice
    )
    two = services.refund_request(
        receipt_number=receipt.number, amount="80", reason="b", by=world.alice
    )
    services.refund_approve(refund_id=one.pk, by=world.bob)
    with pytest.raises(RefundTooLarge):
        services.refund_approve(refund_id=two.pk, by=world.bob)


def test_another_centres_officer_cannot_ask_a_refund(world):
    receipt = pay(world)
    with pytest.raises(Forbidden):
        services.refund_request(
            receipt_number=receipt.number, amount="10", reason="x", by=world.charlie
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_only_one_passes(world):
    require_postgres()
    receipt = pay(world, amount="100.00")
    manager2 = User.objects.create_user(
        username="bea", password="pw", role=Role.CENTRE_MANAGER, centre=world.gpo
    )
    refunds = [
        services.refund_request(
            receipt_number=receipt.number, amount="60", reason=f"r{n}", by=world.alice
        )
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def approve(refund, manager):
        from django.db import connection

        try:
            barrier.wait()
            services.refund_approve(refund_id=refund.pk, by=manager)
            outcomes.append("approved")
        except RefundTooLarge:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(refunds[0], world.bob)),
        threading.Thread(target=approve, args=(refunds[1], manager2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["approved", "refused"]
    assert services.refunded_total(receipt.entry) == Decimal("60.00")
    assert Entry.objects.filter(kind=Entry.Kind.REFUND).count() == 1

"""The cash-up nets refunds: what an officer hands over is the cash they took less the refunds
paid out of those takings that day, as the ledger nets it; card is a line of its own."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from huduma.ledger import reports
from huduma.ledger import services as ledger
from huduma.ledger.models import Entry
from huduma.payments import services
from huduma.payments.cashup import cashup_for
from tests.conftest import sign_in_verified

DAY = dt.date(2026, 11, 24)


def take_cash(world, officer) -> str:
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    payment = services.payment_cash_record(
        invoice=invoice, amount=str(invoice.amount_kes), officer=officer
    )
    return Entry.objects.get(payment_id=str(payment.pk)).receipt.number


def refund(world, number, amount):
    asked = ledger.refund_request(receipt_number=number, amount=amount, reason="x", by=world.alice)
    ledger.refund_approve(refund_id=asked.pk, by=world.bob)


def test_the_cash_up_hands_over_what_the_ledger_nets(client, world, clock):
    world.id_dup.fee_kes = Decimal("1100.00")
    world.id_dup.save()
    numbers = [take_cash(world, world.alice) for _ in range(4)]  # KES 4,400 taken
    for number in numbers[:3]:
        refund(world, number, "1100")
    refund(world, numbers[3], "400")  # KES 3,700 paid back out of the drawer

    report = cashup_for(officer=world.alice, day=DAY)
    assert (report.cash.taken, report.cash.refunded) == (Decimal("4400.00"), Decimal("3700.00"))
    assert report.total == Decimal("700.00")
    ledger_net = sum(row["net"] for row in reports.revenue(first=DAY, last=DAY))
    assert report.total == ledger_net

    sign_in_verified(client, world.alice)
    api = client.get("/api/payments/cashup", {"day": DAY.isoformat()}).json()
    assert (api["taken_kes"], api["refunded_kes"], api["total_kes"]) == (
        "4400.00",
        "3700.00",
        "700.00",
    )
    assert [r["amount_kes"] for r in api["refunds"]] == ["1100.00", "1100.00", "1100.00", "400.00"]
    page = client.get(reverse("payments:cashup"), {"day": DAY.isoformat()}).content.decode()
    assert "KES 700.00 to hand over" in page


def test_a_refund_of_yesterdays_cash_comes_out_of_todays_drawer(world, clock):
    number = take_cash(world, world.alice)
    clock.advance(days=1)
    take_cash(world, world.alice)
    refund(world, number, "40")
    yesterday = cashup_for(officer=world.alice, day=DAY)
    today = cashup_for(officer=world.alice, day=DAY + dt.timedelta(days=1))
    assert yesterday.total == Decimal("100.00")
    assert (today.cash.taken, today.total) == (Decimal("100.00"), Decimal("60.00"))


def test_only_refunds_of_the_officers_own_takings_count(world, clock):
    number = take_cash(world, world.bob)  # the manager took this one at his desk
    take_cash(world, world.alice)
    refund(world, number, "100")
    assert cashup_for(officer=world.alice, day=DAY).total == Decimal("100.00")
    assert cashup_for(officer=world.bob, day=DAY).total == Decimal("0.00")

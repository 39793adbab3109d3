"""A refunded receipt is no longer proof of payment: the public check says "Refunded on <date>"
(and "KES x refunded on <date>" for a part), never "Genuine receipt" for money paid back."""

import datetime as dt

from django.urls import reverse

from huduma.core import clock as huduma_clock
from huduma.ledger import services
from tests.test_ledger_receipts import pay


def refund(world, receipt, amount):
    asked = services.refund_request(
        receipt_number=receipt.number, amount=amount, reason="Not served", by=world.alice
    )
    return services.refund_approve(refund_id=asked.pk, by=world.bob)


def verdict(client, **query) -> str:
    return client.get(reverse("ledger:verify"), query).content.decode()


def test_a_fully_refunded_receipt_reads_refunded(client, world, clock):
    clock.set(dt.datetime(2026, 12, 3, 10, 0, tzinfo=huduma_clock.NAIROBI))
    receipt = pay(world, amount="100.00")
    refund(world, receipt, "100.00")
    for query in ({"number": receipt.number}, {"code": receipt.code}):
        page = verdict(client, **query)
        assert "Refunded on 3 December 2026" in page
        assert "Genuine receipt" not in page


def test_a_partly_refunded_receipt_names_the_amount_and_date(client, world, clock):
    clock.set(dt.datetime(2026, 12, 4, 23, 30, tzinfo=huduma_clock.NAIROBI))
    receipt = pay(world, amount="100.00")
    refund(world, receipt, "40.00")
    page = verdict(client, number=receipt.number)
    assert "Genuine receipt" in page
    assert "KES 40.00 refunded on 4 December 2026." in page  # Nairobi's date, not UTC's
    refund(world, receipt, "60.00")
    page = verdict(client, number=receipt.number)
    assert "Refunded on 4 December 2026" in page and "Genuine receipt" not in page


def test_a_refund_asked_but_not_approved_changes_nothing(client, world):
    receipt = pay(world, amount="100.00")
    services.refund_request(
        receipt_number=receipt.number, amount="100", reason="Not served", by=world.alice
    )
    page = verdict(client, number=receipt.number)
    assert "Genuine receipt" in page and "refunded" not in page.lower()

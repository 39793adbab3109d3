"""One money module (core.money): an amount is read and written one way everywhere."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from huduma.core.money import (
    InvalidAmount,
    csv_amount,
    format_amount,
    format_kes,
    kes,
    parse_kes,
)
from huduma.ledger.models import Receipt, Refund
from huduma.notify.models import Message
from huduma.payments import services as payments
from tests.test_ledger_receipts import pay


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1050", "1050.00"),
        ("1,050.00", "1050.00"),
        (" KES 1,050 ", "1050.00"),
        ("Ksh. 1,050/=", "1050.00"),
        ("Kshs 1050.5", "1050.50"),
        ("sh 1050/-", "1050.00"),
        ("12,345,678.9", "12345678.90"),
        (1050, "1050.00"),
    ],
)
def test_what_a_person_types_in_english_or_swahili_habits_is_read(typed, amount):
    assert parse_kes(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed",
    [
        "1e400",
        "1E3",
        "NaN",
        "Infinity",
        "-100",
        "10.005",
        "1,05",
        "1,0500",
        "10 50",
        "١٠٠",
        "",
        "KES",
        10.5,
        True,
        None,
        "9" * 15,
    ],
)
def test_anything_else_is_refused_naming_the_field(typed):
    with pytest.raises(InvalidAmount) as refused:
        parse_kes(typed, field="fee")
    assert refused.value.field == "fee" and refused.value.status == 400


def test_zero_is_refused_unless_allowed_and_the_column_bounds_the_size():
    with pytest.raises(InvalidAmount, match="more than zero"):
        parse_kes("0")
    assert parse_kes("0", positive=False) == Decimal("0.00")
    assert parse_kes("99999999.99", whole_digits=8) == Decimal("99999999.99")
    with pytest.raises(InvalidAmount):
        parse_kes("100000000", whole_digits=8)  # the column holds 10 digits, 2 after the point


def test_one_written_form_in_both_languages():
    for language in ("en", "sw"):
        with translation.override(language):
            assert format_kes(Decimal(1050)) == "KES 1,050.00"
            assert format_amount("1234567.5") == "1,234,567.50"
            rendered = Template("{% load money %}{{ a|kes }} · {{ a|amount }}").render(
                Context({"a": Decimal(1050)})
            )
            assert rendered == "KES 1,050.00 · 1,050.00"
    assert csv_amount(Decimal(1050)) == "1050.00"  # a number a spreadsheet reads
    assert kes("-5.5") == Decimal("-5.50")


def test_the_catalogue_library_kes_is_the_same_filter():
    rendered = Template("{% load catalogue %}{{ a|kes }}").render(Context({"a": "1050"}))
    assert rendered == "KES 1,050.00"


def test_the_printed_receipt_and_the_payment_sms_say_the_amount_the_same_way(
    client, world, sandbox
):
    world.id_dup.fee_kes = Decimal("1050.00")
    world.id_dup.save()
    invoice = payments.invoice_raise(service=world.id_dup, centre=world.gpo)
    payments.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="1050",
        phone="0712345678",
        idempotency_key="pay-1050",
        actor=world.alice,
    )
    sandbox.deliver()  # the payer enters the PIN; the callback arrives
    receipt = Receipt.objects.get()
    sms = Message.objects.get(template="payment_received").body
    client.force_login(world.bob)
    page = client.get(reverse("ledger:receipt", args=[receipt.number])).content.decode()
    assert "KES 1,050.00" in sms
    assert "KES 1,050.00" in page and "1050.00" not in page.replace(receipt.code, "")


@pytest.mark.parametrize("typed", ["1e400", "NaN", "-1", "10.001", "abc"])
def test_a_refund_of_a_strange_amount_is_a_form_message_not_a_500(client, world, typed):
    receipt = pay(world, amount="100.00")
    client.force_login(world.alice)
    response = client.post(
        reverse("ledger:refunds"),
        {"action": "request", "number": receipt.number, "amount": typed, "reason": "Twice"},
    )
    assert response.status_code == 400
    assert "Enter an amount in shillings." in response.content.decode()
    assert not Refund.objects.exists()

"""One idempotency rule (core.idempotency) for tickets, payments and complaints: the same key
format, and a replay asking for something else refused (409) naming what differs."""

import pytest

from huduma.complaints.services import complaint_lodge
from huduma.core.idempotency import (
    IdempotencyMismatch,
    InvalidIdempotencyKey,
    key_checked,
    replay_check,
    signature,
)
from huduma.payments import services as payments


@pytest.mark.parametrize("key", ["k" * 81, "", "two words", "ufunguo-é", "tab\tkey"])
def test_one_key_format(key):
    with pytest.raises(InvalidIdempotencyKey):
        key_checked(key)
    assert key_checked(None) is None and key_checked("form-1:a/b") == "form-1:a/b"


def test_a_replay_names_the_part_that_differs():
    asked = signature(invoice=7, channel="mpesa", amount="100.00", phone="+254712345678")
    replay_check(asked, asked, parts=("invoice", "channel", "amount", "phone"))
    other = signature(invoice=7, channel="mpesa", amount="100.00", phone="+254700000000")
    with pytest.raises(IdempotencyMismatch, match="the phone differ") as refused:
        replay_check(asked, other, parts=("invoice", "channel", "amount", "phone"))
    assert refused.value.status == 409 and refused.value.field == "idempotency_key"


def test_a_complaint_key_follows_the_same_rule(world, clock):
    with pytest.raises(InvalidIdempotencyKey):
        complaint_lodge(
            channel="web",
            category="service_quality",
            text="Nobody served me.",
            phone="0712345678",
            idempotency_key="two words",
        )


def test_a_payment_replayed_with_another_phone_is_refused_naming_the_phone(world, sandbox):
    invoice = payments.invoice_raise(service=world.id_dup, centre=world.gpo)
    asked = {"invoice": invoice, "channel": "mpesa", "amount": "100", "actor": world.alice}
    first = payments.payment_start(phone="0712345678", idempotency_key="pay-1", **asked)
    again = payments.payment_start(phone="0712345678", idempotency_key="pay-1", **asked)
    assert again.pk == first.pk
    with pytest.raises(IdempotencyMismatch, match="the phone differ"):
        payments.payment_start(phone="0700000001", idempotency_key="pay-1", **asked)

"""Each behaviour of the Daraja sandbox, end to end through the callback URL: the officer
starts an STK push, the sandbox posts Daraja-format callbacks, the payment ends as the payer's
phone decided."""

from decimal import Decimal

import pytest

from huduma.notify.models import Message
from huduma.payments import services
from huduma.payments.models import Payment

S = Payment.Status


def start(world, phone, key="k1"):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    return services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone=phone,
        idempotency_key=key,
        actor=world.alice,
    )


@pytest.mark.parametrize(
    ("phone", "status", "reason"),
    [
        ("0712345678", S.COMPLETED, ""),
        ("0712341032", S.CANCELLED, "cancelled by the payer"),
        ("0712342001", S.FAILED, "wrong PIN"),
        ("0712340001", S.FAILED, "insufficient funds"),
        ("0712341037", S.EXPIRED, "the payer did not answer"),
    ],
)
def test_each_payer_answer_ends_the_payment(world, sandbox, phone, status, reason):
    payment = start(world, phone)
    assert payment.status == S.PENDING
    assert payment.checkout_request_id
    answers = sandbox.deliver()
    assert [a["ResultCode"] for a in answers] == [0]
    payment.refresh_from_db()
    assert payment.status == status
    assert payment.hold_reason == reason
    kinds = list(payment.events.values_list("kind", flat=True))
    assert kinds == ["started", "push_accepted", "callback_received", "callback"]


def test_success_records_the_receipt_and_texts_the_citizen(world, sandbox):
    payment = start(world, "0712345678")
    sandbox.deliver()
    payment.refresh_from_db()
    assert payment.amount_paid_kes == Decimal("100.00")
    assert payment.provider_receipt.startswith("SBX")
    sms = Message.objects.get(to="+254712345678")
    # The SMS names our receipt, which anyone can check on the public verification page.
    from huduma.ledger.models import Receipt

    receipt = Receipt.objects.get(entry__payment_id=str(payment.pk))
    assert receipt.number in sms.body
    assert "KES 100.00" in sms.body


def test_duplicate_callback_credits_once(world, sandbox):
    payment = start(world, "0712340202")
    answers = sandbox.deliver()
    assert [a["outcome"] for a in answers] == ["completed", "completed"]  # the stored answer
    payment.refresh_from_db()
    assert payment.status == S.COMPLETED
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1
    assert payment.events.filter(kind="callback").count() == 1


def test_late_callback_still_completes_a_pending_payment(world, sandbox):
    payment = start(world, "0712340303")
    assert sandbox.deliver(late=False) == []
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    sandbox.deliver(late=True)
    payment.refresh_from_db()
    assert payment.status == S.COMPLETED


def test_no_callback_leaves_the_payment_pending(world, sandbox):
    payment = start(world, "0712340404")
    assert sandbox.deliver() == []
    payment.refresh_from_db()
    assert payment.status == S.PENDING

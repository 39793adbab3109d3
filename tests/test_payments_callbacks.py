"""Callbacks are hints until they match: replayed, forged, mismatched, early or unknown
callbacks never credit twice or at all, and each outcome is recorded."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from huduma.notify.models import InboundWebhook
from huduma.payments import services
from huduma.payments.models import Payment
from huduma.payments.providers import stk_callback_body
from tests.conftest import require_postgres

S = Payment.Status


@pytest.fixture
def pending(world, sandbox):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    payment = services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="k1",
        actor=world.alice,
    )
    sandbox.sent.clear()  # the test posts its own callbacks
    return payment


def body_for(payment, *, amount="100", phone="254712345678", code=0, receipt="QAB1234XYZ"):
    return stk_callback_body(
        merchant_request_id=payment.merchant_request_id,
        checkout_request_id=payment.checkout_request_id,
        result_code=code,
        result_desc="ok" if code == 0 else "refused",
        amount=Decimal(amount),
        receipt=receipt,
        phone=phone,
    )


def post(client, secret, body):
    response = client.post(
        f"/api/payments/mpesa/callback/{secret}", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["ResultCode"] == 0
    return response.json()["outcome"]


def test_genuine_callback_completes(client, pending):
    assert post(client, pending.callback_secret, body_for(pending)) == "completed"
    pending.refresh_from_db()
    assert pending.status == S.COMPLETED
    assert pending.provider_receipt == "QAB1234XYZ"


def test_replayed_callback_credits_once(client, pending):
    body = body_for(pending)
    outcomes = [post(client, pending.callback_secret, body) for _ in range(3)]
    assert outcomes == ["completed"] * 3
    assert pending.events.filter(kind="callback").count() == 1
    assert InboundWebhook.objects.filter(provider="mpesa").count() == 1


def test_forged_callback_with_a_wrong_secret_credits_nothing(client, pending):
    assert post(client, "guessed-secret", body_for(pending)) == "forged"
    pending.refresh_from_db()
    assert pending.status == S.PENDING
    assert pending.events.filter(kind="callback_forged").count() == 1
    # ...and it did not take the genuine callback's place.
    assert post(client, pending.callback_secret, body_for(pending)) == "completed"


def test_callback_for_an_unknown_request_is_recorded_and_credits_nothing(client, pending):
    body = body_for(pending)
    body["Body"]["stkCallback"]["CheckoutRequestID"] = "ws_CO_never_sent"
    assert post(client, pending.callback_secret, body) == "unknown_request"
    assert InboundWebhook.objects.get(provider="mpesa").outcome == {"outcome": "unknown_request"}
    assert Payment.objects.filter(status=S.COMPLETED).count() == 0


def test_callback_before_the_request_is_stored_is_settled_by_the_mop_up(
    client, world, sandbox, clock
):
    """The callback overtakes the save of the CheckoutRequestID: recorded as unknown; the
    mop-up's STK query settles the payment."""
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    payment = services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="k1",
        actor=world.alice,
    )
    checkout = payment.checkout_request_id
    Payment.objects.filter(pk=payment.pk).update(checkout_request_id=None)
    assert [a["outcome"] for a in sandbox.deliver()] == ["unknown_request"]
    Payment.objects.filter(pk=payment.pk).update(checkout_request_id=checkout)
    clock.advance(minutes=4)
    services.payments_mop_up()
    payment.refresh_from_db()
    assert payment.status == S.COMPLETED


@pytest.mark.parametrize(
    ("amount", "phone", "reason"),
    [
        ("10", "254712345678", "amount differs from the invoice"),
        ("100", "254722000000", "phone differs from the request"),
    ],
)
def test_mismatched_callback_is_held_and_flagged(client, pending, amount, phone, reason):
    outcome = post(client, pending.callback_secret, body_for(pending, amount=amount, phone=phone))
    assert outcome == "held"
    pending.refresh_from_db()
    assert pending.status == S.HELD
    assert pending.hold_reason == reason
    assert pending.amount_paid_kes == Decimal(amount)


def test_second_success_for_a_paid_invoice_is_held(client, world, pending):
    services.payment_cash_record(invoice=pending.invoice, amount="100", officer=world.alice)
    assert post(client, pending.callback_secret, body_for(pending)) == "held"
    pending.refresh_from_db()
    assert pending.hold_reason == "invoice already paid"
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1


def test_callback_that_is_not_daraja_json_is_refused(client, pending):
    response = client.post(
        f"/api/payments/mpesa/callback/{pending.callback_secret}",
        {"Body": {"something": 1}},
        content_type="application/json",
    )
    assert response.status_code == 422


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_callbacks_credit_once(world):
    require_postgres()
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    payment = services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="k1",
        actor=world.alice,
    )
    body = body_for(payment)
    barrier = threading.Barrier(12)
    outcomes = []

    def send():
        try:
            Payment.objects.exists()  # connect first, so that the callbacks really overlap
            barrier.wait()
            outcomes.append(
                services.mpesa_callback_receive(secret=payment.callback_secret, body=body)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 12
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1
    assert payment.events.filter(kind="callback").count() == 1

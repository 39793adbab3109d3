"""Callbacks are hints until they match: replayed, forged, mismatched, early or unknown
callbacks never credit twice or at all, and each outcome is recorded."""

import hashlib
import threading
from decimal import Decimal

import pytest
from django.db import connection

from huduma.ledger.models import Entry, Receipt
from huduma.notify.models import InboundWebhook
from huduma.payments import services
from huduma.payments.models import Payment
from huduma.payments.providers import stk_callback_body
from tests.conftest import callback_outcome, require_postgres

S = Payment.Status


@pytest.fixture
def pending(world, sandbox):
    return start(world, sandbox, "0712345678")


def start(world, sandbox, phone):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    payment = services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone=phone,
        idempotency_key="k1",
        actor=world.alice,
    )
    sandbox.sent.clear()  # the test posts its own callbacks
    return payment


def secret_of(payment):
    """The secret of the payment's callback URL, as Daraja got it (we keep only its hash)."""
    return SECRETS[payment.checkout_request_id]


SECRETS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _remember_secrets(monkeypatch):
    """Keep each push's callback URL secret as Daraja received it (only its hash is stored)."""
    from huduma.payments.providers import SandboxDaraja

    real = SandboxDaraja.stk_push

    def push(self, *, phone, amount, reference, callback_url):
        accepted = real(
            self, phone=phone, amount=amount, reference=reference, callback_url=callback_url
        )
        SECRETS[accepted.checkout_request_id] = callback_url.rsplit("/", 1)[1]
        return accepted

    monkeypatch.setattr(SandboxDaraja, "stk_push", push)


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
    url = f"/api/payments/mpesa/callback/{secret}"
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    # The same answer whatever happened: it tells nobody which requests exist.
    assert response.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    return callback_outcome(url, body)


def test_genuine_callback_completes_once_the_stk_query_confirms(client, pending):
    assert post(client, secret_of(pending), body_for(pending)) == "completed"
    pending.refresh_from_db()
    assert pending.status == S.COMPLETED
    # The receipt number is the callback's (the STK query gives none).
    assert pending.provider_receipt == "QAB1234XYZ"
    assert Receipt.objects.get().entry.reference == "QAB1234XYZ"


def test_a_callback_with_the_right_secret_but_no_confirming_query_completes_nothing(
    client, world, sandbox, clock
):
    """The request's own secret and a success body, but Daraja's STK query does not confirm
    (the payer never answered): no payment, no receipt, no ledger entry."""
    payment = start(world, sandbox, "0712340505")
    body = body_for(payment, receipt="NOMONEY001", phone="254712340505")
    assert post(client, secret_of(payment), body) == "pending"
    payment.refresh_from_db()
    assert (payment.status, payment.provider_receipt) == (S.PENDING, "")
    assert not Entry.objects.exists() and not Receipt.objects.exists()
    clock.advance(minutes=11)
    services.payments_mop_up()
    payment.refresh_from_db()
    assert payment.status == S.EXPIRED
    assert not Entry.objects.exists() and not Receipt.objects.exists()


def test_a_success_callback_the_query_contradicts_ends_as_the_query_says(client, world, sandbox):
    payment = start(world, sandbox, "0712341032")  # the payer cancelled, says M-Pesa
    body = body_for(payment, receipt="NOMONEY001", phone="254712341032")
    assert post(client, secret_of(payment), body) == "cancelled"
    payment.refresh_from_db()
    assert payment.status == S.CANCELLED
    assert not Receipt.objects.exists()


def test_replayed_callback_credits_once(client, pending):
    body = body_for(pending)
    outcomes = [post(client, secret_of(pending), body) for _ in range(3)]
    assert outcomes == ["completed"] * 3
    assert pending.events.filter(kind="callback").count() == 1
    assert InboundWebhook.objects.filter(provider="mpesa").count() == 1


def test_forged_callback_with_a_wrong_secret_credits_nothing(client, pending):
    assert post(client, "guessed-secret", body_for(pending)) == "forged"
    pending.refresh_from_db()
    assert pending.status == S.PENDING
    assert pending.events.filter(kind="callback_forged").count() == 1
    # ...and it did not take the genuine callback's place.
    assert post(client, secret_of(pending), body_for(pending)) == "completed"


def test_the_secret_is_stored_only_as_its_hash(pending):
    secret = secret_of(pending)
    assert pending.callback_secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = Payment.objects.filter(pk=pending.pk).values().get()
    assert not any(secret in str(value) for value in row.values())


def test_callback_for_an_unknown_request_is_recorded_and_credits_nothing(client, pending):
    body = body_for(pending)
    body["Body"]["stkCallback"]["CheckoutRequestID"] = "ws_CO_never_sent"
    assert post(client, secret_of(pending), body) == "unknown_request"
    hook = InboundWebhook.objects.get(provider="mpesa")
    assert hook.outcome == {"outcome": "unknown_request"}
    assert hook.payload == body  # kept as sent
    assert Payment.objects.filter(status=S.COMPLETED).count() == 0


def test_callback_before_the_request_is_stored_is_settled_by_the_mop_up(
    client, world, sandbox, clock
):
    """The callback overtakes the save of the CheckoutRequestID: recorded as unknown; the
    mop-up's STK query settles the payment, with the receipt of that callback, kept."""
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
    assert payment.provider_receipt.startswith("SBX")


@pytest.mark.parametrize(("amount", "phone"), [("10", "254712345678"), ("100", "254722000000")])
def test_the_callback_claims_are_not_believed(client, pending, amount, phone):
    """Amount and phone are the request's (an STK push is paid for its amount or not at all);
    what the callback claimed is kept in the event."""
    post(client, secret_of(pending), body_for(pending, amount=amount, phone=phone))
    pending.refresh_from_db()
    assert pending.status == S.COMPLETED
    assert pending.amount_paid_kes == Decimal("100.00")
    event = pending.events.get(kind="callback")
    assert (event.detail["claimed_amount"], event.detail["claimed_phone"]) == (
        f"{Decimal(amount):.2f}",
        phone,
    )


def test_second_success_for_a_paid_invoice_is_held_in_suspense(client, world, pending):
    services.payment_cash_record(invoice=pending.invoice, amount="100", officer=world.alice)
    assert post(client, secret_of(pending), body_for(pending)) == "held"
    pending.refresh_from_db()
    assert pending.hold_reason == "invoice already paid"
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1
    held = Entry.objects.get(kind="held", payment_id=str(pending.pk))
    assert {(p.account, p.credit) for p in held.postings.all() if p.credit} == {
        ("suspense:held:gpo-nairobi", Decimal("100.00"))
    }


def test_a_late_success_after_a_cancel_is_held_with_its_body(client, world, sandbox):
    payment = start(world, sandbox, "0712341032")
    cancel = body_for(payment, code=1032)
    assert post(client, secret_of(payment), cancel) == "cancelled"
    late = body_for(payment, receipt="QLATE00001", phone="254712341032")
    assert post(client, secret_of(payment), late) == "held_late"
    payment.refresh_from_db()
    assert payment.status == S.HELD
    assert payment.hold_reason.startswith("paid after the request had ended (cancelled)")
    event = payment.events.get(kind="callback_late")
    assert event.detail["body"] == late
    # Both bodies are kept, each as it came.
    kept = InboundWebhook.objects.filter(provider="mpesa", kind="stk")
    assert sorted(h.payload["Body"]["stkCallback"]["ResultCode"] for h in kept) == [0, 1032]


def test_callback_that_is_not_daraja_json_is_refused(client, pending):
    response = client.post(
        f"/api/payments/mpesa/callback/{secret_of(pending)}",
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
            outcomes.append(services.mpesa_callback_receive(secret=secret_of(payment), body=body))
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

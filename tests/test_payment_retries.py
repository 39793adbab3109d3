"""Retries that tell the truth: a payment start whose push could not be sent (the broker or the
cache away) is a 503 that says so, never a 500; the same Idempotency-Key then sends the push,
never answers "pending" for a push that was never sent. With the broker away the sandbox's
push still goes out (its callback is the mop-up's to settle)."""

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from huduma.payments import providers
from huduma.payments import services as payments
from huduma.payments.models import Payment

pytestmark = pytest.mark.django_db


def start(client, invoice, key="retry-1"):
    return client.post(
        f"/api/payments/invoices/{invoice.pk}/payments",
        {"channel": "mpesa", "amount": "100.00", "phone": "0712345678"},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


@pytest.fixture
def invoice(world, sandbox):
    return payments.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)


def test_a_push_not_sent_is_a_503_and_the_same_key_sends_it(client, world, invoice, monkeypatch):
    client.force_login(world.alice)
    pushes = []
    real_push = providers.SandboxDaraja.stk_push

    def broker_away(self, **kwargs):
        raise RedisConnectionError("Error 111 connecting to cache.internal:6379")

    monkeypatch.setattr(providers.SandboxDaraja, "stk_push", broker_away)
    client.raise_request_exception = False
    response = start(client, invoice)
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "push_not_sent"
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING and not payment.checkout_request_id

    def counted(self, **kwargs):
        pushes.append(kwargs["phone"])
        return real_push(self, **kwargs)

    monkeypatch.setattr(providers.SandboxDaraja, "stk_push", counted)
    response = start(client, invoice)  # the same key, the broker back
    assert response.status_code == 201, response.content
    payment.refresh_from_db()
    assert payment.checkout_request_id and len(pushes) == 1
    assert start(client, invoice).status_code == 201 and len(pushes) == 1  # sent once


def test_with_the_broker_away_the_sandbox_push_is_not_a_500(
    client, world, invoice, settings, monkeypatch
):
    settings.PAYMENTS_SANDBOX_DELIVERY = "task"

    def broker_away(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to cache.internal:6379")

    monkeypatch.setattr(providers.sandbox_callback_post_task, "schedule", broker_away)
    client.force_login(world.alice)
    response = start(client, invoice, key="retry-2")
    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING and payment.checkout_request_id

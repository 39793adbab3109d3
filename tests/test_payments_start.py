"""Starting a payment over the API: the invoice is the official fee, the Idempotency-Key makes
a double click one STK push, and bad amounts are refused naming the field."""

import pytest

from huduma.payments.models import Invoice, Payment
from tests.conftest import sign_in_verified


@pytest.fixture
def officer(client, world):
    sign_in_verified(client, world.alice)
    return client


@pytest.fixture
def invoice(officer, world):
    response = officer.post(
        "/api/payments/invoices",
        {"service": world.id_dup.code, "centre": world.gpo.code},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount_kes"] == "100.00"
    return Invoice.objects.get(pk=response.json()["id"])


def pay(client, invoice, key="key-1", **fields):
    body = {"channel": "mpesa", "amount": "100.00", "phone": "0712345678", **fields}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/api/payments/invoices/{invoice.pk}/payments",
        body,
        content_type="application/json",
        **headers,
    )


def test_invoice_is_the_official_fee_when_raised(officer, world, invoice):
    world.id_dup.fee_kes = "150.00"
    world.id_dup.save()
    assert str(Invoice.objects.get(pk=invoice.pk).amount_kes) == "100.00"
    response = officer.post(
        "/api/payments/invoices",
        {"service": world.id_dup.code, "centre": world.gpo.code},
        content_type="application/json",
    )
    assert response.json()["amount_kes"] == "150.00"


def test_free_service_has_no_invoice(officer, world):
    response = officer.post(
        "/api/payments/invoices",
        {"service": world.nhif_reg.code, "centre": world.gpo.code},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "service"


def test_double_click_sends_one_push(officer, invoice, sandbox):
    first = pay(officer, invoice)
    second = pay(officer, invoice)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Payment.objects.count() == 1
    assert len(sandbox.sent) == 1


def test_same_key_different_request_is_409(officer, invoice, sandbox):
    assert pay(officer, invoice).status_code == 201
    response = pay(officer, invoice, phone="0722000000")
    assert response.status_code == 409
    assert response.json()["field"] == "idempotency_key"


def test_another_key_while_a_push_is_waiting_is_409(officer, invoice, sandbox):
    assert pay(officer, invoice).status_code == 201
    response = pay(officer, invoice, key="key-2")
    assert response.status_code == 409
    assert response.json()["code"] == "payment_in_progress"


def test_a_key_is_required(officer, invoice, sandbox):
    response = pay(officer, invoice, key=None)
    assert response.status_code == 400
    assert response.json()["field"] == "idempotency_key"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "status"),
    [
        (100.0, 422),
        (100, 422),
        ("1e2", 400),
        ("100.001", 400),
        ("abc", 400),
        ("-100", 400),
        ("0", 400),
        ("0.00", 400),
        ("NaN", 400),
        ("99.99", 400),
        ("1000000000000", 400),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(officer, invoice, sandbox, amount, status):
    response = pay(officer, invoice, amount=amount)
    assert response.status_code == status, response.content
    assert response.json()["field"] == "amount"
    assert Payment.objects.count() == 0
    assert sandbox.sent == []


def test_officer_of_another_centre_cannot_take_payment(client, world, invoice, sandbox):
    sign_in_verified(client, world.charlie)
    assert pay(client, invoice).status_code == 403

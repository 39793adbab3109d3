"""Cash at the counter: the officer records the official fee, and the day's cash-up counts it."""

import datetime as dt

from huduma.payments import services
from huduma.payments.cashup import cashup_for
from tests.conftest import sign_in_verified


def test_cash_counts_in_the_officers_cash_up(client, world, clock):
    for _ in range(3):
        invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
        sign_in_verified(client, world.alice)
        response = client.post(
            f"/api/payments/invoices/{invoice.pk}/cash",
            {"amount": "100.00"},
            content_type="application/json",
        )
        assert response.status_code == 201
        assert response.json()["status"] == "completed"
    clock.advance(days=1)
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    services.payment_cash_record(invoice=invoice, amount="100", officer=world.alice)

    sign_in_verified(client, world.alice)
    response = client.get("/api/payments/cashup", {"day": "2026-11-24"})
    assert response.status_code == 200
    report = response.json()
    assert (report["officer"], report["count"], report["total_kes"]) == ("alice", 3, "300.00")
    assert cashup_for(officer=world.alice, day=dt.date(2026, 11, 25)).count == 1


def test_cash_other_than_the_fee_is_refused(client, world):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    sign_in_verified(client, world.alice)
    response = client.post(
        f"/api/payments/invoices/{invoice.pk}/cash",
        {"amount": "1000"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "amount"


def test_an_invoice_is_paid_in_cash_once(client, world):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    sign_in_verified(client, world.alice)
    url = f"/api/payments/invoices/{invoice.pk}/cash"
    assert client.post(url, {"amount": "100"}, content_type="application/json").status_code == 201
    second = client.post(url, {"amount": "100"}, content_type="application/json")
    assert second.status_code == 409


def test_manager_sees_an_officers_cash_up_but_officers_see_only_their_own(client, world):
    sign_in_verified(client, world.bob)
    assert client.get("/api/payments/cashup", {"officer": "alice"}).status_code == 200
    sign_in_verified(client, world.charlie)
    assert client.get("/api/payments/cashup", {"officer": "alice"}).status_code == 403

"""The paybill's C2B confirmations: stored once by M-Pesa's transaction id however often (or
however concurrently) Safaricom posts them, malformed ones refused naming the field with
nothing written, and M-Pesa codes taken offline verified against them on Daraja."""

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from mpesakit.auth.token_manager import TokenManager
from mpesakit.http_client.mpesa_http_client import MpesaHttpClient

from huduma.core import clock
from huduma.notify.models import InboundWebhook
from huduma.payments import services
from huduma.payments.models import PaybillTransaction, Payment
from huduma.payments.providers import c2b_confirmation_body
from tests.conftest import require_postgres, sign_in_verified

pytestmark = pytest.mark.django_db

URL = "/api/payments/c2b/testc2bsecret"  # settings_test's MPESA_C2B_SECRET
PAID = dt.datetime(2026, 11, 26, 9, 15, 30, tzinfo=clock.NAIROBI)


def confirmation(**changes) -> dict:
    body = c2b_confirmation_body(
        trans_id="TKQ1AB2CD3", amount=Decimal(100), when=PAID, msisdn="254712345678"
    )
    body.update(changes)
    return body


def post(client, body, path="confirmation", url=URL):
    return client.post(f"{url}/{path}", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def daraja(settings):
    """The production provider (its network calls are never made: codes are checked against
    the stored confirmations)."""
    settings.MPESA_PROVIDER = "daraja"
    settings.MPESA_CONSUMER_KEY = settings.MPESA_CONSUMER_SECRET = "test"
    settings.MPESA_SHORTCODE = "600000"
    return settings


def test_a_confirmation_is_stored_once_and_accepted(client):
    first = post(client, confirmation())
    assert first.status_code == 200, first.content
    assert first.json() == {"ResultCode": 0, "ResultDesc": "Accepted", "outcome": "stored"}
    again = post(client, confirmation())  # Safaricom retries when it missed our answer
    assert again.status_code == 200 and again.json()["ResultCode"] == 0
    row = PaybillTransaction.objects.get()
    assert row.trans_id == "TKQ1AB2CD3"
    assert row.amount_kes == Decimal("100.00")
    assert row.paid_at == PAID and row.paid_at.tzinfo is not None
    assert row.short_code == "600000"
    assert row.payer == "+254712345678"  # given in full: kept in E.164
    assert InboundWebhook.objects.filter(kind="c2b").count() == 1
    assert "254712345678" not in json.dumps(InboundWebhook.objects.get().payload)


def test_a_hashed_payer_is_kept_as_given_and_never_compared(client, daraja, world):
    hashed = "a" * 64  # Daraja's newer versions send a SHA-256 of the number
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    post(
        client,
        confirmation(MSISDN=hashed, TransAmount=100, BillRefNumber=invoice.account_reference),
    )
    assert PaybillTransaction.objects.get().payer == hashed
    payment = services.payment_mpesa_code_record(
        invoice=invoice, code="TKQ1AB2CD3", amount="100.00", officer=world.alice, phone="0712000111"
    )
    assert services.payment_mpesa_code_verify(payment=payment).outcome == "matched"


def test_a_confirmation_with_the_wrong_secret_is_not_found(client):
    response = post(client, confirmation(), url="/api/payments/c2b/guessed")
    assert response.status_code == 404
    assert response.json()["field"] == "secret"
    assert not PaybillTransaction.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"TransID": None}, "TransID", 422),
        ({"TransID": "not an id!"}, "TransID", 400),
        ({"TransTime": "2026-11-26 09:15"}, "TransTime", 400),
        ({"TransTime": "20261399251530"}, "TransTime", 400),
        ({"TransAmount": "abc"}, "TransAmount", 400),
        ({"TransAmount": "0"}, "TransAmount", 400),
        ({"TransAmount": "-100"}, "TransAmount", 400),
        ({"TransAmount": [100]}, "TransAmount", 422),
        ({"BusinessShortCode": "paybill"}, "BusinessShortCode", 400),
        ({"BillRefNumber": "x" * 41}, "BillRefNumber", 422),
    ],
)
def test_a_malformed_confirmation_is_refused_naming_the_field(client, changes, field, status):
    body = {k: v for k, v in confirmation(**changes).items() if v is not None}
    response = post(client, body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert not PaybillTransaction.objects.exists()
    assert not InboundWebhook.objects.exists()


def test_a_payment_to_another_paybill_is_refused(client, daraja):
    response = post(client, confirmation(BusinessShortCode="999999"))
    assert response.status_code == 400
    assert response.json()["field"] == "BusinessShortCode"
    assert not PaybillTransaction.objects.exists()
    validation = post(client, confirmation(BusinessShortCode="999999"), path="validation")
    assert validation.json()["ResultCode"] == "C2B00015"
    ok = post(client, confirmation(), path="validation")
    assert ok.json() == {"ResultCode": "0", "ResultDesc": "Accepted", "outcome": "accepted"}
    assert not PaybillTransaction.objects.exists()  # validation stores nothing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_delivery_at_the_same_instant_is_stored_once():
    require_postgres()
    barrier = threading.Barrier(2)
    answers = []

    def deliver():
        try:
            PaybillTransaction.objects.exists()  # connect first, so that the two really overlap
            barrier.wait()
            answers.append(services.c2b_confirmation_receive(body=confirmation()))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [{"outcome": "stored"}, {"outcome": "stored"}]
    assert PaybillTransaction.objects.count() == 1
    assert InboundWebhook.objects.filter(kind="c2b").count() == 1


def _code(world, code="TKQ1AB2CD3", amount="100.00", started_at=None):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    return services.payment_mpesa_code_record(
        invoice=invoice, code=code, amount=amount, officer=world.alice, now=started_at
    )


def test_an_offline_code_is_verified_against_the_stored_confirmation(client, daraja, world):
    payment = _code(world)
    post(client, confirmation(BillRefNumber=payment.invoice.account_reference))
    check = services.payment_mpesa_code_verify(payment=payment)
    assert check.outcome == "matched"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert payment.amount_paid_kes == Decimal("100.00")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"BillRefNumber": "ANOTHER001"}, "paid to account ANOTHER001, not {ref}"),
        ({"BillRefNumber": ""}, "paid to account (none), not {ref}"),
        ({"BusinessShortCode": "700000"}, "paid to another paybill"),
    ],
)
def test_an_offline_code_paid_to_another_account_or_paybill_pays_nothing(
    client, daraja, world, changes, reason
):
    """A C2B payment matches an invoice on the paybill, the account number and the amount."""
    payment = _code(world)
    ref = payment.invoice.account_reference
    PaybillTransaction.objects.create(
        trans_id="TKQ1AB2CD3",
        amount_kes=Decimal("100.00"),
        paid_at=PAID,
        short_code=changes.get("BusinessShortCode", "600000"),
        bill_ref=changes.get("BillRefNumber", ref),
        received_at=PAID,
    )
    check = services.payment_mpesa_code_verify(payment=payment)
    assert (check.outcome, check.detail) == ("mismatch", reason.format(ref=ref))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.HELD


def test_an_offline_code_for_another_amount_is_flagged(client, daraja, world):
    post(client, confirmation(TransAmount="50.00"))
    payment = _code(world)
    check = services.payment_mpesa_code_verify(payment=payment)
    assert check.outcome == "mismatch"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.HELD
    assert payment.hold_reason == "M-Pesa says KES 50.00, recorded 100.00"


def test_a_code_not_confirmed_yet_stays_held_then_is_flagged_after_the_wait(client, daraja, world):
    payment = _code(world)
    check = services.payment_mpesa_code_verify(payment=payment)
    assert (check.outcome, check.detail) == (
        "not_found",
        "no M-Pesa confirmation for this code yet",
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.HELD
    later = payment.started_at + services.CODE_CONFIRMATION_WAIT
    check = services.payment_mpesa_code_verify(payment=payment, now=later)
    assert (check.outcome, check.detail) == ("not_found", "M-Pesa does not know this code")


def test_without_c2b_daraja_cannot_say_a_code_is_unknown(daraja, world):
    daraja.MPESA_C2B_SECRET = ""
    payment = _code(world)
    assert services.payment_mpesa_code_verify(payment=payment).outcome == "unavailable"


def test_registering_the_urls_sends_them_to_daraja(daraja, monkeypatch, capsys):
    daraja.PUBLIC_URL = "https://huduma.example.go.ke"
    sent = []

    def fake_post(self, url, json, headers, **kwargs):
        sent.append((url, json))
        return {"OriginatorCoversationID": "1", "ResponseCode": "0", "ResponseDescription": "ok"}

    monkeypatch.setattr(TokenManager, "get_token", lambda self, force_refresh=False: "token")
    monkeypatch.setattr(MpesaHttpClient, "post", fake_post)
    call_command("c2b_register_urls")
    base = "https://huduma.example.go.ke/api/payments/c2b/testc2bsecret"
    assert sent == [
        (
            "/mpesa/c2b/v1/registerurl",
            {
                "ShortCode": 600000,
                "ResponseType": "Completed",
                "ConfirmationURL": f"{base}/confirmation",
                "ValidationURL": f"{base}/validation",
            },
        )
    ]
    assert "testc2bsecret" not in capsys.readouterr().out


def test_the_refusal_is_in_swahili_when_asked(client):
    response = client.post(
        f"{URL}/confirmation",
        data=json.dumps(confirmation(TransTime="jana")),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="sw",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Huu si wakati sahihi (YYYYMMDDHHmmss)."


def test_the_admin_lists_confirmations_read_only_without_the_payer(client, world):
    post(client, confirmation())
    sign_in_verified(client, world.sam)
    page = client.get("/admin/payments/paybilltransaction/")
    assert page.status_code == 200
    assert b"TKQ1AB2CD3" in page.content and b"254712345678" not in page.content
    assert client.get("/admin/payments/paybilltransaction/add/").status_code == 403

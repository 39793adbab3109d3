"""Card payments through Pesapal API 3.0 (its test mode, served by tests/pesapal_fake.py):
off until configured; a card payment completes only on Pesapal's own status answer, fetched by
us (the IPN is a hint, the payer's return proves nothing); it counts in the officer's cash-up
(on its own line), the revenue report and the reconciliation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from huduma.ledger import reports
from huduma.ledger.models import Entry
from huduma.notify.models import InboundWebhook
from huduma.payments import providers, services
from huduma.payments.cashup import cashup_for
from huduma.payments.models import Invoice, Payment
from tests.conftest import sign_in_verified
from tests.pesapal_fake import KEY, SECRET, FakePesapal

DAY = dt.date(2026, 11, 24)


@pytest.fixture
def pesapal(settings):
    fake = FakePesapal()
    settings.CARD_PROVIDER = "pesapal"
    settings.PESAPAL_ENVIRONMENT = "sandbox"
    settings.PESAPAL_BASE_URL = fake.url
    settings.PESAPAL_CONSUMER_KEY, settings.PESAPAL_CONSUMER_SECRET = KEY, SECRET
    providers.Pesapal._token = None
    settings.PESAPAL_IPN_ID = providers.Pesapal().register_ipn(url="https://huduma.example/ipn")
    yield fake
    providers.Pesapal._token = None
    fake.close()


@pytest.fixture
def officer(client, world):
    sign_in_verified(client, world.alice)
    return client


@pytest.fixture
def invoice(world):
    return services.invoice_raise(service=world.id_dup, centre=world.gpo)


def pay_by_card(client, invoice, key="card-1", phone="0712345678"):
    return client.post(
        f"/api/payments/invoices/{invoice.pk}/payments",
        {"channel": "card", "amount": "100.00", "phone": phone},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_card_is_off_until_configured(officer, invoice, settings):
    settings.CARD_PROVIDER = ""
    response = pay_by_card(officer, invoice)
    assert response.status_code == 400 and response.json()["field"] == "channel"
    assert Payment.objects.count() == 0


def test_a_card_payment_completes_only_on_pesapals_status(officer, invoice, pesapal, clock):
    response = pay_by_card(officer, invoice)
    assert response.status_code == 201, response.content
    started = response.json()
    assert started["status"] == "pending"
    assert started["card_page"].startswith("https://cybqa.pesapal.com/pesapaliframe/")
    order = pesapal.only_order()
    payment = Payment.objects.get()
    assert order.reference == payment.pk.hex and order.amount == Decimal("100.00")

    # An IPN (or a forged one) before the payer paid: Pesapal says INVALID, nothing moves.
    assert pesapal.ipn(officer, order.tracking_id)["status"] == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not Entry.objects.exists()

    code = pesapal.pay(order.tracking_id)
    answer = pesapal.ipn(officer, order.tracking_id)
    assert answer == {
        "orderNotificationType": "IPNCHANGE",
        "orderTrackingId": order.tracking_id,
        "orderMerchantReference": order.reference,
        "status": 200,
    }
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED and payment.provider_receipt == code
    entry = Entry.objects.get(payment_id=str(payment.pk))
    assert (entry.method, entry.reference, entry.amount) == ("card", code, Decimal("100.00"))
    assert entry.receipt.number.startswith("HR-")
    # The same IPN again is kept once and credits nothing twice.
    pesapal.ipn(officer, order.tracking_id)
    assert Entry.objects.count() == 1
    assert InboundWebhook.objects.filter(provider="pesapal").count() == 2  # INVALID, COMPLETED


def test_an_ipn_for_an_unknown_order_is_answered_alike_and_kept(officer, pesapal):
    answer = pesapal.ipn(officer, "7e6b62d9-883e-440f-a63e-e1105bbfadc3")
    assert answer["status"] == 200
    assert pesapal.status_queries == 0  # a stranger's id does not make us call Pesapal
    assert InboundWebhook.objects.get(provider="pesapal").outcome == {"outcome": "unknown_order"}


def test_a_declined_card_fails_with_pesapals_reason(officer, invoice, pesapal):
    pay_by_card(officer, invoice)
    order = pesapal.only_order()
    pesapal.decline(order.tracking_id)
    pesapal.ipn(officer, order.tracking_id)
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.FAILED
    assert "Unable to Authorize" in payment.hold_reason


def test_a_different_amount_is_held_not_credited(officer, invoice, pesapal):
    pay_by_card(officer, invoice)
    order = pesapal.only_order()
    pesapal.pay(order.tracking_id, amount="10.00")
    pesapal.ipn(officer, order.tracking_id)
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.HELD
    assert payment.hold_reason == "amount differs from the invoice"
    # No fee is paid (no receipt); the money is in the centre's suspense account.
    assert not Entry.objects.filter(kind=Entry.Kind.PAYMENT).exists()
    held = Entry.objects.get(kind=Entry.Kind.HELD)
    assert (held.method, held.amount) == ("card", Decimal("10.00"))


def test_the_mop_up_settles_a_card_order_whose_ipn_never_came(officer, invoice, pesapal, clock):
    pay_by_card(officer, invoice)
    order = pesapal.only_order()
    pesapal.pay(order.tracking_id)
    assert services.card_payments_mop_up() == 0  # too early to ask
    clock.advance(minutes=3)
    assert services.card_payments_mop_up() == 1
    assert Payment.objects.get().status == Payment.Status.COMPLETED


def test_an_unpaid_order_expires_and_a_late_payment_is_held(officer, invoice, pesapal, clock):
    pay_by_card(officer, invoice)
    order = pesapal.only_order()
    clock.advance(minutes=31)
    services.card_payments_mop_up()
    assert Payment.objects.get().status == Payment.Status.EXPIRED
    pesapal.pay(order.tracking_id)
    pesapal.ipn(officer, order.tracking_id)
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.HELD
    assert payment.hold_reason == "paid after the request had ended"


def test_pesapal_unreachable_fails_the_start_with_a_502(officer, invoice, pesapal):
    pesapal.down = True
    response = pay_by_card(officer, invoice)
    assert response.status_code == 502
    assert Payment.objects.get().status == Payment.Status.FAILED


def test_card_counts_in_the_cash_up_revenue_and_reconciliation(client, world, pesapal, clock):
    sign_in_verified(client, world.alice)
    codes = []
    for n in range(2):
        invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
        pay_by_card(client, invoice, key=f"card-{n}")
        order = next(o for o in pesapal.orders.values() if o.reference not in codes)
        codes.append(order.reference)
        pesapal.pay(order.tracking_id)
        pesapal.ipn(client, order.tracking_id)
    cash = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    services.payment_cash_record(invoice=cash, amount="100", officer=world.alice)

    report = cashup_for(officer=world.alice, day=DAY)
    assert (report.card.count, report.card.taken) == (2, Decimal("200.00"))
    assert report.total == Decimal("100.00")  # card is not cash in the drawer
    page = client.get(reverse("payments:cashup"), {"day": DAY.isoformat()}).content.decode()
    assert "2 card payments, KES 200.00 taken" in page

    methods = dict(reports.revenue_by_method(first=DAY, last=DAY))
    assert (methods["Card"], methods["Cash"]) == (Decimal("200.00"), Decimal("100.00"))

    assert (
        reports.reconcile_lines(lines=services.card_statement(day=DAY), day=DAY, method="card")
        == []
    )
    # The card's bank takes one payment back: the reconciliation shows it.
    reversed_order = next(iter(pesapal.orders.values()))
    pesapal.reverse(reversed_order.tracking_id)
    sign_in_verified(client, world.sam)
    page = client.post(reverse("ledger:reconciliation"), {"method": "card", "day": DAY})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-kind="missing_in_statement"' in html and "Card reference" in html
    assert Invoice.objects.count() == 3

"""One fee is paid once: per application (however many invoices were raised for it) and per
M-Pesa receipt, refused by the database itself; a second payment that arrives anyway is held,
and money held on an invoice stops a new push until it is decided."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from huduma.applications import services as applications
from huduma.core import clock as core_clock
from huduma.ledger.models import Entry
from huduma.payments import services
from huduma.payments.models import Payment
from huduma.queues import services as queues

S = Payment.Status


@pytest.fixture
def application(world):
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
        language="en",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    return application


def pay_cash(invoice, world):
    return services.payment_cash_record(invoice=invoice, amount="100", officer=world.alice)


def test_collect_the_fee_again_on_a_paid_application_is_refused(client, world, application):
    client.force_login(world.alice)
    first = client.post(f"/staff/applications/{application.pk}/fee/")
    invoice = application.invoices.get()
    assert first.url.endswith(f"/staff/payments/invoices/{invoice.pk}/")
    pay_cash(invoice, world)
    again = client.post(f"/staff/applications/{application.pk}/fee/", follow=True)
    assert "This application&#x27;s fee is already paid." in again.content.decode()
    assert application.invoices.count() == 1


def test_a_second_completed_payment_of_one_application_is_refused_by_the_database(
    world, application
):
    pay_cash(services.invoice_raise(application=application), world)
    second = services.invoice_raise(application=application)  # raised before the rule
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            invoice=second,
            application=application,
            channel="cash",
            provider="cash",
            amount_kes=Decimal("100.00"),
            status=S.COMPLETED,
            started_at=core_clock.now(),
        )
    # The counter cannot take it either: cash refused, nothing counted.
    with pytest.raises(services.AlreadyPaid):
        pay_cash(second, world)


def test_a_second_mpesa_payment_of_one_application_is_held(world, application, sandbox):
    pay_cash(services.invoice_raise(application=application), world)
    second = services.invoice_raise(application=application)
    payment = services.payment_start(
        invoice=second,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="k2",
        actor=world.alice,
    )
    sandbox.deliver()
    payment.refresh_from_db()
    assert payment.status == S.HELD
    assert payment.hold_reason == "the application's fee is already paid"
    assert payment.events.get(kind="callback").detail["refused_by_database"] is True
    # The money is in the centre's suspense account, not in any MDA's revenue.
    assert Entry.objects.filter(kind="held", payment_id=str(payment.pk)).exists()
    assert not Entry.objects.filter(kind="payment", payment_id=str(payment.pk)).exists()


def test_one_mpesa_receipt_pays_one_fee_by_constraint(world):
    first = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    second = services.invoice_raise(service=world.id_dup, centre=world.gpo)

    def completed(invoice):
        return Payment.objects.create(
            invoice=invoice,
            channel="mpesa",
            provider="sandbox",
            amount_kes=Decimal("100.00"),
            amount_paid_kes=Decimal("100.00"),
            provider_receipt="QKA1234567",
            status=S.COMPLETED,
            started_at=core_clock.now(),
        )

    completed(first)
    with pytest.raises(IntegrityError), transaction.atomic():
        completed(second)


def test_a_new_push_on_an_invoice_with_money_held_is_refused(client, world, sandbox):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    late = services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="k1",
        actor=world.alice,
    )
    Payment.objects.filter(pk=late.pk).update(
        status=S.HELD, amount_paid_kes=Decimal("100.00"), hold_reason="paid late"
    )
    with pytest.raises(services.HeldPaymentOpen):
        services.payment_start(
            invoice=invoice,
            channel="mpesa",
            amount="100.00",
            phone="0712345678",
            idempotency_key="k2",
            actor=world.alice,
        )
    with pytest.raises(services.HeldPaymentOpen):
        pay_cash(invoice, world)
    client.force_login(world.alice)
    page = client.post(
        f"/staff/payments/invoices/{invoice.pk}/pay/",
        {"method": "mpesa", "phone": "0712345678", "idempotency_key": "k3"},
        follow=True,
    )
    assert "held for review" in page.content.decode()
    assert invoice.payments.count() == 1

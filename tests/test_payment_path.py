"""The whole path of issue 9: ticket -> application -> M-Pesa payment through the sandbox ->
receipt checked online and offline -> back office -> ready for collection -> collected, with
the citizen told by SMS at each step."""

from decimal import Decimal

import pytest
from django.urls import reverse

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.applications.models import Status
from huduma.ledger import receipt_format
from huduma.ledger.models import Entry, Receipt
from huduma.notify.models import Message
from huduma.payments import services as payments
from huduma.payments.models import Payment
from huduma.queues import services as queues

PHONE = "+254712345678"


def test_ticket_to_collection_with_an_mpesa_payment_and_a_verifiable_receipt(
    client, world, clock, sandbox
):
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

    # The fee is the one fixed when the application was received, even if it changes after.
    world.id_dup.fee_kes = Decimal("5000.00")
    world.id_dup.save()
    invoice = payments.invoice_raise(application=application, actor=world.alice)
    assert invoice.amount_kes == application.fee_kes == Decimal("100.00")
    assert invoice.application == application and invoice.ticket == ticket
    payment = payments.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="pay-1",
        actor=world.alice,
    )
    sandbox.deliver()  # the payer enters the PIN; Daraja's callback arrives
    sandbox.deliver()  # a duplicate callback would change nothing
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED

    # Posted once to the ledger: the MDA owning the service is credited at this centre.
    entry = Entry.objects.get(kind=Entry.Kind.PAYMENT, payment_id=str(payment.pk))
    assert entry.amount == Decimal("100.00") and entry.mda == world.nrb
    receipt = Receipt.objects.get(entry=entry)
    paid_sms = Message.objects.get(to=PHONE, template="payment_received")
    assert receipt.number in paid_sms.body

    # Anyone can check the receipt: on the public page, and offline with the public key.
    page = client.get(reverse("ledger:verify"), {"number": receipt.number}).content.decode()
    assert "Genuine receipt" in page and "0712345678" not in page
    pem = client.get(reverse("ledger:public_key")).content
    details = receipt_format.verify(receipt.code, receipt_format.load_public_key(pem))
    assert (details.number, details.amount, details.centre) == (
        receipt.number,
        "100.00",
        "gpo-nairobi",
    )
    with pytest.raises(receipt_format.BadReceipt):
        receipt_format.verify(
            receipt.code.replace("|100.00|", "|10.00|"), receipt_format.load_public_key(pem)
        )

    queues.ticket_finish(ticket=ticket, counter=counter, officer=world.alice)
    back_office = User.objects.create_user(
        username="nadia", password="pw", role=Role.BACK_OFFICE, mda=world.nrb
    )
    for to in (Status.IN_PROCESSING, Status.APPROVED, Status.READY):
        applications.application_move(application=application, to=to, actor=back_office)
    applications.application_move(application=application, to=Status.COLLECTED, actor=world.alice)
    application.refresh_from_db()
    assert application.status == Status.COLLECTED
    told = list(
        Message.objects.filter(to=PHONE)
        .exclude(template__startswith="ticket_")
        .order_by("created_at")
        .values_list("template", flat=True)
    )
    assert told == [
        "application_received",
        "payment_received",
        "application_in_processing",
        "application_approved",
        "application_ready",
        "application_collected",
    ]


def test_the_officer_collects_an_applications_fee_from_its_page(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    client.force_login(world.alice)
    page = f"/staff/applications/{application.pk}/"
    assert "Collect the fee (KES 100.00)" in client.get(page).content.decode()
    fee_url = reverse("payments:application_fee", args=[application.pk])
    first, again = client.post(fee_url), client.post(fee_url)  # a double press: one invoice
    assert first["Location"] == again["Location"]
    invoice = application.invoices.get()
    assert invoice.amount_kes == Decimal("100.00")
    form = client.get(first["Location"]).content.decode()
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    client.post(
        reverse("payments:pay", args=[invoice.pk]), {"method": "cash", "idempotency_key": key}
    )
    after = client.get(page).content.decode()
    assert "KES 100.00 · paid" in after and "Collect the fee" not in after
    assert (
        Receipt.objects.filter(
            entry__payment_id__in=[str(p.pk) for p in invoice.payments.all()]
        ).count()
        == 1
    )
    # Another centre's officer cannot raise it.
    client.force_login(world.charlie)
    assert client.post(fee_url).status_code == 403

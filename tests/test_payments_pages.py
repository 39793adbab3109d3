"""The officer's pages: raise an invoice, send one STK push however often "pay" is clicked,
record cash, and read the day's cash-up."""

from huduma.payments.models import Invoice, Payment
from tests.conftest import sign_in_verified


def test_officer_takes_mpesa_and_cash_and_sees_the_cash_up(client, world, sandbox):
    sign_in_verified(client, world.alice)
    page = client.get("/staff/centres/gpo-nairobi/payments/")
    assert page.status_code == 200
    assert world.id_dup.code in page.content.decode()
    response = client.post("/staff/centres/gpo-nairobi/payments/", {"service": world.id_dup.code})
    invoice = Invoice.objects.get()
    assert response.url == f"/staff/payments/invoices/{invoice.pk}/"
    page = client.get(response.url)
    assert "KES 100.00" in page.content.decode()
    key = page.context["key"]
    form = {"method": "mpesa", "phone": "0712345678", "idempotency_key": key}
    for _ in range(2):  # a double click
        client.post(f"/staff/payments/invoices/{invoice.pk}/pay/", form)
    assert Payment.objects.count() == 1
    assert len(sandbox.sent) == 1
    sandbox.deliver()
    page = client.get(f"/staff/payments/invoices/{invoice.pk}/").content.decode()
    assert "Paid" in page or "Imelipwa" in page

    second = Invoice.objects.create(
        service=invoice.service,
        centre=invoice.centre,
        amount_kes="100.00",
        raised_at=invoice.raised_at,
    )
    client.post(
        f"/staff/payments/invoices/{second.pk}/pay/", {"method": "cash", "idempotency_key": "c1"}
    )
    page = client.get("/staff/payments/cashup/")
    assert page.context["report"].count == 1
    assert str(page.context["report"].total) == "100.00"


def test_officer_of_another_centre_is_refused(client, world):
    sign_in_verified(client, world.charlie)
    assert client.get("/staff/centres/gpo-nairobi/payments/").status_code == 403

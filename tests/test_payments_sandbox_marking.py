"""A declared payments sandbox (HUDUMA_PAYMENTS_SANDBOX=1) says so everywhere: a banner on every
layout (site, staff, kiosk), SANDBOX before every SMS, on the printed receipt, and the public
receipt check answers "not a receipt" for what it issued."""

import pytest
from django.urls import reverse

from huduma.notify.models import Message
from huduma.notify.services import sms_send
from tests.conftest import sign_in_verified
from tests.test_ledger_receipts import pay

BANNER = 'data-testid="sandbox-banner"'


@pytest.fixture
def sandboxed(settings):
    settings.PAYMENTS_SANDBOX = True
    return settings


def test_every_layout_shows_the_sandbox_banner(client, kiosk, world, sandboxed):
    public = client.get(reverse("catalogue:home")).content.decode()
    assert BANNER in public and "SANDBOX" in public
    kiosk_screen = kiosk.get(reverse("queues:kiosk", args=[world.gpo.code])).content.decode()
    assert BANNER in kiosk_screen
    sign_in_verified(client, world.alice)
    staff = client.get(reverse("payments:cashup")).content.decode()
    assert BANNER in staff
    sign_in_verified(client, world.sam)
    assert BANNER in client.get(reverse("admin:index")).content.decode()


def test_a_real_installation_shows_no_banner(client, world, settings):
    settings.PAYMENTS_SANDBOX = False
    assert BANNER not in client.get(reverse("catalogue:home")).content.decode()


def test_every_sms_of_a_sandbox_says_so(world, sandboxed):
    sms_send(
        to="+254712345678",
        template="payment_received",
        context={"centre": "GPO", "amount": "KES 100.00", "service": "ID", "reference": "HR-1"},
        language="en",
    )
    assert Message.objects.get().body.startswith("SANDBOX: GPO: KES 100.00 received")


def test_the_printed_receipt_says_sandbox(client, world, sandboxed):
    receipt = pay(world)
    sign_in_verified(client, world.alice)
    page = client.get(reverse("ledger:receipt", args=[receipt.number])).content.decode()
    assert "SANDBOX: a test receipt, not proof of payment" in page
    assert "Official receipt" not in page


def test_the_public_check_answers_not_a_receipt_in_a_sandbox(client, world, sandboxed):
    receipt = pay(world)
    for query in ({"number": receipt.number}, {"code": receipt.code}):
        page = client.get(reverse("ledger:verify"), query).content.decode()
        assert "Not a receipt" in page and "Genuine receipt" not in page
    sandboxed.PAYMENTS_SANDBOX = False
    page = client.get(reverse("ledger:verify"), {"number": receipt.number}).content.decode()
    assert "Genuine receipt" in page

"""The held payments worklist in Chromium: a Centre Manager proposes a refund, a second one
approves it; axe-core clean at each step."""

import pytest
from playwright.sync_api import expect

from huduma.accounts.models import Role, User
from huduma.payments import services
from huduma.payments.models import Payment
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_held_payment_is_refunded_by_two_managers(browser, live_server, world, sandbox):
    User.objects.create_user(
        username="bea", password="pw-bea", role=Role.CENTRE_MANAGER, centre=world.gpo
    )
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    payment = services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="k1",
        actor=world.alice,
    )
    services.payment_cash_record(invoice=invoice, amount="100", officer=world.alice)
    sandbox.deliver()  # the M-Pesa payment went through too: held
    base = live_server.url

    maker = sign_in(browser, base, "bob")
    maker.goto(f"{base}/staff/centres/gpo-nairobi/")
    maker.get_by_role("link", name="Held payments").click()
    expect(maker.get_by_test_id("held")).to_contain_text("invoice already paid")
    assert_accessible(maker)
    maker.get_by_label("Refund to the payer").check()
    maker.get_by_label("Reason").fill("Paid in cash and by M-Pesa")
    maker.get_by_role("button", name="Propose").click()
    expect(maker.get_by_test_id("proposal")).to_contain_text("Refund to the payer")
    expect(maker.get_by_role("button", name="Approve")).to_have_count(0)  # not the maker
    assert_accessible(maker)
    maker.context.close()

    checker = sign_in(browser, base, "bea")
    checker.goto(f"{base}/staff/payments/held/")
    checker.get_by_role("button", name="Approve").click()
    expect(checker.get_by_test_id("none")).to_be_visible()
    assert_accessible(checker)
    checker.context.close()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED

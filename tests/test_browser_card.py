"""Card at the counter in Chromium, through Pesapal's test mode (tests/pesapal_fake.py): the
officer starts a card payment, the payer uses Pesapal's card page, the invoice reads "Paid"
only once Pesapal's status says so; the cash-up shows card on its own line, and the
Secretariat's card reconciliation; axe-core clean."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.conftest import assert_accessible, sign_in_verified
from tests.test_payments_card import pesapal  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_takes_a_card_payment(browser, live_server, world, pesapal):  # noqa: F811
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    desk.goto(f"{base}/staff/sign-in/")
    desk.get_by_label("Username").fill("alice")
    desk.get_by_label("Password").fill("pw-alice")
    desk.get_by_role("button", name="Sign in").click()

    desk.goto(f"{base}/staff/centres/gpo-nairobi/payments/")
    desk.get_by_label("Service").select_option(value=world.id_dup.code)
    desk.get_by_role("button", name="Raise the invoice").click()
    desk.get_by_label("Citizen's phone number (for the card payment)").fill("0712 345 678")
    desk.get_by_role("button", name="Pay by card").click()
    card_page = desk.get_by_role("link", name="Open the card payment page")
    expect(card_page).to_have_attribute("href", pesapal.only_order().redirect_url())
    expect(desk.get_by_test_id("payment")).to_contain_text("Waiting for the payer")
    assert_accessible(desk)

    pesapal.pay(pesapal.only_order().tracking_id)  # the payer, on Pesapal's page
    desk.get_by_role("link", name="Refresh").click()  # asks Pesapal for the status
    expect(desk.get_by_test_id("payment")).to_contain_text("Paid")
    desk.goto(f"{base}/staff/payments/cashup/")
    expect(desk.get_by_test_id("card-total")).to_contain_text("1 card payment, KES 100.00")
    expect(desk.get_by_test_id("cash-total")).to_contain_text("KES 0.00 to hand over")
    assert_accessible(desk)
    desk.context.close()

    client = Client()
    sign_in_verified(client, world.sam)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    page = context.new_page()
    page.goto(f"{base}/staff/reconciliation/")
    page.get_by_role("button", name="Compare the card payments").click()
    expect(page.get_by_role("status")).to_contain_text("The statement and the ledger agree")
    assert_accessible(page)
    context.close()

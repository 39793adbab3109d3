"""The officer's "take payment" page in Chromium: invoice for the official fee, a double click
on the M-Pesa button sends one STK push, the sandbox's callback marks it paid; cash counts in
the cash-up; axe-core clean."""

import pytest
from playwright.sync_api import expect

from huduma.ledger.models import Receipt
from huduma.payments.models import Payment
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_takes_an_mpesa_payment_and_cash(browser, live_server, world, sandbox):
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    desk.goto(f"{base}/staff/sign-in/")
    desk.get_by_label("Username").fill("alice")
    desk.get_by_label("Password").fill("pw-alice")
    desk.get_by_role("button", name="Sign in").click()

    desk.goto(f"{base}/staff/centres/gpo-nairobi/payments/")
    assert_accessible(desk)
    desk.get_by_label("Service").select_option(value=world.id_dup.code)
    desk.get_by_role("button", name="Raise the invoice").click()
    expect(desk.get_by_test_id("fee")).to_contain_text("KES 100.00")
    assert_accessible(desk)
    desk.get_by_label("Citizen's M-Pesa number").fill("0712 345 678")
    desk.get_by_role("button", name="Send the M-Pesa request").dblclick()
    expect(desk.get_by_test_id("payment")).to_have_count(1)
    assert Payment.objects.count() == 1
    assert len(sandbox.sent) == 1

    sandbox.deliver()
    desk.get_by_role("link", name="Refresh").click()
    expect(desk.get_by_test_id("payment")).to_contain_text("Paid")
    expect(desk.get_by_test_id("receipt-number")).to_have_count(1)
    assert_accessible(desk)

    desk.goto(f"{base}/staff/centres/gpo-nairobi/payments/")
    desk.get_by_role("button", name="Raise the invoice").click()
    desk.get_by_role("button", name="Cash received").click()
    expect(desk.get_by_test_id("payment")).to_contain_text("Paid")
    # The officer sees the receipt's number and prints it from here (not only the citizen's SMS).
    number = desk.get_by_test_id("receipt-number").inner_text()
    assert number == Receipt.objects.get(entry__payment_id=str(Payment.objects.last().pk)).number
    assert_accessible(desk)
    desk.get_by_role("link", name=f"Print receipt {number}").click()
    expect(desk.get_by_text(number).first).to_be_visible()
    assert_accessible(desk)
    desk.goto(f"{base}/staff/payments/cashup/")
    expect(desk.get_by_test_id("cash-total")).to_contain_text("KES 100.00")
    assert_accessible(desk)
    desk.context.close()

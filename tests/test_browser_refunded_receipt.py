"""The public receipt check in Chromium for a refunded receipt: it reads "Refunded on <date>",
not "Genuine receipt"; axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible
from tests.test_ledger_receipts import pay
from tests.test_ledger_refunded_receipt import refund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refunded_receipt_reads_refunded_on_a_phone(browser, live_server, world):
    receipt = pay(world, amount="100.00")
    refund(world, receipt, "100.00")
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="light")
    page = context.new_page()
    page.goto(f"{live_server.url}/receipts/verify/?number={receipt.number}")
    verdict = page.get_by_role("alert")
    expect(verdict).to_contain_text("Refunded on")
    expect(verdict).to_contain_text("no longer proof of payment")
    expect(page.locator("#verdict")).not_to_contain_text("Genuine receipt")
    assert_accessible(page)
    context.close()

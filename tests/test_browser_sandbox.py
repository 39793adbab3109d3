"""A declared payments sandbox in Chromium: the SANDBOX banner on the public site, and the
receipt check answering "Not a receipt" for what it issued; axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible
from tests.test_ledger_receipts import pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sandbox_says_so_and_issues_no_receipt(browser, live_server, world, settings):
    settings.PAYMENTS_SANDBOX = True
    receipt = pay(world, amount="100.00")
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="light")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("sandbox-banner")).to_contain_text("SANDBOX")
    assert_accessible(page)
    page.goto(f"{live_server.url}/receipts/verify/?number={receipt.number}")
    expect(page.get_by_role("alert")).to_contain_text("Not a receipt")
    expect(page.locator("#verdict")).not_to_contain_text("Genuine receipt")
    assert_accessible(page)
    context.close()

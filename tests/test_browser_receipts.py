"""The public receipt check in Chromium, on a phone in light mode: a genuine receipt (by number
and by its scanned QR address), an altered one and an unknown number; axe-core clean."""

import pytest
from playwright.sync_api import expect

from huduma.ledger.views import verify_url
from tests.conftest import assert_accessible
from tests.test_ledger_receipts import pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_receipt_check_on_a_phone(browser, live_server, world):
    receipt = pay(world, amount="100.00")
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="light")
    page = context.new_page()
    page.goto(f"{live_server.url}/receipts/verify/")
    assert_accessible(page)
    page.get_by_label("Receipt number").fill(receipt.number.lower())
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("status")).to_contain_text("Genuine receipt")
    expect(page.locator("#details")).to_contain_text("KES 100.00")
    expect(page.locator("#details")).to_contain_text("Huduma Centre GPO")
    assert_accessible(page)

    scanned = verify_url(receipt.code).replace("http://127.0.0.1:8000", live_server.url)
    page.goto(scanned)
    expect(page.get_by_role("status")).to_contain_text("The signature is valid")

    page.goto(scanned.replace("%7C100.00%7C", "%7C10.00%7C"))
    expect(page.get_by_role("alert")).to_contain_text("Altered receipt")
    assert_accessible(page)

    page.get_by_label("Receipt number").fill("HR-NOTREAL000")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("alert")).to_contain_text("No such receipt")
    assert_accessible(page)
    context.close()

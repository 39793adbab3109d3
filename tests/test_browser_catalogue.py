"""A citizen on a small phone searches a service and opens a centre's charter (real Chromium)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_service_then_open_charter(page, live_server, world):
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.get_by_label("What do you need?").fill("kitambulsho")  # Swahili, with a typo
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Replacement of a lost ID card").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Replacement of a lost ID card"
    assert "KES 100.00" in page.content()
    expect(page.get_by_text("Police abstract")).to_be_visible()
    assert_accessible(page)

    join = page.get_by_role("link", name="Join the queue at Huduma Centre GPO")
    assert join.get_attribute("href") == f"/queue/gpo-nairobi/join/?service={world.id_dup.pk}"
    page.get_by_role("link", name="Huduma Centre GPO", exact=True).click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Service charter: Huduma Centre GPO"
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert_accessible(page)

    page.get_by_role("button", name="Kiswahili").click()
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    expect(page.get_by_role("link", name="Kubadilisha kitambulisho kilichopotea")).to_be_visible()
    assert_accessible(page)


def test_search_error_is_announced_at_the_top(page, live_server, world):
    page.goto(live_server.url + "/services/?q=" + "x" * 120)
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert_accessible(page)

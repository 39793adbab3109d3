"""A citizen whose words match nothing is told so, offered the contact centre and the most used
services, and reaches one of them (real Chromium, axe)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nothing_matches_then_a_most_used_service(page, live_server, world, settings):
    settings.CONTACT_CENTRE_PHONE = "1919"
    page.goto(live_server.url + "/")
    page.get_by_label("What do you need?").fill("zebra aquarium")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No service matches “zebra aquarium”")).to_be_visible()
    expect(page.get_by_text("call the Huduma Contact Centre on 1919")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Replacement of a lost ID card").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Replacement of a lost ID card"

"""An officer calls a ticket at the counter console while the hall display shows it (Chromium)."""

import pytest
from playwright.sync_api import expect

from huduma.queues import services
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_counter_console_call_appears_on_the_display_board(browser, live_server, world):
    base = live_server.url
    counter = world.counters[("gpo-nairobi", 1)]
    services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )

    hall = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    hall.goto(f"{base}/display/gpo-nairobi/")
    expect(hall.get_by_text("Karibu")).to_be_visible()
    assert_accessible(hall)

    desk = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    sign_in(desk, base, "alice", "pw-alice")
    desk.goto(f"{base}/staff/counters/{counter.pk}/")
    desk.get_by_role("button", name="Open counter").click()
    assert_accessible(desk)
    desk.get_by_role("button", name="Call next").click()
    expect(desk.get_by_test_id("current-number")).to_have_text("A001")
    assert_accessible(desk)

    # The board polls every second: the call is on screen within two.
    expect(hall.locator(".display__latest")).to_contain_text("A001", timeout=2000)
    expect(hall.locator(".display__latest")).to_contain_text("1")

    desk.get_by_role("button", name="Start serving").click()
    desk.get_by_role("button", name="Finish", exact=True).click()
    expect(desk.get_by_role("button", name="Call next")).to_be_visible()
    hall.context.close()
    desk.context.close()


def test_reception_issues_a_ticket_with_checklist(browser, live_server, world):
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    sign_in(page, live_server.url, "bob", "pw-bob")
    page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/reception/")
    assert_accessible(page)
    page.get_by_role("button", name="Replacement of a lost ID card").first.click()
    expect(page.get_by_test_id("chosen")).to_contain_text("Replacement of a lost ID card")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Police abstract")).to_be_visible()
    page.get_by_role("button", name="Issue ticket").click()  # forgot to tick the checklist
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(page)
    page.get_by_label("Every document on the list is here").check()
    page.get_by_role("button", name="Issue ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket A001 issued")
    # The printed ticket says where to go and what is ahead.
    expect(page.get_by_test_id("wait-near")).to_have_text("Wait near: Counter 1")
    expect(page.locator(".ticket-card")).to_contain_text("No counter for this service is open yet")
    assert_accessible(page)
    page.context.close()


def test_kiosk_is_accessible(page, live_server, world, kiosk_token):
    # A kiosk is a paired device: it holds the device cookie.
    page.context.add_cookies(
        [{"name": "huduma_device", "value": kiosk_token, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/kiosk/gpo-nairobi/")
    assert_accessible(page)

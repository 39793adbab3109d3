"""Pages that refresh themselves, left untouched for three of their own polls and then used
(Chromium, axe): the hall display, the manager's live view, the virtual ticket, the feedback
tablet and the kiosk. The counter console's is in test_browser_counter.py. The rule that every
polling template has such a test is tests/test_idle_rule.py."""

import re

import pytest
from playwright.sync_api import expect

from huduma.accounts import devices
from huduma.queues import services
from tests.conftest import assert_accessible, idle_then_use
from tests.feedback_helpers import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 800}


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.idle_pages("queues/display.html")
def test_the_hall_display_left_idle_shows_the_next_call(browser, live_server, world, fast_polls):
    counter = world.counters[("gpo-nairobi", 1)]
    services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    services.counter_open(counter=counter, officer=world.alice)
    hall = browser.new_context(viewport=DESKTOP).new_page()
    hall.goto(f"{live_server.url}/display/gpo-nairobi/")
    idle_then_use(hall)
    hall.get_by_label(re.compile("Chime")).check()
    services.ticket_call_next(counter=counter, officer=world.alice)
    expect(hall.locator(".display__latest")).to_contain_text("A001", timeout=3000)
    assert_accessible(hall)
    hall.context.close()


@pytest.mark.idle_pages("queues/live.html")
def test_the_live_view_left_idle_still_opens_a_counter(
    browser, live_server, world, officers, fast_polls
):
    services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
    )
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "bob", "pw-bob")
    page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/live/")
    seen = idle_then_use(page)
    assert len(seen) == 3  # the queues, the satisfaction panel and the late applications
    nhif = page.get_by_role("form", name="Open a counter for an officer NHIF registration")
    nhif.get_by_label("Counter").select_option(label="2")
    nhif.get_by_label("Officer").select_option(label="Officer1 (Counter officer)")
    nhif.get_by_role("button", name="Open counter").click()
    expect(page.get_by_text("Counter 2 is open for Officer1.")).to_be_visible()
    assert_accessible(page)
    page.context.close()


@pytest.mark.idle_pages("queues/_ticket_status.html")
def test_the_virtual_ticket_left_idle_turns_to_called(
    browser, live_server, world, officers, fast_polls
):
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    visit = services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="web",
        requirements_confirmed=True,
        phone="0712345678",
        language="en",
    )
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{live_server.url}/queue/tickets/{visit.pk}/")
    idle_then_use(page)
    expect(page.get_by_text("You are at the front of the queue")).to_be_visible()
    services.ticket_call_next(counter=counter, officer=officers[2])
    expect(page.get_by_text("Go to counter 2 now")).to_be_visible(timeout=3000)
    page.get_by_role("link", name="Cancel my ticket").click()
    expect(page.get_by_role("button", name="Yes, cancel my ticket")).to_be_visible()
    assert_accessible(page)
    page.context.close()


@pytest.mark.idle_pages("feedback/_screen.html")
def test_the_tablet_left_idle_takes_the_next_rating(browser, live_server, world, fast_polls):
    counter = world.counters[("gpo-nairobi", 1)]
    _device, code = devices.device_register(
        centre=world.gpo, kind="feedback_tablet", name="Tablet 1", counter=counter, actor=world.bob
    )
    tablet = browser.new_context(viewport={"width": 800, "height": 1280}).new_page()
    tablet.goto(f"{live_server.url}/device/pair/?code={code}")
    tablet.get_by_role("button", name="Pair this device").click()
    expect(tablet.get_by_text("How was our service?")).to_be_visible()
    idle_then_use(tablet)
    # A face pressed with nobody served: "Sorry" and why, in both languages (not "Thank you!").
    tablet.get_by_role("button", name=re.compile(r"\bGood$")).click()
    expect(tablet.get_by_test_id("eifd-refused")).to_contain_text("Samahani")
    expect(tablet.get_by_role("status")).to_contain_text("Please rate after you are served.")
    assert_accessible(tablet)
    serve(world, counter, world.alice, world.id_dup)
    expect(tablet.get_by_test_id("eifd-ticket")).to_contain_text("A001", timeout=10000)
    idle_then_use(tablet)  # the faces wait for the citizen, polls and all
    tablet.get_by_role("button", name=re.compile(r"\bGood$")).click()
    expect(tablet.get_by_test_id("eifd-thanks")).to_be_visible()
    assert_accessible(tablet)
    tablet.context.close()


@pytest.mark.idle_pages("queues/kiosk_base.html")
def test_the_kiosk_left_idle_rests_then_serves_the_next_person(
    browser, live_server, kiosk_token, world, fast_polls
):
    fast_polls.KIOSK_IDLE_SECONDS = 2  # time enough for the test to touch the screen first
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    context.add_cookies([{"name": "huduma_device", "value": kiosk_token, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/gpo-nairobi/")
    page.get_by_role("button", name="Replacement of a lost ID card").first.click()
    expect(page.locator(".kiosk-basket li")).to_have_count(1)
    idle_then_use(page)
    expect(page).to_have_url(re.compile(r"/kiosk/gpo-nairobi/start/$"))
    page.get_by_role("button", name="Touch to start").click()
    expect(page.locator(".kiosk-basket li")).to_have_count(0)
    page.get_by_role("button", name="Replacement of a lost ID card").first.click()
    expect(page.locator(".kiosk-basket li")).to_have_count(1)
    assert_accessible(page)
    context.close()

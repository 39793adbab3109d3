"""The officer opens an application at the counter console, and the back office moves it
(Chromium, axe-core clean)."""

import pytest
from playwright.sync_api import expect

from huduma.accounts.models import Role, User
from huduma.applications.models import Application
from huduma.queues import services
from tests.conftest import assert_accessible
from tests.test_browser_queue import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_opens_an_application_and_the_back_office_moves_it(browser, live_server, world):
    base = live_server.url
    counter = world.counters[("gpo-nairobi", 1)]
    services.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
        language="en",
    )
    User.objects.create_user(
        username="nadia", password="pw-nadia", role=Role.BACK_OFFICE, mda=world.nrb
    )

    desk = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    sign_in(desk, base, "alice", "pw-alice")
    desk.goto(f"{base}/staff/counters/{counter.pk}/")
    desk.get_by_role("button", name="Open counter").click()
    desk.get_by_role("button", name="Call next").click()
    desk.get_by_role("button", name="Start serving").click()
    expect(desk.get_by_role("heading", name="Application")).to_be_visible()
    assert_accessible(desk)
    desk.get_by_label("Police abstract").check()
    desk.get_by_role("button", name="Open application").click()
    number = Application.objects.get().tracking_number
    expect(desk.get_by_test_id("tracking-number")).to_have_text(number)
    expect(desk.get_by_text("Seen: Police abstract")).to_be_visible()
    assert_accessible(desk)
    desk.context.close()

    office = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(office, base, "nadia", "pw-nadia")
    office.goto(f"{base}/staff/applications/")
    expect(office.get_by_test_id("worklist-row")).to_contain_text(number)
    assert_accessible(office)
    office.get_by_role("link", name=number).click()
    office.get_by_label("New status").select_option("in_processing")
    office.get_by_role("button", name="Save").click()
    expect(office.get_by_test_id("application-status")).to_have_text("In processing")
    assert_accessible(office)
    office.context.close()

    citizen = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    citizen.goto(f"{base}/applications/track/")
    assert_accessible(citizen)
    citizen.get_by_label("Tracking number").fill(number)
    citizen.get_by_label("Phone number used when applying").fill("0712345678")
    citizen.get_by_role("button", name="Show my application").click()
    expect(citizen.get_by_test_id("track-status")).to_contain_text("In processing")
    assert_accessible(citizen)
    # Switching language keeps the result (it used to come back to an empty form).
    citizen.get_by_role("button", name="Kiswahili").click()
    expect(citizen.locator("html")).to_have_attribute("lang", "sw")
    expect(citizen.get_by_test_id("track-status")).to_be_visible()
    expect(citizen.get_by_text(number).first).to_be_visible()
    assert_accessible(citizen)
    citizen.context.close()


def test_an_application_refused_for_want_of_a_phone_keeps_the_ticks(browser, live_server, world):
    """A walk-in without a phone: the first try is refused for the phone, and the console shows
    the form again as the officer left it (the ticks kept), the error at the phone field."""
    base = live_server.url
    counter = world.counters[("gpo-nairobi", 1)]
    services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    services.counter_open(counter=counter, officer=world.alice)
    desk = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    sign_in(desk, base, "alice", "pw-alice")
    desk.goto(f"{base}/staff/counters/{counter.pk}/")
    desk.get_by_role("button", name="Call next").click()
    desk.get_by_role("button", name="Start serving").click()
    desk.get_by_label("Police abstract").check()
    desk.get_by_role("button", name="Open application").click()
    expect(desk.locator("#application-phone-error")).to_have_text(
        "The citizen's phone is needed to track the application"
    )
    expect(desk.get_by_label("Police abstract")).to_be_checked()
    assert_accessible(desk)
    desk.get_by_label("Citizen's phone").fill("0712 345 678")
    desk.get_by_role("button", name="Open application").click()
    expect(desk.get_by_text("Seen: Police abstract")).to_be_visible()
    assert Application.objects.get().phone == "+254712345678"
    desk.context.close()

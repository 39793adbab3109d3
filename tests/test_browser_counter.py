"""Reception issues a two-service ticket by typing (with a typo), and a counter officer serves
with finish-and-call-next while the hall display keeps the last calls (Chromium, desktop)."""

import re

import pytest
from playwright.sync_api import expect

from huduma.queues import services
from tests.conftest import assert_accessible, idle_then_use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 800}


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_reception_issues_a_two_service_ticket_by_typing(browser, live_server, world):
    world.nhif_reg.prerequisites.add(world.id_dup)  # NHIF asks for the ID card
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "bob", "pw-bob")
    # The centre page's tables keep whole words on a desktop (a phone may break them, it must
    # not scroll sideways), and its row of links has no stray list bullets between the links.
    page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/")
    cell_wrap = "getComputedStyle(document.querySelector('td')).overflowWrap"
    assert page.evaluate(cell_wrap) == "break-word"
    bullets = "getComputedStyle(document.querySelector('ul.actions')).listStyleType"
    assert page.evaluate(bullets) == "none"
    page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/reception/")
    search = page.get_by_label("Find a service")
    search.fill("health insurnce")  # a typo
    results = page.locator("#service-results")
    results.get_by_role("button", name="NHIF registration").click()
    chosen = page.get_by_test_id("chosen")
    expect(chosen).to_contain_text("NHIF registration")
    # htmx has settled the new form (a person types slower than that).
    expect(page.locator("#issue-form")).not_to_have_class(re.compile(r"htmx-"))
    page.get_by_label("Find a service").fill("replacment lost id")
    results.get_by_role("button", name="Replacement of a lost ID card").click()
    # In the order the services need: the ID card first.
    expect(chosen.locator("li")).to_have_count(2)
    expect(chosen.locator("li").first).to_contain_text("Replacement of a lost ID card")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Every document on the list is here").check()
    page.get_by_role("button", name="Issue ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket A001 issued")
    page.context.close()


def test_an_officer_serves_with_finish_and_call_next(browser, live_server, world):
    base = live_server.url
    counter = world.counters[("gpo-nairobi", 1)]
    for _ in range(3):
        services.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
        )
    services.counter_open(counter=counter, officer=world.alice)
    desk = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(desk, base, "alice", "pw-alice")
    expect(desk).to_have_url(f"{base}/staff/counters/{counter.pk}/")  # lands on her counter
    desk.get_by_role("button", name="Call next").click()
    current = desk.get_by_test_id("current-number")
    expect(current).to_have_text("A001")
    desk.get_by_role("button", name="Start serving").click()
    # Each requirement's checkbox sits beside its words, not on a line of its own above them.
    seen = desk.get_by_label("Police abstract")
    words = desk.locator("label[for]", has_text="Police abstract")
    assert abs(seen.bounding_box()["y"] - words.bounding_box()["y"]) < 12
    desk.get_by_role("button", name="Finish and call next").click()
    expect(current).to_have_text("A002")
    expect(desk.get_by_test_id("current-status")).to_have_text("Called")
    assert_accessible(desk)

    hall = browser.new_context(viewport=DESKTOP).new_page()
    hall.goto(f"{base}/display/gpo-nairobi/")
    expect(hall.locator(".display__latest")).to_contain_text("A002")
    expect(hall.get_by_test_id("call-A001")).to_be_visible()  # served, still on screen
    assert_accessible(hall)
    hall.context.close()
    desk.context.close()


@pytest.mark.idle_pages("queues/_console_status.html")
def test_the_console_left_idle_for_three_polls_keeps_its_buttons(
    browser, live_server, world, fast_polls
):
    """The waiting-count poll replaces only its own table: before the fix it inherited the
    console's target and swapped the whole console for the table 10 s after each press."""
    base = live_server.url
    counter = world.counters[("gpo-nairobi", 1)]
    services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    services.counter_open(counter=counter, officer=world.alice)
    desk = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(desk, base, "alice", "pw-alice")
    desk.goto(f"{base}/staff/counters/{counter.pk}/")
    waiting = desk.get_by_test_id(f"waiting-{world.id_dup.code}")
    expect(waiting).to_have_text("1")
    # Someone joins while she waits: the count follows, the console stays whole.
    services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    idle_then_use(desk)
    expect(waiting).to_have_text("2")
    expect(desk.locator("#console")).to_have_count(1)
    expect(desk.locator("#console-status")).to_have_count(1)
    desk.get_by_role("button", name="Call next").click()
    expect(desk.get_by_test_id("current-number")).to_have_text("A001")
    # The no-show's rule is on its button; pressed too early, it says why.
    no_show = desk.get_by_role("button", name="No-show")
    expect(no_show).to_contain_text("a minute after the call")
    no_show.click()
    expect(desk.get_by_text("Not yet: a no-show can be marked from")).to_be_visible()
    idle_then_use(desk)  # idle again after a press
    desk.get_by_role("button", name="Start serving").click()
    expect(desk.get_by_test_id("current-status")).to_have_text("Being served")
    idle_then_use(desk)
    desk.get_by_role("button", name="Finish", exact=True).click()
    expect(desk.get_by_role("button", name="Call next")).to_be_enabled()
    expect(waiting).to_have_text("1")
    assert_accessible(desk)
    desk.context.close()

"""The Centre Manager sees, first on the live view, queues nobody is serving, and acts on them
there: opens a counter for an officer, then moves a service to an open counter for today."""

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


def test_manager_acts_on_unserved_queues_from_the_live_view(browser, live_server, world, officers):
    services.counter_open(counter=world.counters[("gpo-nairobi", 1)], officer=world.alice)
    for service in (world.nhif_reg, world.kra_pin):
        services.visit_issue(
            centre=world.gpo, services=[service], channel="reception", requirements_confirmed=True
        )
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, "bob", "pw-bob")
    page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/live/")

    flag = page.get_by_test_id("unserved")
    expect(flag.get_by_role("heading", name="NHIF registration")).to_be_visible()
    expect(flag.get_by_role("heading", name="KRA PIN registration")).to_be_visible()
    # The flag is the first thing under the page's title.
    assert page.locator("main h2").first.inner_text() == "Nobody is serving these queues"
    assert_accessible(page)

    nhif = page.get_by_role("form", name="Open a counter for an officer NHIF registration")
    nhif.get_by_label("Counter").select_option(label="2")
    # A click elsewhere on the page, then the view's refresh: the choice made stays.
    page.get_by_role("heading", level=1).click()
    page.evaluate(
        "htmx.ajax('GET', location.pathname, {source: '[data-live]', target: '[data-live]'})"
    )
    expect(nhif.get_by_label("Counter")).to_have_value(str(world.counters[("gpo-nairobi", 2)].pk))
    paused = page.get_by_text("Updates are paused while you make a choice below")
    expect(paused).to_be_visible()  # a paused page is never taken for a quiet centre
    nhif.get_by_label("Officer").select_option(label="Officer1 (Counter officer)")
    nhif.get_by_role("button", name="Open counter").click()
    expect(page.get_by_text("Counter 2 is open for Officer1.")).to_be_visible()
    expect(flag.get_by_role("heading", name="NHIF registration")).to_have_count(0)
    page.evaluate(
        "htmx.ajax('GET', location.pathname, {source: '[data-live]', target: '[data-live]'})"
    )
    expect(paused).to_be_hidden()  # nothing chosen any more: updates run again

    kra = page.get_by_role(
        "form", name="Move this service to an open counter for today KRA PIN registration"
    )
    kra.get_by_label("Counter").select_option(label="1")
    kra.get_by_role("button", name="Serve it there today").click()
    expect(
        page.get_by_text("Counter 1 serves KRA PIN registration until the end of today.")
    ).to_be_visible()
    expect(flag).to_have_count(0)
    assert_accessible(page)
    page.context.close()

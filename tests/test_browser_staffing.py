"""The Centre Manager's establishment, training and planner pages, and an officer's own
training record, in Chromium, axe clean."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from huduma.staffing import services
from huduma.staffing.models import RedeploymentRequest, TrainingPlan
from tests.conftest import assert_accessible
from tests.test_staffing_plan_flow import busy  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 800}


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_manager_establishment_training_and_planner(browser, live_server, busy):  # noqa: F811
    base = live_server.url
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base, "bob", "pw-bob")

    page.goto(f"{base}/staff/staffing/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Establishment")
    expect(page.get_by_test_id("mda-NRB")).to_contain_text("deployed 1")
    assert_accessible(page)
    page.get_by_label("MDA", exact=True).select_option(label="National Registration Bureau")
    page.get_by_label("How many officers").fill("two")
    page.get_by_label("Reason").fill("Morning queue over an hour")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#error-summary")).to_contain_text("whole number from 1 to 50")
    assert_accessible(page)
    page.get_by_label("How many officers").fill("2")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request was sent")).to_be_visible()
    assert RedeploymentRequest.objects.get().change == 2

    page.get_by_role("link", name="Training", exact=True).click()
    page.get_by_label("Course").select_option(label="NRB replacement")
    page.get_by_label("First day").first.fill("14/12/2026")
    page.get_by_role("button", name="Add the session").click()
    expect(page.locator("#error-summary")).to_contain_text("YYYY-MM-DD")
    page.get_by_label("Course").select_option(label="NRB replacement")
    page.get_by_label("First day").first.fill("2026-11-02")
    page.get_by_label("Last day").first.fill("2026-11-03")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_text("The session was added.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Cross-training planner").click()
    page.get_by_role("button", name="Propose new skills").click()
    plan = TrainingPlan.objects.get()
    section = page.get_by_test_id(f"plan-{plan.pk}")
    expect(section).to_contain_text("Replacement of a lost ID card")
    expect(section.get_by_test_id("planned-mean")).not_to_have_text("–")
    assert_accessible(page)
    page.get_by_role("button", name="Accept as this quarter's training plan").click()
    expect(page.get_by_text("now this quarter's training plan")).to_be_visible()
    page.context.close()


def test_an_officer_sees_their_own_training_record(browser, live_server, busy):  # noqa: F811
    session = services.session_create(
        course=busy.nrb_course,
        centre=busy.gpo,
        starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 11, 2),
        actor=busy.bob,
    )
    services.attendance_record(
        session=session, officer=busy.alice, result="passed", score=88, actor=busy.bob
    )
    page = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
    sign_in(page, live_server.url, "alice", "pw-alice")
    page.goto(f"{live_server.url}/staff/staffing/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My training record")
    expect(page.get_by_role("row", name="NRB replacement")).to_contain_text("Passed")
    expect(page.get_by_role("row", name="NRB replacement")).to_contain_text("88")
    assert_accessible(page)
    # Not the centre's pages.
    response = page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/training/")
    assert response.status == 403
    page.context.close()

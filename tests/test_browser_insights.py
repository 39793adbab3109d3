"""The national dashboard in a browser: a Technical Committee member reads the figures, drills
down from the nation to a centre, a service and its counters, downloads a table, and fixes a
period typed the wrong way round; the open data page. Every page axe-clean."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from huduma.accounts.models import Role, User
from huduma.insights import rollups
from huduma.places.models import SubCounty
from tests.conftest import assert_accessible
from tests.insights_rows import DAY, Rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def figures(world):
    User.objects.create_user(username="tess", password="pw-tess", role=Role.TECHNICAL_COMMITTEE)
    rows = Rows(world)
    for minutes, score in ((5, 5), (10, 4), (40, 2)):
        rows.ticket(centre=world.gpo, service=world.id_dup, wait_min=minutes, score=score)
    rows.ticket(centre=world.gpo, service=world.nhif_reg, status="no_show")
    rows.ticket(centre=world.kisumu, service=world.nhif_reg)
    sub = SubCounty.objects.create(county=world.gpo.county, name="Westlands")
    rows.outreach(sub_county=sub, prefix="Z")
    rows.ticket(centre=world.gpo, prefix="Z")
    rows.complaint(category="bribery")
    paid = rows.entry(amount="1000.00")
    rows.entry(kind="refund", amount="100.00", refund_of=paid)
    rows.application(due_on=DAY - dt.timedelta(days=1), breached=True)
    rollups.refresh()
    return world


def test_drill_down_from_the_nation_to_the_counters(browser, live_server, figures):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, "tess", "pw-tess")
    page.goto(f"{live_server.url}/insights/?since={DAY}&until={DAY}")
    expect(page.get_by_role("heading", name="National dashboard")).to_be_visible()
    expect(page.get_by_test_id("served")).to_have_text("5")
    expect(page.get_by_test_id("csat")).to_contain_text("66.7%")
    expect(page.get_by_test_id("csat")).to_contain_text("2 of 3 ratings")
    # Server-drawn charts with a title and description, and their table.
    expect(page.get_by_role("img", name="Citizens served")).to_be_visible()
    expect(page.get_by_test_id("revenue-table")).to_contain_text("900.00")
    expect(page.get_by_test_id("outreach-table")).to_contain_text("100.0%")
    assert_accessible(page)

    level = page.get_by_test_id("level-table")
    expect(page.get_by_role("heading", name="Centres", exact=True)).to_be_visible()
    level.get_by_role("link", name="Huduma Centre GPO").click()
    expect(page.get_by_role("heading", name="Services", exact=True)).to_be_visible()
    expect(page.get_by_test_id("served")).to_have_text("4")
    expect(level).not_to_contain_text("Kisumu")
    level.get_by_role("link", name="Replacement of a lost ID card").click()
    expect(page.get_by_role("heading", name="Counters", exact=True)).to_be_visible()
    expect(level.get_by_role("rowheader", name="Counter 1")).to_be_visible()
    expect(page.get_by_test_id("served")).to_have_text("4")
    assert_accessible(page)

    # The table as CSV, for the same question.
    href = page.locator("a[href*='/insights/export/level.csv']").get_attribute("href")
    csv = page.request.get(f"{live_server.url}{href}")
    assert csv.ok and "Counter 1" in csv.text()

    # Back up to the nation by the trail.
    page.get_by_role("navigation", name="Level").get_by_role("link", name="Kenya").click()
    expect(page.get_by_test_id("served")).to_have_text("5")


def test_a_period_the_wrong_way_round_is_named(browser, live_server, figures):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, "tess", "pw-tess")
    page.goto(f"{live_server.url}/insights/?since={DAY}&until={DAY - dt.timedelta(days=3)}")
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("To: The end of the period is before its start.")
    assert_accessible(page)
    page.get_by_label("To").fill(str(DAY))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("served")).to_have_text("5")


def test_open_data_page(page, live_server, figures):
    page.goto(f"{live_server.url}/open-data/")
    expect(page.get_by_role("heading", name="Open data: Huduma Centres by month")).to_be_visible()
    assert_accessible(page)
    body = page.request.get(
        f"{live_server.url}/open-data/centres-monthly.json?from=2026-11&to=2026-11"
    )
    rows = body.json()["rows"]
    gpo = next(r for r in rows if r["centre_code"] == "gpo-nairobi")
    assert gpo["served"] == 4 and gpo["ratings"] == 3 and gpo["revenue_net_kes"] == "900.00"
    assert "phone" not in str(body.json()["fields"])

"""The performance pages in Chromium, axe-clean at each step: the Centre Manager's daily report
and its PDF (read back as text), the standards with a target edited and the evaluation PDF,
an appraisal from the manager's rating to the officer's comment and a reward approved by a
second manager, and the public savings page with its method edited by the Secretariat."""

import io

import pytest
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from huduma.accounts.models import Role, User
from huduma.performance import services
from tests.conftest import assert_accessible, sign_in_verified
from tests.performance_rows import DAY, at, build_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser, live_server, user, width=1280):
    client = Client()
    sign_in_verified(client, user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def pdf_text(page, href) -> str:
    response = page.request.get(page.url.split("/staff/")[0] + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    return "\n".join(p.extract_text() for p in reader.pages)


@pytest.fixture
def scene(world, officers, clock):
    return build_scene(world, officers, clock)


def test_the_daily_report_page_and_its_pdf(browser, live_server, scene, clock):
    services.daily_report_make(centre=scene.gpo, day=DAY, now=at(DAY, "17:00"))
    page = as_user(browser, live_server, scene.bob)
    page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/daily-report/?day=2026-11-24")
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily report: Huduma Centre GPO")
    expect(page.get_by_text("Made at closing (17:00)")).to_be_visible()
    expect(page.get_by_test_id("served-total")).to_contain_text("3")
    expect(page.get_by_test_id("waits-total")).to_contain_text("60.0%")
    expect(page.get_by_test_id("revenue")).to_contain_text("KES 1,850.00")
    idle = page.get_by_test_id("idle").locator("tbody tr")
    expect(idle.first).to_contain_text("100")
    expect(page.get_by_test_id("cashups")).to_contain_text("KES 1,050.00")
    assert_accessible(page)
    text = pdf_text(page, page.get_by_test_id("pdf-link").get_attribute("href"))
    assert "Daily report: Huduma Centre GPO, 2026-11-24" in text
    assert "Served 3 (day before 2; same weekday last month 1)" in text
    assert "Revenue KES 1,850.00" in text
    assert "Alice" in text and "KES 1,050.00" in text
    assert "Counters idle while people waited" in text
    # Another centre's manager gets nothing of it.
    kim = User.objects.create_user(
        username="kim", password="pw", role=Role.CENTRE_MANAGER, centre=scene.kisumu
    )
    other = as_user(browser, live_server, kim)
    assert other.request.get(page.url).status == 403


def test_standards_edited_and_the_evaluation_report(browser, live_server, scene, clock):
    page = as_user(browser, live_server, scene.sam)
    page.goto(f"{live_server.url}/staff/standards/?quarter=2026-Q4")
    centres = page.get_by_test_id("compliance-wait-centre").locator("tbody tr")
    expect(centres.first).to_contain_text("Huduma Centre Kisumu")  # worst first
    assert_accessible(page)
    field = page.locator(f"#target-{scene.kra_pin.pk}-wait")
    field.fill("abc")
    field.locator("xpath=ancestor::form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a share between 1 and 100.")
    assert_accessible(page)
    field = page.locator(f"#target-{scene.kra_pin.pk}-wait")
    field.fill("50")
    field.locator("xpath=ancestor::form").get_by_role("button", name="Save").click()
    expect(page.locator(f"#service-{scene.kra_pin.pk}")).to_contain_text("50.0% within 30 minutes")
    tess = User.objects.create_user(username="tess", password="pw", role=Role.TECHNICAL_COMMITTEE)
    committee = as_user(browser, live_server, tess)
    committee.goto(f"{live_server.url}/staff/standards/?quarter=2026-Q4")
    text = pdf_text(committee, committee.get_by_test_id("evaluation-link").get_attribute("href"))
    assert "Service delivery standards: evaluation report, 2026-Q4" in text
    assert "Maximum wait, per MDA" in text and "Kenya Revenue Authority" in text
    assert "Turnaround, per service" in text


def test_an_appraisal_from_the_manager_to_the_officer(browser, live_server, scene, clock):
    betty = User.objects.create_user(
        username="betty", password="pw", role=Role.CENTRE_MANAGER, centre=scene.gpo
    )
    page = as_user(browser, live_server, scene.bob)
    page.goto(f"{live_server.url}/staff/appraisals/")
    page.get_by_role("link", name="Alice").click()
    page.get_by_label("From").fill("2026-11-24")
    page.get_by_label("To").fill("2026-11-24")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("served")).to_have_text("2")
    expect(page.get_by_test_id("time-index")).to_contain_text("200.0%")
    expect(page.get_by_test_id("upheld")).to_have_text("1")
    assert_accessible(page)
    page.get_by_role("button", name="Save the appraisal").click()  # nothing chosen
    expect(page.get_by_role("alert")).to_contain_text("Choose a rating from 1 to 5.")
    assert_accessible(page)
    page.get_by_label("Rating").select_option("4")
    page.get_by_label("Your comment").fill("Careful work; quicker on ID replacements, please.")
    page.get_by_role("button", name="Save the appraisal").click()
    expect(
        page.get_by_role("heading", name="2026-11-24 – 2026-11-24: 4 - Above expectations")
    ).to_be_visible()
    expect(page.get_by_test_id("served")).to_have_text("2")  # the period is kept
    page.get_by_label("Kind").select_option("reward")
    page.get_by_label("What (e.g. letter of commendation, warning letter)").fill("Commendation")
    page.get_by_label("Reason").fill("No complaint upheld in the quarter")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("Waiting for a second person to approve.")).to_be_visible()
    assert_accessible(page)

    officer = as_user(browser, live_server, scene.alice, width=390)
    officer.goto(f"{live_server.url}/staff/appraisals/")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Appraisal: Alice")
    officer.get_by_label("Your comment on this appraisal").fill("I ask for ID training.")
    officer.get_by_role("button", name="Save my comment").click()
    expect(officer.get_by_test_id("officer-comment").first).to_have_text("I ask for ID training.")
    expect(officer.get_by_role("button", name="Approve")).to_have_count(0)
    assert_accessible(officer)
    colleague = User.objects.get(username="gpo2")
    assert officer.request.get(f"{live_server.url}/staff/appraisals/{colleague.pk}/").status == 403

    second = as_user(browser, live_server, betty)
    second.goto(f"{live_server.url}/staff/appraisals/{scene.alice.pk}/")
    second.get_by_role("button", name="Approve").click()
    expect(second.get_by_test_id("recognitions")).to_contain_text("Approved")
    assert_accessible(second)


def test_savings_public_page_and_method_edit(browser, live_server, scene, clock):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/savings/?since=2026-11-24&until=2026-11-24")
    expect(page.get_by_test_id("national-total")).to_contain_text("KES 4,950.00")
    expect(page.get_by_test_id("centres").locator("tbody tr").first).to_contain_text(
        "Huduma Centre GPO"
    )
    expect(page.get_by_test_id("inputs")).to_contain_text("KES 300.00")
    expect(page.get_by_test_id("method-form")).to_have_count(0)
    assert_accessible(page)
    sam = as_user(browser, live_server, scene.sam)
    sam.goto(f"{live_server.url}/savings/?since=2026-11-24&until=2026-11-24")
    sam.get_by_label("cost of one trip to an office (KES)").fill("-1")
    sam.get_by_role("button", name="Publish these inputs").click()
    expect(sam.get_by_role("alert")).to_contain_text("Enter a number of zero or more.")
    assert_accessible(sam)
    sam.get_by_label("cost of one trip to an office (KES)").fill("400")
    sam.get_by_label("Source of these figures").fill("Citizen survey 2026")
    sam.get_by_role("button", name="Publish these inputs").click()
    expect(sam.get_by_test_id("inputs")).to_contain_text("KES 400.00")
    expect(sam.get_by_test_id("history").locator("tbody tr")).to_have_count(2)
    assert_accessible(sam)

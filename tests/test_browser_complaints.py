"""The citizen's complaint form in Chromium: one question, then the details, errors summarised
at the top, an anonymous bribery report followed with its secret phrase; axe-core clean."""

import pytest
from playwright.sync_api import expect

from huduma.complaints.models import Complaint, Level
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_bribery_report_through_the_form(browser, live_server, world):
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{live_server.url}/complaints/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing chosen
    expect(page.get_by_role("alert")).to_contain_text("Choose what the complaint is about")
    assert_accessible(page)
    page.get_by_label("Request for a bribe or an extra fee").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us what happened")
    assert_accessible(page)
    page.get_by_role("button", name="Send complaint").click()  # empty
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(page)
    # The error bar beside the text box must not push it off a 360 px screen.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.get_by_label("What happened?").fill("The officer at counter 1 asked for KES 2,000.")
    page.get_by_label("Which Huduma Centre? (optional)").select_option(label="Huduma Centre GPO")
    page.get_by_label("Report anonymously").check()
    page.get_by_label("Secret phrase", exact=True).fill("blue mango at noon")
    page.get_by_role("button", name="Send complaint").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Complaint received")
    assert_accessible(page)
    reference = page.get_by_test_id("reference").inner_text()
    complaint = Complaint.objects.get(reference=reference)
    assert complaint.anonymous and complaint.level == Level.MONITOR and complaint.phone == ""

    other = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    other.goto(f"{live_server.url}/complaints/track/")
    assert_accessible(other)
    other.get_by_label("Complaint reference").fill(reference.lower())
    other.get_by_label("Your mobile number, or the secret phrase").fill("blue mango at noon")
    other.get_by_role("button", name="Show my complaint").click()
    expect(other.get_by_test_id("status")).to_contain_text("Acknowledged")
    expect(other.get_by_text("KES 2,000")).to_be_visible()
    assert_accessible(other)
    page.context.close()
    other.context.close()

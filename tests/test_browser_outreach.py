"""The Centre Manager plans a month's outreach through the pages (Chromium), accessible at
each step."""

import pytest
from playwright.sync_api import expect

from huduma.outreach.plan_models import Outreach
from tests.conftest import assert_accessible
from tests.outreach_world import IN_NAIROBI, add_mashinani
from tests.test_browser_queue import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_plans_an_outreach_through_the_pages(browser, live_server, world, clock):
    add_mashinani(world)
    base = live_server.url
    page = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    sign_in(page, base, "bob", "pw-bob")
    page.goto(f"{base}/staff/centres/gpo-nairobi/outreach/?month=2026-12")
    assert_accessible(page)
    page.get_by_role("button", name="Propose one outreach per sub-county").click()
    expect(page.get_by_text("3 outreaches proposed.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Westlands").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outreach to Westlands")
    page.get_by_label("Venue", exact=True).fill("Chief's camp")
    page.get_by_label("Ward", exact=True).fill("Parklands")
    page.get_by_label("Latitude").fill("-1.4")
    page.get_by_label("Longitude").fill("35.0")  # outside Nairobi
    page.get_by_role("button", name="Save venue").click()
    expect(page.get_by_role("alert")).to_contain_text("outside Nairobi County")
    assert_accessible(page)
    page.get_by_label("Latitude").fill(IN_NAIROBI[0])
    page.get_by_label("Longitude").fill(IN_NAIROBI[1])
    page.get_by_role("button", name="Save venue").click()
    expect(page.get_by_text("Venue saved.")).to_be_visible()

    # A service's equipment box shows once the service is ticked, not one per portable service.
    expect(page.get_by_label("Equipment for Replacement of a lost ID card")).to_be_hidden()
    page.get_by_label("Replacement of a lost ID card", exact=True).check()
    page.get_by_label("Equipment for Replacement of a lost ID card").fill("Laptop, camera")
    page.get_by_label("NHIF registration", exact=True).check()
    page.get_by_role("button", name="Save services").click()
    expect(page.get_by_text("Services saved.")).to_be_visible()

    for service in ("Replacement of a lost ID card", "NHIF registration"):
        select = page.get_by_label(f"Officer for {service}")
        page.locator("form", has=select).get_by_role("button", name="Send this officer").click()
        expect(page.get_by_text("Officer saved.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Who agreed").fill("J. Otieno")
    page.get_by_label("Their office").fill("Assistant Chief, Parklands")
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.get_by_text("Agreement recorded.")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Agreed with the local administration")
    assert_accessible(page)

    outreach = Outreach.objects.get(sub_county__name="Westlands")
    assert outreach.status == Outreach.Status.AGREED
    assert set(outreach.officers.values_list("officer__username", flat=True)) == {"alice", "erin"}

    page.get_by_role("link", name="Poster (A4)").click()
    expect(page.get_by_text("Government services near you")).to_be_visible()
    assert_accessible(page)
    page.context.close()

    # A citizen on a small phone asks to be told when it comes.
    phone = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    phone.goto(f"{base}/mashinani/")
    phone.get_by_label("Your sub-county").select_option(label="Westlands")
    phone.get_by_label("Mobile phone number").fill("0712 34")
    phone.get_by_role("button", name="Send me the SMS").click()
    expect(phone.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(phone)
    phone.get_by_label("Mobile phone number").fill("0712 345 678")
    phone.get_by_role("button", name="Send me the SMS").click()
    expect(phone.get_by_text("We will text you")).to_be_visible()
    phone.context.close()

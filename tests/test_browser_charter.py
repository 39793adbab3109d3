"""A citizen on a 360 px phone reads a centre's charter and finds a centre (real Chromium)."""

import pytest
from playwright.sync_api import expect

from huduma.catalogue.models import MDA, CentreService
from tests.conftest import assert_accessible, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_charter_fits_a_phone_without_sideways_scrolling(phone, live_server, world):
    # The longest names of the real catalogue are about this long.
    mda = MDA.objects.create(
        code="BRS",
        name_en="Business Registration Service (Office of the Attorney-General)",
        name_sw="Huduma ya Usajili wa Biashara (Ofisi ya Mwanasheria Mkuu)",
    )
    long_one = make_service(
        mda,
        "BRS-NAME-SEARCH",
        "Search and reservation of a business name before registration",
        "Kutafuta na kuhifadhi jina la biashara kabla ya usajili",
        fee="150.00",
    )
    CentreService.objects.create(centre=world.gpo, service=long_one)

    phone.goto(live_server.url + "/centres/gpo-nairobi/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Service charter: Huduma Centre GPO")
    assert no_sideways_scroll(phone)
    # One card per service, each cell naming its column; a free service says so.
    nhif = phone.get_by_role("row", name="NHIF registration")
    expect(nhif.get_by_role("cell", name="Fee: Free")).to_be_visible()
    name_search = phone.get_by_role("row", name="business name")
    expect(name_search.get_by_role("cell", name="Fee: KES 150.00")).to_be_visible()
    expect(phone.get_by_text("Mon-Fri 08:00-17:00")).to_be_visible()
    assert_accessible(phone)

    phone.get_by_role("button", name="Kiswahili").click()
    expect(phone.locator("html")).to_have_attribute("lang", "sw")
    nhif = phone.get_by_role("row", name="Usajili wa NHIF")
    expect(nhif.get_by_role("cell", name="Ada: Bure")).to_be_visible()
    # Agencies in Swahili order, each with its services in Swahili order.
    agencies = phone.locator(".charter-agency h2").all_inner_texts()
    assert agencies == sorted(agencies, key=str.casefold)
    for table in phone.locator(".charter-agency tbody").all():
        names = table.locator("td:first-child").all_inner_texts()
        assert names == sorted(names, key=str.casefold)
    assert no_sideways_scroll(phone)
    assert_accessible(phone)


def test_a_long_charter_is_grouped_by_agency_and_filtered_on_a_phone(phone, live_server, world):
    """64 services of 20 agencies: the phone shows the agencies to jump to, and one agency's
    services after the filter, not a 10,000 px scroll of cards."""
    for a in range(20):
        mda = MDA.objects.create(
            code=f"AG{a:02}", name_en=f"Agency {a:02}", name_sw=f"Taasisi {a:02}"
        )
        for s in range(3 if a < 19 else 4):
            name = "Certificate of good conduct" if s == 3 else f"Service {s} of agency {a:02}"
            service = make_service(mda, f"AG{a:02}-S{s}", name, f"Huduma {s} ya {a:02}")
            CentreService.objects.create(centre=world.gpo, service=service)

    phone.goto(live_server.url + "/centres/gpo-nairobi/")
    expect(phone.get_by_role("status")).to_have_text("64 services from 23 agencies.")
    expect(phone.locator(".charter-agency")).to_have_count(23)
    # The list of agencies leads to each agency's heading.
    phone.get_by_role("navigation").get_by_role("link", name="Agency 07").click()
    assert phone.url.endswith("#agency-AG07")
    assert no_sideways_scroll(phone)
    assert_accessible(phone)

    full_height = phone.evaluate("document.scrollingElement.scrollHeight")
    phone.get_by_label("Agency", exact=True).select_option(label="Agency 07 (3)")
    phone.get_by_role("button", name="Show services").click()
    expect(phone.get_by_role("status")).to_have_text("3 of 64 services shown.")
    expect(phone.locator(".charter-agency")).to_have_count(1)
    expect(phone.locator(".charter-agency tbody tr")).to_have_count(3)
    assert phone.evaluate("document.scrollingElement.scrollHeight") < full_height / 5
    assert_accessible(phone)

    # Words narrow it within the centre; a bad agency is named at its field.
    phone.get_by_label("Agency", exact=True).select_option(label="All agencies")
    phone.get_by_label("Words in the service's name").fill("good conduct")
    phone.get_by_role("button", name="Show services").click()
    expect(phone.locator(".charter-agency tbody tr").first).to_contain_text(
        "Certificate of good conduct"
    )
    phone.goto(live_server.url + "/centres/gpo-nairobi/?mda=NOPE")
    expect(phone.get_by_role("alert")).to_contain_text("Choose an agency from the list")
    assert_accessible(phone)
    phone.get_by_role("link", name="Show the whole charter").click()
    expect(phone.locator(".charter-agency")).to_have_count(23)


def test_centres_list_filtered_by_county(phone, live_server, world):
    phone.goto(live_server.url + "/centres/")
    expect(phone.locator("tbody tr")).to_have_count(2)
    phone.get_by_label("County").select_option(label="Kisumu")
    phone.get_by_role("button", name="Find centres").click()

    expect(phone.get_by_role("status")).to_have_text("1 centre")
    expect(phone.locator("tbody tr")).to_have_count(1)
    expect(phone.get_by_role("link", name="Huduma Centre Kisumu")).to_be_visible()
    assert "county=42" in phone.url  # a plain GET form: the result has its own address
    assert no_sideways_scroll(phone)
    assert_accessible(phone)

    phone.get_by_label("Name or town").fill("gpo")
    phone.get_by_label("County").select_option(label="All counties")
    phone.get_by_role("button", name="Find centres").click()
    expect(phone.locator("tbody tr")).to_have_count(1)
    expect(phone.get_by_role("link", name="Huduma Centre GPO")).to_be_visible()

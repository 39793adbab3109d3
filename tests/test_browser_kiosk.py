"""The hall kiosk as a citizen uses it, on a paired kiosk's touch screen (Chromium): from the
attract screen to the printed ticket by a tile and by typed search, and back to rest when left."""

import re

import pytest
from playwright.sync_api import expect

from huduma.queues import services
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1280, "height": 800}
# Headless Chromium has no printer: count the prints instead.
NO_PRINTER = "window.__printed = 0; window.print = function () { window.__printed += 1; };"
# Every touch target on screen (a box or radio counts by its label, which is what is touched).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a, button, summary, label.kiosk-check, input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el.textContent.trim() || el.name || el.id, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""


@pytest.fixture
def open_kiosk(browser, live_server, kiosk_token):
    """A page on a paired kiosk of GPO Nairobi (it holds the device cookie)."""
    contexts = []

    def open_(viewport):
        context = browser.new_context(viewport=viewport)
        context.add_init_script(NO_PRINTER)
        context.add_cookies(
            [{"name": "huduma_device", "value": kiosk_token, "url": live_server.url}]
        )
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def check_screen(page):
    """What every kiosk screen owes a citizen: accessible, 48 px targets, Continue in view."""
    assert_accessible(page)
    assert page.evaluate(SMALL_TARGETS) == []
    action = page.locator(".kiosk-continue")
    if action.count():
        box, viewport = action.bounding_box(), page.viewport_size
        assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box


def test_attract_screen_to_printed_ticket_through_a_popular_tile(open_kiosk, live_server, world):
    page = open_kiosk(PORTRAIT)
    page.goto(f"{live_server.url}/kiosk/gpo-nairobi/start/")
    check_screen(page)
    page.get_by_role("button", name="Touch to start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Take a ticket")
    check_screen(page)

    popular = page.locator("section", has=page.get_by_role("heading", name="Most used here"))
    popular.get_by_role("button", name="Replacement of a lost ID card").click()
    expect(page.locator(".kiosk-basket")).to_contain_text("Replacement of a lost ID card")
    check_screen(page)
    page.get_by_role("link", name="Continue").click()

    expect(page.get_by_text("Police abstract")).to_be_visible()
    check_screen(page)
    page.get_by_label("Mobile number (optional)").fill("0712 34")
    page.get_by_role("button", name="Issue ticket").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a phone number like 0712 345 678")
    check_screen(page)  # the error summary's link is a 48 px target as well
    page.get_by_label("Mobile number (optional)").fill("")
    page.get_by_text("I have every document on the list").click()
    page.get_by_text("Elderly").click()
    page.get_by_role("button", name="Issue ticket").click()

    expect(page.locator(".kiosk-ticket__number")).to_have_text("A001")
    expect(page.locator(".kiosk-ticket")).to_contain_text("Counter 1")
    expect(page.locator(".kiosk-ticket")).to_contain_text("Police abstract")
    expect(page.get_by_test_id("ahead")).to_have_text("No counter for this service is open yet.")
    page.wait_for_function("() => window.__printed === 1")  # it prints itself once loaded
    assert_accessible(page)
    assert page.evaluate(SMALL_TARGETS) == []
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("button", name="Gusa kuanza")).to_be_visible()


def test_typed_search_with_a_typo_and_agencies_in_kiswahili(open_kiosk, live_server, world):
    page = open_kiosk(LANDSCAPE)
    page.goto(f"{live_server.url}/kiosk/gpo-nairobi/start/")
    page.get_by_role("button", name="Gusa kuanza").click()
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    check_screen(page)

    # Results come as the citizen types (htmx), without a page load.
    page.locator("#kiosk-q").press_sequentially("kitambulsho")
    results = page.locator("#kiosk-results")
    expect(results.get_by_role("button", name="Kubadilisha kitambulisho")).to_be_visible()
    check_screen(page)
    results.get_by_role("button", name="Kubadilisha kitambulisho").click()
    page.get_by_role("link", name="Mamlaka ya Ushuru Kenya").click()
    page.get_by_role("button", name="Usajili wa PIN ya KRA").click()
    basket = page.locator(".kiosk-basket li")
    expect(basket).to_have_count(2)
    expect(basket.first).to_contain_text("Kubadilisha kitambulisho")
    check_screen(page)

    # The language switch keeps the choice, the words typed and the agency open.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(basket.first).to_contain_text("Replacement of a lost ID card")
    expect(page.locator("#kiosk-q")).to_have_value("kitambulsho")
    check_screen(page)

    page.get_by_role("link", name="Continue").click()
    check_screen(page)
    page.get_by_text("I have every document on the list").click()
    page.get_by_role("button", name="Issue ticket").click()
    services_shown = page.locator(".kiosk-ticket__services > li")
    expect(services_shown).to_have_count(2)
    expect(services_shown.first).to_contain_text("Counter 1")
    expect(services_shown.last).to_contain_text("KRA PIN registration")
    expect(services_shown.last).to_contain_text("Counter 3")
    assert_accessible(page)


def test_the_kiosk_goes_back_to_rest_when_left(open_kiosk, live_server, world, settings):
    settings.KIOSK_IDLE_SECONDS = settings.KIOSK_TICKET_SECONDS = 2
    page = open_kiosk(LANDSCAPE)
    page.goto(f"{live_server.url}/kiosk/gpo-nairobi/")
    page.get_by_role("button", name="Replacement of a lost ID card").first.click()
    expect(page.locator(".kiosk-basket li")).to_have_count(1)
    # Untouched: back to the attract screen, the choice gone.
    expect(page).to_have_url(re.compile(r"/kiosk/gpo-nairobi/start/$"), timeout=6000)

    visit = services.visit_issue(
        centre=world.gpo, services=[world.nhif_reg], channel="kiosk", requirements_confirmed=True
    )
    page.goto(f"{live_server.url}/kiosk/tickets/{visit.pk}/")
    expect(page.locator(".kiosk-ticket__number")).to_have_text(visit.number)
    # A printed ticket never stays on screen for the next person.
    expect(page).to_have_url(re.compile(r"/kiosk/gpo-nairobi/start/$"), timeout=6000)


def test_every_agency_is_an_icon_above_the_fold_grouped_by_sector(open_kiosk, live_server, world):
    """32 agencies at one centre (as at GPO): every agency button is on the first screen of a
    portrait kiosk, under its sector's heading and pictogram, without scrolling."""
    from huduma.catalogue.loader import LoadReport, load_mdas
    from huduma.catalogue.models import MDA, CentreService
    from tests.conftest import make_service

    load_mdas(LoadReport())  # the 46 agencies, names and sectors, as the reference data has them
    # GPO's 32 agencies: the three of the test world and 29 more.
    others = MDA.objects.exclude(code__in=["NRB", "NHIF", "KRA", "NTSA"]).order_by("code")
    agencies = [MDA.objects.get(code="NTSA"), *others[:28]]
    for mda in agencies:
        if not mda.services.exists():
            service = make_service(mda, f"{mda.code}-SVC", f"{mda.name_en} service", "Huduma")
            CentreService.objects.get_or_create(centre=world.gpo, service=service)
    shown = sorted({m.pk for m in MDA.objects.filter(services__offered_at__centre=world.gpo)})
    assert len(shown) == 32

    page = open_kiosk(PORTRAIT)
    page.goto(f"{live_server.url}/kiosk/gpo-nairobi/")
    sectors = page.locator(".kiosk-sector")
    assert sectors.count() >= 6
    # Each group names its sector beside its pictogram.
    for i in range(sectors.count()):
        heading = sectors.nth(i).locator("h3")
        expect(heading.locator("svg use")).to_have_count(1)
        assert heading.inner_text().strip()
    buttons = page.locator(".kiosk-agency")
    assert buttons.count() == len(shown)
    fold = page.viewport_size["height"] - page.locator(".kiosk-footer").bounding_box()["height"]
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["y"] + box["height"] <= fold, (buttons.nth(i).inner_text(), box, fold)
    assert page.evaluate("document.scrollingElement.scrollTop") == 0
    # A group holds the agencies of that sector: KRA under tax and money, NTSA under transport.
    expect(page.locator("#sector-money").locator("..")).to_contain_text("Kenya Revenue Authority")
    expect(page.locator("#sector-transport").locator("..")).to_contain_text(
        "National Transport and Safety Authority"
    )
    check_screen(page)
    # Touching an agency's icon lists its services.
    page.get_by_role("link", name="Kenya Revenue Authority").click()
    expect(page.get_by_role("heading", name="Kenya Revenue Authority")).to_be_visible()
    expect(page.get_by_role("button", name="KRA PIN registration")).to_be_visible()

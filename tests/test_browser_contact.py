"""The contact centre desk in Chromium (axe): left idle, it pops the caller's screen when the
agent's phone is answered; the agent answers from the knowledge base, lodges a complaint, and
wraps up once the call has ended, when the caller's history has closed."""

import datetime as dt

import pytest
from django.test import Client
from playwright.sync_api import expect

from huduma.catalogue.models import Article
from huduma.complaints.models import Complaint
from huduma.core import clock
from huduma.notify.models import Message
from huduma.places.hours import hours_on
from huduma.queues.appointments import bookable_day
from huduma.queues.models import Appointment
from tests.conftest import assert_accessible, idle_then_use
from tests.contact_helpers import CALLER, agents, caller_history, configure, send
from tests.test_tutorials import make_tutorial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 800}


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.idle_pages("contact/desk.html")
def test_the_desk_left_idle_pops_the_callers_screen(browser, live_server, world, settings):
    configure(settings)
    settings.CONTACT_DESK_POLL_SECONDS = 1
    agents()
    _visit, application, _payment, _complaint = caller_history(world)
    Article.objects.create(
        slug="lost-id-what-to-do",
        service=world.id_dup,
        title_en="I lost my ID card. What do I do first?",
        title_sw="Nimepoteza kitambulisho changu. Nifanye nini kwanza?",
        body_en="Report the loss at any police station and ask for a police abstract.",
        body_sw="Ripoti kupotea kwa kitambulisho katika kituo chochote cha polisi.",
    )
    tomorrow = clock.local_date() + dt.timedelta(days=1)
    while not bookable_day(tomorrow) or hours_on(world.gpo, tomorrow) is None:
        tomorrow += dt.timedelta(days=1)
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "agnes", "pw-agnes")
    page.goto(f"{live_server.url}/contact/")
    expect(page.get_by_role("heading", name="Contact centre desk")).to_be_visible()
    send(Client(), "new", "pbx-77")
    expect(page.locator("[data-figure=waiting]")).to_have_text("1", timeout=4000)
    assert_accessible(page)
    idle_then_use(page)

    # The agent's phone is answered: the desk's next poll opens the caller's screen.
    send(Client(), "answered", "pbx-77", ext="201")
    expect(page.get_by_test_id("caller")).to_have_text(CALLER, timeout=4000)
    expect(page.get_by_test_id("applications")).to_contain_text(application.tracking_number)
    assert_accessible(page)

    page.get_by_label("Search public articles").fill("lost ID")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_label("Language of the SMS").first.select_option("sw")
    page.get_by_role("button", name="Send this answer by SMS").click()
    expect(page.get_by_test_id("done")).to_have_text("The answer was sent by SMS.")
    sms = Message.objects.get(template="contact_article")
    assert sms.to == CALLER and sms.body.startswith("Huduma: Nimepoteza kitambulisho")

    complaint = page.get_by_role("region", name="Lodge a complaint for the caller")
    complaint.get_by_role("button", name="Lodge the complaint").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose what the complaint is about")
    assert_accessible(page)
    complaint.get_by_label("What is the complaint about?").select_option("delay")
    complaint.get_by_label("What happened, in the caller's words").fill(
        "Waited three hours at GPO and was sent away."
    )
    complaint.get_by_role("button", name="Lodge the complaint").click()
    expect(page.get_by_test_id("done")).to_contain_text("Complaint lodged")
    lodged = Complaint.objects.get(channel="contact_centre")
    assert lodged.phone == CALLER and lodged.created_by.username == "agnes"

    booking = page.get_by_role("region", name="Book an appointment")
    booking.get_by_label("Huduma Centre").select_option(label="Huduma Centre GPO")
    booking.get_by_label("Service").select_option(label="KRA PIN registration")
    booking.get_by_label("Day").fill(f"{tomorrow:%Y-%m-%d}")
    booking.get_by_role("button", name="Show free times").click()
    booking = page.get_by_role("region", name="Book an appointment")
    booking.get_by_label("10:15").check()
    assert_accessible(page)
    booking.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_test_id("done")).to_contain_text("Booked: AP-")
    assert Appointment.objects.get().phone == CALLER

    # The caller hangs up: the history closes; the wrap-up brings the agent back to the desk.
    send(Client(), "hungup", "pbx-77")
    page.reload()
    expect(page.get_by_test_id("call-ended")).to_be_visible()
    expect(page.get_by_test_id("history")).to_have_count(0)
    page.get_by_label("Outcome").select_option("resolved")
    page.get_by_label("Wrap-up code").select_option("complaint")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_role("heading", name="Contact centre desk")).to_be_visible()
    expect(page.locator("[data-figure=answered]")).to_have_text("1")
    assert_accessible(page)
    page.context.close()


def test_a_tutorial_from_its_service_page_in_both_languages(browser, live_server, world):
    make_tutorial(world.kra_pin)
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"{live_server.url}/services/KRA-PIN/")
    page.get_by_role("link", name="Register for a KRA PIN online").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for a KRA PIN online")
    steps = page.locator(".tutorial-step")
    expect(steps).to_have_count(3)
    expect(steps.nth(1).get_by_role("heading")).to_have_text("Step 2")
    picture = steps.nth(1).get_by_role("img", name="Picture of step 2")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")  # served by us
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    assert_accessible(page)
    page.get_by_role("button", name="Kiswahili").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Jisajili kupata PIN ya KRA mtandaoni"
    )
    expect(steps.nth(1).get_by_role("heading")).to_have_text("Hatua 2")
    expect(steps.nth(1)).to_contain_text("Andika nambari ya kitambulisho.")
    expect(steps.nth(1).get_by_role("img", name="Picha ya hatua 2")).to_be_visible()
    assert_accessible(page)
    page.context.close()

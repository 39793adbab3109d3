"""A citizen on a 360x740 phone: book, move and cancel an appointment; join with a mistyped
number corrected in place; a virtual ticket that turns to "go to counter N" without a reload,
then cancelled.
Every page fits the screen (no sideways scroll) and passes axe-core."""

import pytest
from playwright.sync_api import expect

from huduma.notify.backends import MemoryBackend
from huduma.queues import holders, services
from huduma.queues.models import Appointment
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def fits_and_accessible(page):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


def test_book_then_move_then_cancel_an_appointment(phone, live_server, world, clock):
    page = phone
    page.goto(f"{live_server.url}/queue/gpo-nairobi/book/")
    expect(page.get_by_text("Saturday 09:00 to 13:00")).to_be_visible()
    expect(page.get_by_label("Sun 29 Nov")).to_have_count(0)  # closed days are not offered
    fits_and_accessible(page)
    page.get_by_label("Service").select_option(label="Replacement of a lost ID card")
    page.get_by_label("Wed 25 Nov").check()
    page.get_by_role("button", name="See free times").click()
    page.get_by_label("10:00").check()
    chip = page.locator("label.chip", has_text="10:00").bounding_box()
    assert chip["height"] >= 48  # a target a thumb can hit
    fits_and_accessible(page)
    page.get_by_label("Mobile number").fill("0712 345 678")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    expect(page.get_by_text("Wednesday 25 November 2026, 10:00")).to_be_visible()
    expect(page.get_by_text("Police abstract")).to_be_visible()
    fits_and_accessible(page)

    page.get_by_role("link", name="Move or cancel this appointment").click()
    page.get_by_label("Mobile number you booked with").fill("0712 000 000")  # not the one
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("No booking matches")
    fits_and_accessible(page)
    page.get_by_label("Mobile number you booked with").fill("0712 345 678")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    fits_and_accessible(page)
    page.get_by_role("link", name="Move to another time").click()
    fits_and_accessible(page)
    page.get_by_label("Sat 28 Nov").check()
    page.get_by_role("button", name="See free times").click()
    page.get_by_label("09:00").check()
    fits_and_accessible(page)
    page.get_by_role("button", name="Move my appointment").click()
    expect(page.get_by_text("Your appointment is moved")).to_be_visible()
    expect(page.get_by_text("Saturday 28 November 2026, 09:00")).to_be_visible()

    page.get_by_role("link", name="Move or cancel this appointment").click()
    page.get_by_role("link", name="Cancel the appointment").click()
    fits_and_accessible(page)
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment cancelled")
    fits_and_accessible(page)


def test_join_with_a_mistyped_number_corrected_in_place(phone, live_server, world, clock):
    page = phone
    page.goto(f"{live_server.url}/queue/gpo-nairobi/join/")
    fits_and_accessible(page)
    page.get_by_label("Service").select_option(label="Replacement of a lost ID card")
    page.get_by_label("Mobile number").fill("0712 34")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a phone number like 0712 345 678")
    expect(page.get_by_label("Mobile number")).to_have_value("0712 34")
    fits_and_accessible(page)
    page.get_by_label("Mobile number").fill("0712 345 678")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Do you have these documents?")).to_be_visible()
    fits_and_accessible(page)
    page.get_by_label("Yes, I have every document on the list").check()
    page.get_by_role("button", name="Get my ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket A001")
    expect(page.get_by_text("No counter for this service is open yet")).to_be_visible()
    fits_and_accessible(page)


def test_the_virtual_ticket_changes_to_called_without_a_reload(
    phone, live_server, world, clock, officers, settings
):
    settings.QMS_TICKET_POLL_SECONDS = 1
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    visit = services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="web",
        requirements_confirmed=True,
        phone="0712345678",
        language="en",
    )
    page = phone
    transferred = []
    page.on("response", lambda r: transferred.append(len(r.body())) if r.ok else None)
    page.goto(f"{live_server.url}/queue/tickets/{visit.pk}/")
    expect(page.get_by_text("You are at the front of the queue")).to_be_visible()
    assert sum(transferred) < 100_000  # the page with its style sheet and script
    fits_and_accessible(page)
    page.evaluate("window.stillThisPage = true")

    services.ticket_call_next(counter=counter, officer=officers[2])
    expect(page.get_by_text("Go to counter 2 now")).to_be_visible(timeout=5000)
    assert page.evaluate("window.stillThisPage === true")  # updated in place, not reloaded
    fits_and_accessible(page)

    page.get_by_role("link", name="Cancel my ticket").click()
    fits_and_accessible(page)
    # This phone followed the ticket's link (it did not join): it is asked for the cancel code.
    page.get_by_role("button", name="Yes, cancel my ticket").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_and_accessible(page)
    page.get_by_label("Cancel code").fill(holders.visit_holder_code(visit))
    page.get_by_role("button", name="Yes, cancel my ticket").click()
    expect(page.get_by_text("This ticket is cancelled")).to_be_visible()


def test_back_then_book_again_keeps_one_appointment(phone, live_server, world, clock):
    """Back from the confirmation, then Book again: the same booking, not a second one with a
    second SMS (the browser may restore the form with another time ticked)."""
    page = phone
    page.goto(f"{live_server.url}/queue/gpo-nairobi/book/")
    page.get_by_label("Service").select_option(label="Replacement of a lost ID card")
    page.get_by_label("Wed 25 Nov").check()
    page.get_by_role("button", name="See free times").click()
    page.get_by_label("10:00").check()
    page.get_by_label("Mobile number").fill("0712 345 678")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    first = page.url
    page.go_back()
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment booked")
    assert page.url == first
    assert Appointment.objects.filter(phone="+254712345678").count() == 1
    assert [to for to, _body in MemoryBackend.outbox] == ["+254712345678"]
    fits_and_accessible(page)

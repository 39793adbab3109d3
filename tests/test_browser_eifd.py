"""The feedback tablet at counter 1 (Chromium): paired with its code, it shows the faces as soon
as the officer finishes a ticket, takes the rating and the reasons, and is accessible."""

import re

import pytest
from playwright.sync_api import expect

from huduma.accounts import devices
from huduma.feedback import services as feedback
from huduma.feedback.models import Rating
from huduma.notify.backends import MemoryBackend
from huduma.notify.models import Message
from tests.conftest import assert_accessible
from tests.feedback_helpers import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tablet_rates_the_ticket_just_finished(browser, live_server, world):
    counter = world.counters[("gpo-nairobi", 1)]
    _device, code = devices.device_register(
        centre=world.gpo, kind="feedback_tablet", name="Tablet 1", counter=counter, actor=world.bob
    )
    tablet = browser.new_context(viewport={"width": 800, "height": 1280}).new_page()
    tablet.goto(f"{live_server.url}/device/pair/?code={code}")
    tablet.get_by_role("button", name="Pair this device").click()
    expect(tablet.get_by_text("How was our service?")).to_be_visible()
    tablet.wait_for_load_state("load")
    # The whole page, with htmx and the stylesheet, stays under the citizen page budget.
    transferred = tablet.evaluate(
        "() => performance.getEntries().reduce((s, e) => s + (e.transferSize || 0), 0)"
    )
    assert 0 < transferred < 100_000
    assert_accessible(tablet)
    faces = tablet.get_by_role("button")
    expect(faces).to_have_count(5)
    for box in (faces.nth(i).bounding_box() for i in range(5)):
        assert box["width"] >= 48 and box["height"] >= 48  # touch targets

    serve(world, counter, world.alice, world.id_dup)
    # The tablet polls every two seconds: the finished ticket is on screen within three.
    expect(tablet.get_by_test_id("eifd-ticket")).to_contain_text("A001", timeout=3000)
    assert_accessible(tablet)
    tablet.get_by_role("button", name=re.compile(r"\bBad$")).click()
    expect(tablet.get_by_test_id("eifd-thanks")).to_be_visible()
    assert_accessible(tablet)
    tablet.get_by_label("Long wait").check()
    tablet.get_by_label("Comment (optional)").fill("Foleni ndefu")
    tablet.get_by_role("button", name="Send").click()
    expect(tablet.get_by_test_id("eifd-done")).to_be_visible()
    assert_accessible(tablet)

    rating = Rating.objects.get()
    assert (rating.score, rating.reasons, rating.comment) == (2, ["long_wait"], "Foleni ndefu")
    tablet.context.close()


def test_device_page_and_rating_link_are_accessible(browser, live_server, world, clock):
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.goto(f"{live_server.url}/staff/sign-in/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("pw-bob")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/staff/centres/gpo-nairobi/devices/")
    page.get_by_label("Name").fill("Tablet 2")
    page.get_by_label("Counter").select_option(label="Counter 2")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("pairing-code")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    assert_accessible(page)
    page.context.close()

    serve(world, world.counters[("gpo-nairobi", 1)], world.alice, world.id_dup, phone="0712345678")
    clock.advance(minutes=11)
    feedback.rating_invitations_send()
    Message.objects.get(template="rating_invite")
    link = re.search(r"(/r/\S+/)", MemoryBackend.outbox[-1][1])[1]  # as the phone got it
    phone = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    phone.goto(f"{live_server.url}{link}")
    assert_accessible(phone)
    phone.get_by_label("Very good").check()
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_role("status")).to_contain_text("Your rating has been recorded")
    assert_accessible(phone)
    phone.context.close()

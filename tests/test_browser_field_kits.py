"""The Centre Manager's field-kits page in Chromium: register a kit for an outreach, see its
enrolment code and command, revoke it; axe-core clean."""

import pytest
from playwright.sync_api import expect

from huduma.accounts.models import Device
from huduma.outreach.sync_models import FieldKit
from tests.conftest import assert_accessible
from tests.outreach_world import add_mashinani, agreed, coming_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_registers_and_revokes_a_field_kit(browser, live_server, world):
    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    base = live_server.url
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("pw-bob")
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/staff/centres/gpo-nairobi/field-kits/")
    assert_accessible(page)
    page.get_by_label("Name of the kit").fill("Kit Kibra")
    page.get_by_label("Outreach").select_option(str(outreach.pk))
    alice = page.get_by_label("Alice")
    # The officer's checkbox sits beside the name, not on a line of its own above it.
    words = page.locator("label[for]", has_text="Alice")
    assert abs(alice.bounding_box()["y"] - words.bounding_box()["y"]) < 12
    alice.check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("enrol-code")).to_be_visible()
    expect(page.get_by_test_id("enrol-command")).to_contain_text("fieldkit enroll --server")
    expect(page.get_by_test_id("kits")).to_contain_text("Kibra")
    assert_accessible(page)

    page.get_by_role("button", name="Revoke Kit Kibra").click()
    assert_accessible(page)  # the question, before anything is revoked
    page.get_by_role("button", name="Yes, revoke it").click()
    expect(page.get_by_test_id("kits")).to_contain_text("Revoked")
    assert FieldKit.objects.get().device.status == Device.Status.REVOKED
    page.context.close()

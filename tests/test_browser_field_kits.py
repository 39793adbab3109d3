"""The Centre Manager's field-kits page in Chromium: register a kit for an outreach, see its
enrolment code and command, revoke it; axe-core clean."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from huduma.accounts.models import Device
from huduma.outreach.sync_models import FieldKit
from huduma.queues.models import Ticket
from tests.conftest import assert_accessible
from tests.outreach_helpers import Kit, push
from tests.outreach_world import add_mashinani, agreed, coming_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_manager(browser, base):
    """bob, GPO's Centre Manager, signed in on a desk-sized screen."""
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("pw-bob")
    page.get_by_role("button", name="Sign in").click()
    return page


def test_manager_registers_and_revokes_a_field_kit(browser, live_server, world):
    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    base = live_server.url
    page = signed_in_manager(browser, base)

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


def test_manager_compares_a_conflict_field_by_field_and_decides(browser, live_server, world):
    """The kits page lists what it refused with the reason; a conflict opens on a page with
    each field's server and kit value, who made each and when; axe-clean throughout."""
    kit = Kit(world)
    client = Client()
    items = kit.visit()
    push(client, kit, items)
    Ticket.objects.filter(pk=items[1]["id"]).update(status="cancelled")
    push(client, kit, [kit.changed(items[1], status="served")])
    push(client, kit, [kit.changed(items[0], priority="elderly")])  # refused, with its reason

    base = live_server.url
    page = signed_in_manager(browser, base)
    page.goto(f"{base}/staff/centres/gpo-nairobi/field-kits/")
    expect(page.get_by_test_id("refused")).to_contain_text("a kit cannot change a priority")
    assert_accessible(page)

    page.get_by_role("link", name="Compare and decide").click()
    status = page.get_by_test_id("fields").get_by_role("row").filter(has_text="status")
    expect(status.first).to_contain_text("cancelled")
    expect(status.first).to_contain_text("served")
    expect(page.get_by_test_id("who")).to_contain_text("Kit mashinani-kibra-2026-12")
    assert_accessible(page)
    page.get_by_role("button", name="Take the kit's").click()
    expect(page.get_by_text("Conflict resolved.")).to_be_visible()
    assert Ticket.objects.get(pk=items[1]["id"]).status == "served"
    page.context.close()


def test_a_double_click_on_register_makes_one_kit_whose_code_works(browser, live_server, world):
    from huduma.outreach import enrolment

    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    base = live_server.url
    page = signed_in_manager(browser, base)
    page.goto(f"{base}/staff/centres/gpo-nairobi/field-kits/")
    page.get_by_label("Name of the kit").fill("Kit Kibra")
    page.get_by_label("Outreach").select_option(str(outreach.pk))
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    # Two presses before the first answer comes back (a slow link): both reach the server.
    page.get_by_role("button", name="Register").evaluate(
        "b => { b.form.requestSubmit(b); setTimeout(() => b.form.requestSubmit(b), 50); }"
    )
    code = page.get_by_test_id("enrol-code")
    expect(code).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert len(posts) == 2  # both presses reached the server
    assert FieldKit.objects.count() == 1
    kit, _token = enrolment.field_kit_enroll(code=page.get_by_test_id("enrol-code").inner_text())
    assert kit.device.name == "Kit Kibra"
    # Enrolled: the list no longer offers a new code for it.
    page.goto(f"{base}/staff/centres/gpo-nairobi/field-kits/")
    expect(page.get_by_test_id("kits")).to_contain_text("Kit Kibra")
    expect(page.get_by_role("button", name="New enrolment code Kit Kibra")).to_have_count(0)
    assert_accessible(page)
    page.context.close()

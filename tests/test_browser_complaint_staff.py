"""The staff complaint pages in Chromium: the Centre Manager takes, starts and resolves a
complaint with an internal resolution and a separate public status note; the reviewer sees an
overdue case flagged; axe-core clean at every step."""

import datetime as dt

import pytest
from django.test import Client
from playwright.sync_api import expect

from huduma.accounts.models import Role, User
from huduma.catalogue.models import MDA
from huduma.complaints import services
from huduma.complaints.models import Category, Channel, Complaint
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def test_manager_resolves_with_a_public_note(browser, live_server, world):
    complaint = services.complaint_lodge(
        channel=Channel.WEB,
        category=Category.SERVICE_QUALITY,
        text="No seats in the hall all morning.",
        phone="0712345678",
        centre=world.gpo,
    )
    page = signed_in_page(browser, live_server, world.bob)
    page.goto(f"{live_server.url}/staff/complaints/")
    assert_accessible(page)
    page.get_by_role("link", name=complaint.reference).click()
    page.get_by_role("button", name="Take this complaint").click()
    page.get_by_role("button", name="Start work").click()
    expect(page.get_by_label("Public status note (optional)")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What was done").fill("Officer Peter Mwangi moved 20 chairs in.")
    page.get_by_label("Public status note (optional)").fill("More seats were put in the hall.")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_test_id("public-note")).to_have_text("More seats were put in the hall.")
    assert_accessible(page)
    complaint.refresh_from_db()
    assert complaint.public_note == "More seats were put in the hall."
    page.context.close()


def test_reviewer_sees_an_overdue_case_flagged(browser, live_server, world):
    caj = MDA.objects.create(code="CAJ", name_en="Commission on Administrative Justice")
    olive = User.objects.create_user(username="olive", password="pw", role=Role.MONITOR, mda=caj)
    complaint = services.complaint_lodge(
        channel=Channel.WEB,
        category=Category.SERVICE_QUALITY,
        text="The supervisor shouted at me.",
        phone="0712345678",
        centre=world.gpo,
        names_staff=True,
    )
    services.complaints_sweep(now=complaint.created_at + dt.timedelta(days=60))
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.overdue_since is not None
    page = signed_in_page(browser, live_server, olive)
    page.goto(f"{live_server.url}/staff/complaints/")
    expect(page.get_by_role("cell", name="Overdue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=complaint.reference).click()
    expect(page.get_by_test_id("overdue")).to_contain_text("Overdue since")
    assert_accessible(page)
    page.context.close()


def test_a_swahili_complainant_is_answered_in_swahili(browser, live_server, world):
    """The form says which language the complainant reads; an English answer to a Swahili
    complainant is refused at its field (the SMS would be half English) unless chosen."""
    from huduma.notify.models import Message

    complaint = services.complaint_lodge(
        channel=Channel.WEB,
        category=Category.SERVICE_QUALITY,
        text="Hakuna viti ukumbini asubuhi yote.",
        phone="0712345678",
        centre=world.gpo,
        language="sw",
    )
    page = signed_in_page(browser, live_server, world.bob)
    page.goto(f"{live_server.url}/staff/complaints/{complaint.reference}/")
    page.get_by_role("button", name="Take this complaint").click()
    expect(
        page.get_by_text("The complainant reads Kiswahili: write it in Kiswahili.")
    ).to_be_visible()
    page.get_by_label("What was done").fill("We have put twenty more chairs in the hall for you.")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_role("alert")).to_contain_text("The complainant reads Kiswahili")
    # What the officer wrote is still there to rewrite, not lost with the refusal.
    expect(page.get_by_label("What was done")).to_have_value(
        "We have put twenty more chairs in the hall for you."
    )
    assert_accessible(page)
    assert not Message.objects.filter(template="complaint_resolved").exists()
    page.get_by_label("What was done").fill("Tumeweka viti ishirini zaidi ukumbini kwa ajili yako.")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_test_id("status")).to_contain_text("Resolved")
    body = Message.objects.get(template="complaint_resolved").body
    assert "yametatuliwa: Tumeweka viti" in body
    page.context.close()

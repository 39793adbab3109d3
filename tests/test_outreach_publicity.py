"""Publicity: the SMS announcement goes once to the opted-in citizens of that sub-county only;
opting in by SMS keyword; the printable poster; citizens' suggestions."""

import datetime as dt

import pytest

from huduma.core.errors import DomainError
from huduma.notify.keywords import sms_route
from huduma.notify.models import Message
from huduma.outreach import planning, publicity
from huduma.outreach.plan_models import OptIn, Outreach
from tests.outreach_world import add_mashinani, planned


@pytest.fixture
def mashinani(world):
    return add_mashinani(world)


def agreed(world):
    outreach = planned(world, world.westlands, [dt.date(2026, 12, 2), dt.date(2026, 12, 3)])
    planning.outreach_assign_officer(
        outreach=outreach, service=world.id_dup, officer=world.dave, actor=world.bob
    )
    planning.outreach_assign_officer(
        outreach=outreach, service=world.nhif_reg, officer=world.erin, actor=world.bob
    )
    return planning.outreach_agree(
        outreach=outreach,
        name="J. Otieno",
        office="Chief",
        agreed_on=dt.date(2026, 11, 24),
        actor=world.bob,
    )


def test_announcement_is_sent_once_to_opted_in_citizens_of_that_sub_county(
    mashinani, clock, django_capture_on_commit_callbacks
):
    publicity.opt_in(
        phone="0712 000 001", sub_county=mashinani.westlands, language="sw", source="web"
    )
    publicity.opt_in(
        phone="0712 000 002", sub_county=mashinani.westlands, language="en", source="web"
    )
    publicity.opt_in(phone="0712 000 003", sub_county=mashinani.kibra, language="sw", source="web")
    publicity.opt_in(
        phone="0712 000 004", sub_county=mashinani.westlands, language="sw", source="sms"
    )
    publicity.opt_out(phone="+254712000004")
    outreach = agreed(mashinani)

    with django_capture_on_commit_callbacks(execute=True):
        announcement = publicity.outreach_announce(outreach=outreach, actor=mashinani.bob)
        publicity.outreach_announce(outreach=outreach, actor=mashinani.bob)  # a double click

    assert announcement.recipients == 2
    sent = Message.objects.filter(template="outreach_announcement")
    assert sorted(sent.values_list("to", flat=True)) == ["+254712000001", "+254712000002"]
    english = sent.get(to="+254712000002").body
    assert "02/12/2026 & 03/12/2026" in english and "Chief's camp, Parklands" in english
    assert "Replacement of a lost ID card" in english and "Bring" in english
    swahili = sent.get(to="+254712000001").body
    assert "Kubadilisha kitambulisho kilichopotea" in swahili
    outreach.refresh_from_db()
    assert outreach.status == Outreach.Status.ANNOUNCED
    # Announced again later: still once.
    publicity.outreach_announce(outreach=outreach, actor=mashinani.bob)
    assert sent.count() == 2


def test_the_plan_counts_the_citizens_told_in_plain_words(mashinani, client, clock):
    publicity.opt_in(
        phone="0712 000 001", sub_county=mashinani.westlands, language="sw", source="web"
    )
    outreach = agreed(mashinani)
    publicity.outreach_announce(outreach=outreach, actor=mashinani.bob)
    client.force_login(mashinani.bob)
    page = client.get(f"/staff/outreach/{outreach.pk}/").content.decode()
    assert "Announced by SMS to 1 citizen on " in page  # not "1 citizens"


def test_a_proposed_outreach_cannot_be_announced(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    with pytest.raises(DomainError) as error:
        publicity.outreach_announce(outreach=outreach, actor=mashinani.bob)
    assert error.value.field == "status"
    assert not Message.objects.exists()


def test_opting_in_and_out_by_sms_keyword(mashinani, clock):
    assert sms_route(phone="+254712000009", text="mashinani westlands") == "opted in to Westlands"
    row = OptIn.objects.get()
    assert (row.phone, row.sub_county, row.source) == ("+254712000009", mashinani.westlands, "sms")
    assert Message.objects.filter(template="outreach_opted_in").count() == 1
    assert sms_route(phone="+254712000009", text="MASHINANI Atlantis") == (
        "sent outreach opt-in instructions"
    )
    assert sms_route(phone="+254712000009", text="MASHINANI STOP") == (
        "opted out of outreach announcements"
    )
    row.refresh_from_db()
    assert row.opted_out_at is not None
    assert publicity.opt_in_from_sms(phone="+254712000009", text="JOIN X Y") is None


def test_public_opt_in_and_suggestion_pages(mashinani, client, clock):
    response = client.get("/mashinani/")
    assert response.status_code == 200
    assert "Westlands" in response.content.decode()
    response = client.post(
        "/mashinani/",
        {"sub_county": mashinani.kibra.pk, "phone": "0712 345 678", "language": "en"},
    )
    assert response.status_code == 302
    assert OptIn.objects.get().sub_county == mashinani.kibra
    response = client.post("/mashinani/", {"sub_county": mashinani.kibra.pk, "phone": "12ab"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    # Nothing chosen and nothing typed: both named at once, in the order of the page.
    response = client.post("/mashinani/", {"sub_county": "", "phone": "", "language": "sw"})
    summary = response.content.decode().split('id="error-summary"')[1].split("</div>")[0]
    assert summary.index('href="#sub_county"') < summary.index('href="#phone"')

    response = client.post(
        "/mashinani/suggest/",
        {"sub_county": mashinani.kibra.pk, "venue": "Olympic primary school", "services": "NHIF"},
    )
    assert response.status_code == 302
    response = client.post("/mashinani/suggest/", {"sub_county": mashinani.kibra.pk})
    assert response.status_code == 400
    response = client.post("/mashinani/suggest/", {"sub_county": "", "venue": " "})
    summary = response.content.decode().split('id="error-summary"')[1].split("</div>")[0]
    assert summary.index('href="#sub_county"') < summary.index('href="#venue"')


def test_suggestions_are_throttled(mashinani, client, clock, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    codes = [
        client.post(
            "/mashinani/suggest/", {"sub_county": mashinani.kibra.pk, "venue": f"Hall {n}"}
        ).status_code
        for n in range(12)
    ]
    assert codes[0] == 302 and codes[-1] == 429


def test_poster_renders_in_both_languages(mashinani, client, clock):
    outreach = agreed(mashinani)
    client.force_login(mashinani.bob)
    response = client.get(f"/staff/outreach/{outreach.pk}/poster/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Huduma Mashinani",
        "Chief&#x27;s camp",
        "Replacement of a lost ID card",
        "Kubadilisha kitambulisho kilichopotea",
        "Huduma za serikali karibu nawe",
        "02/12/2026",
        # The outreach's own ticket letter, in both languages.
        f"Tickets at the tent are numbered {outreach.ticket_prefix}001",
        f"Tiketi hemani zina nambari {outreach.ticket_prefix}001",
    ):
        assert text in html, text


def test_the_api_lists_announced_outreaches_from_today(mashinani, client, clock):
    outreach = agreed(mashinani)
    assert client.get("/api/outreach/upcoming").json() == []  # agreed, not yet announced
    publicity.outreach_announce(outreach=outreach, actor=mashinani.bob)
    body = client.get("/api/outreach/upcoming?county=47&sub_county=westlands").json()
    assert [r["id"] for r in body] == [outreach.pk]
    assert body[0]["days"] == ["2026-12-02", "2026-12-03"]
    assert {s["code"] for s in body[0]["services"]} == {"NRB-ID-DUPLICATE", "NHIF-REGISTRATION"}
    assert client.get("/api/outreach/upcoming?county=42").json() == []
    response = client.get("/api/outreach/upcoming?county=99")
    assert response.status_code == 422 and response.json()["field"] == "county"
    response = client.get("/api/outreach/upcoming?colour=red")
    assert response.status_code == 400 and response.json()["field"] == "colour"

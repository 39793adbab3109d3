"""The establishment against a test world: required officers from history (Erlang C, at least
two per service), deployed per MDA, gaps; redeployment requests and their answers; who sees
what."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from huduma.accounts.models import Role, User
from huduma.core.errors import Conflict, DomainError, Forbidden
from huduma.queues.models import Ticket, Visit
from huduma.staffing import services
from huduma.staffing.establishment import (
    centre_establishment,
    erlang_c_wait,
    officers_needed,
)
from huduma.staffing.models import RedeploymentRequest
from tests.conftest import sign_in_verified

NAIROBI = ZoneInfo("Africa/Nairobi")
_seq = iter(range(1, 10**6))


def served(world, centre, service, at: dt.datetime, minutes: float, officer=None):
    n = next(_seq)
    visit = Visit.objects.create(
        centre=centre,
        service_day=at.date(),
        prefix="A",
        sequence=n,
        number=f"A{n:03d}",
        arrived_at=at,
        channel="reception",
    )
    return Ticket.objects.create(
        visit=visit,
        centre=centre,
        service=service,
        position=0,
        status=Ticket.Status.SERVED,
        started_at=at + dt.timedelta(minutes=1),
        finished_at=at + dt.timedelta(minutes=1 + minutes),
        officer=officer,
    )


@pytest.fixture
def history(world, clock):
    """Every Monday of the last eight weeks, 12 NRB replacements between 09:00 and 10:00, ten
    minutes each; nothing for NHIF or KRA."""
    today = dt.date(2026, 11, 24)
    monday = today - dt.timedelta(days=today.weekday())
    for week in range(8):  # Monday 23 November (yesterday) and the seven before
        day = monday - dt.timedelta(weeks=week)
        for i in range(12):
            at = dt.datetime(day.year, day.month, day.day, 9, 5 * i, tzinfo=NAIROBI)
            served(world, world.gpo, world.id_dup, at, 10, world.alice)
    world.nadia = User.objects.create_user(
        username="nadia", role=Role.BACK_OFFICE, mda=world.nrb, first_name="Nadia"
    )
    return world


def test_erlang_c_by_hand():
    # a = 2 Erlang on 3 officers: P(wait) = 4/9, mean wait = 4/9 * 10 / (3 - 2) minutes.
    assert erlang_c_wait(12 / 60, 10, 3) == pytest.approx(40 / 9)
    assert erlang_c_wait(12 / 60, 10, 2) == float("inf")
    assert officers_needed(12, 10) == 3
    assert officers_needed(0, 10) == 0


def test_establishment_figures(history):
    rows = {r.mda.code: r for r in centre_establishment(history.gpo)}
    nrb = rows["NRB"]
    (replacement,) = nrb.services
    assert replacement.peak_arrivals_per_hour == pytest.approx(12)
    assert replacement.service_min == pytest.approx(10)
    assert replacement.required == 3  # Erlang C keeps the mean within 10 minutes with 3
    assert nrb.required == 3 and nrb.deployed == 1 and nrb.gap == 2  # alice alone
    # Monday 09-10 needs 3; the other 44 opening hours of the week need none.
    assert replacement.profile[1] == 3 and sum(replacement.profile) == 3
    # No history: never fewer than two per service.
    assert rows["NHIF"].required == 2 and rows["NHIF"].deployed == 0
    assert rows["KRA"].services[0].required == 2


def test_a_surplus_shows_as_negative_gap(history):
    for i in range(4):
        User.objects.create_user(
            username=f"nrb{i}", role=Role.COUNTER_OFFICER, centre=history.gpo, mda=history.nrb
        )
    nrb = {r.mda.code: r for r in centre_establishment(history.gpo)}["NRB"]
    assert nrb.deployed == 5 and nrb.gap == -2


def test_redeployment_request_and_answer(history):
    with pytest.raises(Forbidden):
        services.redeployment_request(
            centre=history.gpo, mda=history.nrb, change=2, reason="x", actor=history.alice
        )
    with pytest.raises(DomainError) as exc:
        services.redeployment_request(
            centre=history.gpo, mda=history.nrb, change=2, reason=" ", actor=history.bob
        )
    assert exc.value.field == "reason"
    req = services.redeployment_request(
        centre=history.gpo, mda=history.nrb, change=2, reason="Monday peak", actor=history.bob
    )
    with pytest.raises(Conflict):  # one open request per centre and MDA
        services.redeployment_request(
            centre=history.gpo, mda=history.nrb, change=1, reason="again", actor=history.bob
        )
    other_liaison = User.objects.create_user(username="kim", role=Role.BACK_OFFICE, mda=history.kra)
    with pytest.raises(Forbidden):
        services.redeployment_answer(request=req, agreed=True, answer="", actor=other_liaison)
    with pytest.raises(DomainError):  # a refusal says why
        services.redeployment_answer(request=req, agreed=False, answer="", actor=history.nadia)
    services.redeployment_answer(
        request=req, agreed=True, answer="Two from Jan", actor=history.nadia
    )
    req.refresh_from_db()
    assert req.status == RedeploymentRequest.Status.AGREED and req.answered_by == history.nadia
    with pytest.raises(Conflict):  # answered once
        services.redeployment_answer(request=req, agreed=False, answer="no", actor=history.sam)


def test_who_sees_the_establishment_page(history, client):
    url = f"/staff/centres/{history.gpo.code}/establishment/"
    client.force_login(history.alice)
    assert client.get(url).status_code == 403  # a counter officer
    client.force_login(history.charlie)
    assert client.get(url).status_code == 403  # another centre's officer
    client.force_login(history.bob)
    page = client.get(url).content.decode()
    assert "Required 3, deployed 1." in page and "2 officers short" in page
    client.force_login(history.nadia)  # NRB's liaison: only NRB
    page = client.get(url).content.decode()
    assert "Required 3, deployed 1." in page and "National Hospital Insurance Fund" not in page
    sign_in_verified(client, history.sam)
    assert "National Hospital Insurance Fund" in client.get(url).content.decode()


def test_the_request_form_names_the_field_at_fault(history, client):
    client.force_login(history.bob)
    url = f"/staff/centres/{history.gpo.code}/establishment/"
    response = client.post(
        url, {"mda": history.nrb.pk, "direction": "more", "change": "lots", "reason": "peak"}
    )
    assert response.status_code == 400
    assert 'href="#change"' in response.content.decode()
    assert not RedeploymentRequest.objects.exists()
    response = client.post(
        url, {"mda": history.nrb.pk, "direction": "release", "change": "1", "reason": "quiet"}
    )
    assert response.status_code == 302
    assert RedeploymentRequest.objects.get().change == -1


def test_the_liaison_answers_on_the_page_but_a_manager_cannot(history, client):
    req = services.redeployment_request(
        centre=history.gpo, mda=history.nrb, change=2, reason="Monday peak", actor=history.bob
    )
    url = f"/staff/staffing/redeployment/{req.pk}/answer/"
    client.force_login(history.bob)
    assert client.post(url, {"decision": "agree"}).status_code == 403
    client.force_login(history.nadia)
    assert client.post(url, {"decision": "agree", "answer": "ok"}).status_code == 302
    req.refresh_from_db()
    assert req.status == "agreed"


def test_a_back_office_officer_at_a_centre_is_not_the_mdas_voice(history, client):
    at_centre = User.objects.create_user(
        username="bea", role=Role.BACK_OFFICE, centre=history.gpo, mda=history.nrb
    )
    req = services.redeployment_request(
        centre=history.gpo, mda=history.nrb, change=1, reason="peak", actor=history.bob
    )
    with pytest.raises(Forbidden):
        services.redeployment_answer(request=req, agreed=True, answer="", actor=at_centre)
    client.force_login(at_centre)
    assert client.get(f"/staff/centres/{history.gpo.code}/establishment/").status_code == 403


def test_viewing_the_establishment_is_audited(history, client):
    from huduma.core.models import AuditEntry

    client.force_login(history.bob)
    client.get(f"/staff/centres/{history.gpo.code}/establishment/")
    entry = AuditEntry.objects.filter(action="staffing.establishment_viewed").get()
    assert entry.actor == history.bob


def test_the_staff_home_links_to_staffing(history, client):
    from django.urls import reverse

    client.force_login(history.alice)
    page = client.get(reverse("accounts:centre", args=[history.gpo.code])).content.decode()
    assert reverse("staffing:my_training") in page
    assert client.get(reverse("staffing:index")).status_code == 302  # to her own record
    client.force_login(history.bob)
    page = client.get(reverse("accounts:centre", args=[history.gpo.code])).content.decode()
    assert reverse("staffing:establishment", args=[history.gpo.code]) in page
    sign_in_verified(client, history.sam)
    assert reverse("staffing:index") in client.get(reverse("accounts:home")).content.decode()

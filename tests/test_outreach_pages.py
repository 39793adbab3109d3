"""The outreach pages: the Centre Manager operates their centre's plans, the Secretariat sees
every county, everyone else is refused; refusals on the plan page name the field."""

import datetime as dt

import pytest

from huduma.accounts.models import Role, User
from huduma.outreach import planning
from huduma.outreach.plan_models import Expense, Outreach
from tests.conftest import sign_in_verified
from tests.outreach_world import DECEMBER, IN_KISUMU, add_mashinani, agreed, planned


@pytest.fixture
def mashinani(world):
    return add_mashinani(world)


def test_manager_proposes_the_month_and_sees_the_calendar(mashinani, client, clock):
    client.force_login(mashinani.bob)
    response = client.post("/staff/centres/gpo-nairobi/outreach/propose/", {"month": "2026-12"})
    assert response.status_code == 302
    assert Outreach.objects.filter(centre=mashinani.gpo, month=DECEMBER).count() == 3
    page = client.get("/staff/centres/gpo-nairobi/outreach/?month=2026-12").content.decode()
    for name in ("Westlands", "Kibra", "Embakasi East", "month-grid"):
        assert name in page
    # Proposing again adds nothing, and says why (not "0 outreaches proposed.").
    response = client.post(
        "/staff/centres/gpo-nairobi/outreach/propose/", {"month": "2026-12"}, follow=True
    )
    assert "Every sub-county already has an outreach this month." in response.content.decode()
    assert Outreach.objects.filter(centre=mashinani.gpo, month=DECEMBER).count() == 3
    # /staff/outreach/ takes the manager to their centre.
    assert client.get("/staff/outreach/").url == "/staff/centres/gpo-nairobi/outreach/"


def test_secretariat_sees_every_county_and_others_are_refused(mashinani, client, clock):
    planning.calendar_propose(centre=mashinani.gpo, month=DECEMBER, actor=mashinani.bob)
    outreach = Outreach.objects.first()
    sign_in_verified(client, mashinani.sam)
    page = client.get("/staff/outreach/?month=2026-12").content.decode()
    assert "Nairobi County" in page and "Kisumu County" in page and "Westlands" in page
    assert client.get(f"/staff/outreach/{outreach.pk}/").status_code == 200
    assert client.get("/staff/outreach/report/?month=2026-12").status_code == 200
    # The Secretariat watches; it does not plan a centre's outreach.
    response = client.post(f"/staff/outreach/{outreach.pk}/venue/", {"venue_name": "X"})
    assert response.status_code == 403

    for user in (mashinani.alice, mashinani.charlie, mashinani.mona):
        client.force_login(user)
        assert client.get("/staff/centres/gpo-nairobi/outreach/").status_code == 403, user
        assert client.get(f"/staff/outreach/{outreach.pk}/").status_code == 403, user
        assert client.post(f"/staff/outreach/{outreach.pk}/announce/").status_code == 403
    client.logout()
    assert client.get(f"/staff/outreach/{outreach.pk}/").status_code == 302  # sign in first


def test_refusals_on_the_plan_page_name_the_field(mashinani, client, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    client.force_login(mashinani.bob)
    url = f"/staff/outreach/{outreach.pk}/"
    response = client.post(
        url + "venue/",
        {
            "venue_name": "Stadium",
            "venue_ward": "Kondele",
            "venue_lat": IN_KISUMU[0],
            "venue_lon": IN_KISUMU[1],
            "opens_at": "08:00",
            "closes_at": "17:00",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#venue_lat"' in page
    assert "outside Nairobi County" in page

    response = client.post(url + "days/", {"day1": "2026-11-02"})
    assert response.status_code == 400 and "in the past" in response.content.decode()

    response = client.post(url + "services/", {})
    assert response.status_code == 400 and "no service is refused" in response.content.decode()

    response = client.post(
        url + "expenses/",
        {"description": "Tents", "amount_kes": "60000", "receipt_number": "R1"},
    )
    assert response.status_code == 400 and "balance" in response.content.decode()
    assert not Expense.objects.exists()
    response = client.post(
        url + "expenses/",
        {"description": "Tents", "amount_kes": "6000", "receipt_number": "R1", "spent_on": ""},
    )
    assert response.status_code == 302
    # In the one money format of the refusals and receipts, not "KES 44000.00".
    assert "KES 44,000.00" in client.get(url).content.decode()
    assert "KES 6,000.00" in client.get(url + "report/").content.decode()

    response = client.post(url + "reimbursements/")
    claim = outreach.reimbursements.get()
    response = client.post(f"/staff/outreach/reimbursements/{claim.pk}/approve/")
    assert response.status_code == 403
    assert "second person" in response.content.decode()
    sign_in_verified(client, mashinani.sam)
    assert client.post(f"/staff/outreach/reimbursements/{claim.pk}/approve/").status_code == 302
    claim.refresh_from_db()
    assert claim.approved_by == mashinani.sam


def test_a_refused_step_leaves_the_other_forms_as_saved(mashinani, client, clock):
    """An expense over the balance is refused: the venue, hours and days forms still show what
    is saved (they showed empty boxes, as if the venue had been lost)."""
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    client.force_login(mashinani.bob)
    url = f"/staff/outreach/{outreach.pk}/"
    response = client.post(
        url + "expenses/", {"description": "Tents", "amount_kes": "90000", "receipt_number": "R1"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "balance" in page
    assert 'name="venue_name" maxlength="120" value="Chief&#x27;s camp"' in page
    assert 'name="venue_ward" maxlength="80" value="Parklands"' in page
    assert 'name="opens_at" value="08:00"' in page and 'name="day1" value="2026-12-02"' in page
    assert 'name="description" maxlength="200" value="Tents"' in page  # what was typed
    # A refused logistics row keeps what was typed in it; the other rows show what is saved.
    response = client.post(
        url + "logistics/",
        {"kind": "tents", "source": "hired", "supplier": "Tents Ltd", "cost_kes": "abc"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="supplier-tents" name="supplier" maxlength="120" value="Tents Ltd"' in page
    assert 'id="cost-tents" name="cost_kes" value="abc"' in page
    assert 'id="cost-chairs" name="cost_kes" value="0.00"' in page
    # The refused form itself shows what was typed, not what is saved.
    response = client.post(url + "venue/", {"venue_name": "Hall", "venue_lat": "x"})
    assert 'name="venue_name" maxlength="120" value="Hall"' in response.content.decode()


def test_cancelling_an_outreach_asks_first(mashinani, client, clock):
    """One careless click on "Cancel this outreach" does not cancel it (that frees its officers
    and cannot be undone): the page asks, and only the second, confirming post cancels."""
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    client.force_login(mashinani.bob)
    url = f"/staff/outreach/{outreach.pk}/"
    response = client.post(url + "move/", {"to": "cancelled"})
    assert response.status_code == 200 and "Yes, cancel it" in response.content.decode()
    outreach.refresh_from_db()
    assert outreach.status == "proposed"
    client.cookies["django_language"] = "sw"
    assert "Ndiyo, ighairi" in client.post(url + "move/", {"to": "cancelled"}).content.decode()
    response = client.post(url + "move/", {"to": "cancelled", "confirm": "yes"})
    assert response.status_code == 302
    outreach.refresh_from_db()
    assert outreach.status == "cancelled"
    client.force_login(mashinani.alice)  # and asking is not a way round the permission check
    assert client.post(url + "move/", {"to": "cancelled"}).status_code == 403


def test_the_plan_says_when_nobody_can_go_for_a_service(mashinani, client, clock):
    """With no fair proposal (the only officer is needed at the centre), the plan says so rather
    than offer the first officer of the list, whom sending is then refused."""
    mashinani.dave.is_active = False  # alice is then GPO's only NRB officer
    mashinani.dave.save()
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    client.force_login(mashinani.bob)
    page = client.get(f"/staff/outreach/{outreach.pk}/").content.decode()
    assert "Nobody can go on these days" in page
    assert page.count("Fair rotation proposes") == 1  # NHIF registration has a proposal


def test_the_poster_of_a_plan_not_yet_agreed_says_so(mashinani, client, clock):
    """A poster printed before the local administration agreed may announce the wrong venue or
    day: the page says so (on screen, not on the printed poster)."""
    proposed = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    ready = agreed(
        mashinani, mashinani.kibra, [dt.date(2026, 12, 3)], {mashinani.id_dup: mashinani.alice}
    )
    client.force_login(mashinani.bob)
    page = client.get(f"/staff/outreach/{proposed.pk}/poster/").content.decode()
    assert 'class="confirm no-print"' in page and "not agreed yet" in page
    page = client.get(f"/staff/outreach/{ready.pk}/poster/").content.decode()
    assert "not agreed yet" not in page


def test_hostile_input_is_refused_not_a_500(mashinani, client, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    client.force_login(mashinani.bob)
    url = f"/staff/outreach/{outreach.pk}/"
    for path, data in (
        ("venue/", {"venue_name": "a\x00b", "venue_lat": "1", "venue_lon": "2"}),
        ("venue/", {"venue_name": "A", "venue_ward": "B", "venue_lat": "١", "venue_lon": "2"}),
        ("days/", {"day1": "2026-13-45"}),
        ("officer/", {"service": "99999999999999999999", "officer": "x"}),
        ("logistics/", {"kind": "rockets", "source": "hired", "cost_kes": "5"}),
        ("expenses/", {"description": "x" * 5000, "amount_kes": "5", "receipt_number": "1"}),
        ("agree/", {"agreed_by_name": "A", "agreed_by_office": "B", "agreed_on": "yesterday"}),
        ("move/", {"to": "exploded"}),
    ):
        response = client.post(url + path, data)
        assert 400 <= response.status_code < 500, (path, response.status_code)
    assert client.get("/staff/centres/gpo-nairobi/outreach/?month=99999-99").status_code == 200


# Who may do what with GPO's outreach: the manager of that centre operates; the Secretariat and
# system administrators watch every county; everyone else is refused.
WATCH = {Role.CENTRE_MANAGER, Role.SECRETARIAT, Role.SYSADMIN}
OPERATE = {Role.CENTRE_MANAGER}
NATIONAL = {Role.SECRETARIAT, Role.SYSADMIN, Role.MONITOR}
SUBJECTS = [(role, None if role in NATIONAL else "gpo-nairobi") for role in Role] + [
    (role, "kisumu") for role in Role if role not in NATIONAL
]


@pytest.mark.parametrize(("role", "centre"), SUBJECTS, ids=lambda v: str(v))
def test_outreach_role_table(mashinani, client, clock, role, centre):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    user = User.objects.create_user(
        username=f"u-{role}",
        password="pw",
        role=role,
        centre={"gpo-nairobi": mashinani.gpo, "kisumu": mashinani.kisumu}.get(centre),
        is_staff=role in (Role.SECRETARIAT, Role.SYSADMIN),
    )
    sign_in_verified(client, user)
    at_gpo = centre == "gpo-nairobi" or role in NATIONAL
    watch = role in WATCH and at_gpo
    operate = role in OPERATE and at_gpo
    for url in (
        "/staff/centres/gpo-nairobi/outreach/",
        f"/staff/outreach/{outreach.pk}/",
        f"/staff/outreach/{outreach.pk}/poster/",
        f"/staff/outreach/{outreach.pk}/report/",
    ):
        assert (client.get(url).status_code == 403) != watch, url
    response = client.post(f"/staff/outreach/{outreach.pk}/days/", {"day1": "2026-12-03"})
    assert (response.status_code == 403) != operate
    response = client.post("/staff/centres/gpo-nairobi/outreach/propose/", {"month": "2026-12"})
    assert (response.status_code == 403) != operate

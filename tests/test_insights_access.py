"""Who sees the national dashboard, its exports and the open data: every role in one table."""

import pytest
from django.urls import reverse

from huduma.accounts.models import Role, User
from huduma.core.models import AuditEntry
from huduma.insights import exports, rollups
from tests.conftest import sign_in_verified
from tests.insights_rows import DAY, Rows

QUERY = {"since": DAY.isoformat(), "until": DAY.isoformat()}

# user -> (dashboard status, what the page covers: "nation", "gpo", or None when refused)
ROLES = [
    ("anonymous", 302, None),
    ("sam", 200, "nation"),  # Secretariat
    ("tess", 200, "nation"),  # Technical Committee
    ("mona", 200, "nation"),  # monitor (read only)
    ("bob", 200, "gpo"),  # Centre Manager: their own centre only
    ("alice", 403, None),  # counter officer
    ("charlie", 403, None),  # counter officer elsewhere
    ("rita", 403, None),  # reception
    ("otto", 403, None),  # back office
    ("sys", 403, None),  # system administrator: runs the machines, not the programme
    ("cora", 403, None),  # contact-centre agent
]


@pytest.fixture
def people(world):
    extra = {
        "tess": {"role": Role.TECHNICAL_COMMITTEE},
        "rita": {"role": Role.RECEPTION, "centre": world.gpo},
        "otto": {"role": Role.BACK_OFFICE, "mda": world.nrb},
        "sys": {"role": Role.SYSADMIN},
        "cora": {"role": Role.CONTACT_AGENT},
    }
    for name, fields in extra.items():
        setattr(world, name, User.objects.create_user(username=name, password="pw", **fields))
    rows = Rows(world)
    rows.ticket(centre=world.gpo)
    rows.ticket(centre=world.kisumu)
    rows.ticket(centre=world.kisumu)
    rollups.refresh()
    return world


def _client(client, world, name):
    if name != "anonymous":
        sign_in_verified(client, getattr(world, name))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "status", "covers"), ROLES, ids=[r[0] for r in ROLES])
def test_dashboard_by_role(client, people, name, status, covers):
    client = _client(client, people, name)
    response = client.get(reverse("insights:dashboard"), QUERY)
    assert response.status_code == status
    export = client.get(reverse("insights:export", args=["level"]), QUERY)
    assert export.status_code == status
    if covers is None:
        assert b"Kisumu" not in response.content
        return
    page = response.content.decode()
    served = response.context["dash"].totals.served
    if covers == "nation":
        assert served == 3
        assert "Huduma Centre Kisumu" in page and "Huduma Centre GPO" in page
        assert b"Kisumu" in export.content
    else:
        assert served == 1
        assert "Huduma Centre Kisumu" not in page
        assert b"Kisumu" not in export.content
    # The export is audited, with who asked.
    entry = AuditEntry.objects.filter(action="insights.export").latest("id")
    assert entry.actor == getattr(people, name)
    # Read only: the page changes nothing and accepts no POST.
    assert client.post(reverse("insights:dashboard"), QUERY).status_code == 405


@pytest.mark.django_db
def test_centre_manager_cannot_ask_for_another_centre(client, people):
    sign_in_verified(client, people.bob)
    response = client.get(reverse("insights:dashboard"), {**QUERY, "centre": people.kisumu.pk})
    assert response.status_code == 400
    assert "dash" not in response.context
    assert "Select a valid choice" in response.content.decode()
    export = client.get(
        reverse("insights:export", args=["level"]), {**QUERY, "centre": people.kisumu.pk}
    )
    assert export.status_code == 400
    assert b"Kisumu" not in export.content


@pytest.mark.django_db
def test_open_data_is_for_everyone_and_names_nobody(client, people):
    rows = Rows(people)
    rows.complaint()  # a complainant's phone, +254700000002
    rows.application(due_on=DAY)  # an applicant's phone, +254700000001
    rollups.refresh()
    assert client.get(reverse("insights:open_data")).status_code == 200
    query = {"from": "2026-11", "to": "2026-11"}
    csv = client.get(reverse("insights:open_data_csv"), query)
    body = client.get(reverse("insights:open_data_json"), query)
    assert csv.status_code == body.status_code == 200
    assert "public" in csv["Cache-Control"] and "public" in body["Cache-Control"]
    text = csv.content.decode()
    assert text.splitlines()[0].split(",") == list(exports.OPEN_DATA_FIELDS)
    gpo = next(r for r in body.json()["rows"] if r["centre_code"] == "gpo-nairobi")
    assert gpo["served"] == 1 and gpo["complaints_received"] == 1
    for personal in ("+2547", "alice", "bob", "Officer"):
        assert personal not in text and personal not in body.content.decode()
    # A bad month is a clear 400, not a 500.
    bad = client.get(reverse("insights:open_data_csv"), {"from": "2026-13"})
    assert bad.status_code == 400 and b"YYYY-MM" in bad.content


@pytest.mark.django_db
def test_the_dashboard_speaks_swahili(client, people, settings):
    sign_in_verified(client, people.tess)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    page = client.get(reverse("insights:dashboard"), QUERY).content.decode()
    assert "Dashibodi ya kitaifa" in page
    assert "Wananchi waliohudumiwa" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "allowed"), [("sam", True), ("mona", False), ("tess", False)])
def test_only_the_secretariat_sets_charter_waits_and_it_is_audited(client, people, name, allowed):
    from huduma.insights.models import WaitTarget

    sign_in_verified(client, getattr(people, name))
    client.post(
        reverse("admin:insights_waittarget_add"), {"service": people.id_dup.pk, "minutes": 10}
    )
    assert WaitTarget.objects.filter(service=people.id_dup, minutes=10).exists() == allowed
    audited = AuditEntry.objects.filter(action="insights.wait_target").exists()
    assert audited == allowed

"""Who sees what in performance: every role against every page (a table), and the
appraisal's privacy (officer A never sees officer B's)."""

import pytest
from django.urls import reverse

from huduma.accounts.models import Role, User
from huduma.performance import standards
from huduma.performance.models import Appraisal
from tests.conftest import sign_in_verified
from tests.performance_rows import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world, officers):
    w = world
    w.kisumu_manager = User.objects.create_user(
        username="kim", password="pw", role=Role.CENTRE_MANAGER, centre=w.kisumu, first_name="Kim"
    )
    w.tc = User.objects.create_user(
        username="tess", password="pw", role=Role.TECHNICAL_COMMITTEE, first_name="Tess"
    )
    w.sysadmin = User.objects.create_user(
        username="sid", password="pw", role=Role.SYSADMIN, first_name="Sid"
    )
    w.reception = User.objects.create_user(
        username="rita", password="pw", role=Role.RECEPTION, centre=w.gpo, first_name="Rita"
    )
    w.gpo2 = officers[2]
    w.agent = User.objects.create_user(
        username="cara", password="pw", role=Role.CONTACT_AGENT, first_name="Cara"
    )
    w.counsellor = User.objects.create_user(
        username="cole", password="pw", role=Role.COUNSELLOR, first_name="Cole"
    )
    w.back_office = User.objects.create_user(
        username="beth", password="pw", role=Role.BACK_OFFICE, centre=w.gpo, mda=w.nrb
    )
    return w


def _get(client, user, url):
    if user is not None:
        sign_in_verified(client, user)
    return client.get(url).status_code


QUARTER = standards.quarter_label(standards.quarter_of(DAY)[0])

# A manager sees their own appraisal (the Secretariat appraises managers).
# Who: alice (counter officer, GPO), gpo2 (another GPO officer), rita (GPO reception),
# bob (GPO manager), kim (Kisumu manager), sam (Secretariat), mona (monitor), tess (Technical
# Committee), sid (system administrator), None (not signed in: sent to sign in).
ACCESS = [
    # page, {who: status}
    (
        "daily",
        {
            "alice": 403,
            "gpo2": 403,
            "rita": 403,
            "bob": 200,
            "kim": 403,
            "sam": 200,
            "mona": 403,
            "tess": 403,
            "sid": 200,
            None: 302,
        },
    ),
    (
        "daily_pdf",
        {"alice": 403, "bob": 200, "kim": 403, "sam": 200, "mona": 403, "tess": 403, None: 302},
    ),
    (
        "standards",
        {
            "alice": 403,
            "rita": 403,
            "bob": 200,
            "kim": 200,
            "sam": 200,
            "mona": 200,
            "tess": 200,
            "sid": 403,
            None: 302,
        },
    ),
    (
        "evaluation",
        {"alice": 403, "bob": 403, "sam": 200, "mona": 403, "tess": 200, "sid": 403, None: 302},
    ),
    (
        "appraisal_of_alice",
        {
            "alice": 200,
            "gpo2": 403,
            "rita": 403,
            "bob": 200,
            "kim": 403,
            "sam": 200,
            "mona": 403,
            "tess": 403,
            "sid": 403,
            None: 302,
        },
    ),
    (
        "appraisal_of_bob",
        {"alice": 403, "bob": 200, "kim": 403, "sam": 200, "mona": 403, "tess": 403, None: 302},
    ),
    (
        "appraisals_list",
        {"alice": 302, "bob": 200, "sam": 200, "mona": 403, "tess": 403, "sid": 403, None: 302},
    ),
    ("savings", {"alice": 200, "bob": 200, "sam": 200, "mona": 200, "tess": 200, None: 200}),
]

# The roles with no business here, and the back office (centre staff, appraised): cara
# (contact-centre agent), cole (tele-counsellor), beth (back office at GPO).
OTHER_ROLES = {
    "daily": {"cara": 403, "cole": 403, "beth": 403},
    "standards": {"cara": 403, "cole": 403, "beth": 403},
    "evaluation": {"cara": 403, "cole": 403, "beth": 403},
    "appraisal_of_alice": {"cara": 403, "cole": 403, "beth": 403},
    "appraisal_of_beth": {"beth": 200, "bob": 200, "alice": 403, "kim": 403, "sam": 200},
    "appraisals_list": {"cara": 403, "cole": 403, "beth": 302},
    "savings": {"cara": 200, "cole": 200, "beth": 200},
}
ACCESS += [(page, {}) for page in OTHER_ROLES if page not in dict(ACCESS)]
for _page, _table in ACCESS:
    _table.update(OTHER_ROLES.get(_page, {}))


def _url(page, w):
    return {
        "daily": reverse("performance:daily_report", args=["gpo-nairobi"]),
        "daily_pdf": reverse("performance:daily_report_pdf", args=["gpo-nairobi"]),
        "standards": reverse("performance:standards"),
        "evaluation": reverse("performance:evaluation_pdf", args=[QUARTER]),
        "appraisal_of_alice": reverse("performance:appraisal", args=[w.alice.pk]),
        "appraisal_of_bob": reverse("performance:appraisal", args=[w.bob.pk]),
        "appraisal_of_mona": reverse("performance:appraisal", args=[w.mona.pk]),
        "appraisal_of_beth": reverse("performance:appraisal", args=[w.back_office.pk]),
        "appraisals_list": reverse("performance:appraisals"),
        "savings": reverse("performance:savings"),
    }[page]


CASES = [(page, who, status) for page, table in ACCESS for who, status in table.items()]


@pytest.mark.parametrize(("page", "who", "status"), CASES, ids=[f"{p}-{w}" for p, w, _s in CASES])
def test_who_sees_what(client, people, clock, page, who, status):
    user = {
        "gpo2": people.gpo2,
        "rita": people.reception,
        "kim": people.kisumu_manager,
        "tess": people.tc,
        "sid": people.sysadmin,
        "cara": people.agent,
        "cole": people.counsellor,
        "beth": people.back_office,
    }.get(who) or (getattr(people, who) if who else None)
    assert _get(client, user, _url(page, people)) == status


WRITES = [
    # (what, who may, who may not)
    ("standard target", ["sam"], ["bob", "tess", "mona", "alice"]),
    ("savings method", ["sam"], ["bob", "tess", "mona", "alice"]),
    ("appraise alice", ["bob", "sam"], ["alice", "gpo2", "kim", "mona", "tess"]),
]


def _post(client, what, w):
    if what == "standard target":
        return client.post(
            reverse("performance:standard_target", args=[w.id_dup.pk]),
            {"kind": "wait", "target_pct": "85"},
        )
    if what == "savings method":
        return client.post(
            reverse("performance:savings_method"),
            {
                "trip_cost_kes": "400",
                "hour_value_kes": "200",
                "hours_saved_per_service": "4.5",
                "bribe_kes": "1000",
                "bribe_share_pct": "10",
                "source": "Survey 2026",
            },
        )
    return client.post(
        reverse("performance:appraise", args=[w.alice.pk]),
        {
            "first_day": "2026-10-01",
            "last_day": "2026-10-31",
            "rating": "4",
            "comment": "Steady work.",
        },
    )


@pytest.mark.parametrize(("what", "allowed", "refused"), WRITES, ids=[w[0] for w in WRITES])
def test_who_may_write(client, people, clock, what, allowed, refused):
    names = {"gpo2": people.gpo2, "kim": people.kisumu_manager, "tess": people.tc}
    for who in refused:
        sign_in_verified(client, names.get(who) or getattr(people, who))
        assert _post(client, what, people).status_code == 403, who
    for who in allowed:
        Appraisal.objects.all().delete()
        sign_in_verified(client, names.get(who) or getattr(people, who))
        assert _post(client, what, people).status_code == 302, who


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("bob", ["Service delivery standards", "Staff appraisal", "What Huduma saves citizens"]),
        ("alice", ["My appraisal", "What Huduma saves citizens"]),
        ("tess", ["Service delivery standards", "What Huduma saves citizens"]),
        ("sam", ["Service delivery standards", "Staff appraisal", "What Huduma saves citizens"]),
    ],
)
def test_staff_home_links_to_what_each_may_open(client, people, who, links):
    user = {"tess": people.tc}.get(who) or getattr(people, who)
    sign_in_verified(client, user)
    page = client.get(reverse("accounts:home"), follow=True).content.decode()
    for link in links:
        assert link in page
    assert ("Staff appraisal" in page) == (who in ("bob", "sam"))


def test_the_centre_page_links_to_the_daily_report(client, people):
    sign_in_verified(client, people.bob)
    page = client.get(reverse("accounts:centre", args=["gpo-nairobi"])).content.decode()
    assert reverse("performance:daily_report", args=["gpo-nairobi"]) in page

"""Least privilege, as one table: which role may do what at a centre, checked through the
pages and the JSON API alike, so that the two faces cannot drift apart.

Each row is an action; each case signs in one staff member (of the centre, of another centre,
or national) and tries the action through every face that offers it.
"""

import uuid

import pytest
from django.urls import reverse

from huduma.accounts.models import Role, User
from huduma.queues import services
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db

R = Role
ISSUERS = {R.RECEPTION, R.CENTRE_MANAGER, R.COUNTER_OFFICER}
SERVERS = {R.COUNTER_OFFICER, R.CENTRE_MANAGER}
WATCHERS = {R.SECRETARIAT, R.SYSADMIN}  # read every centre, operate none

# action -> roles allowed at their own centre (national roles: at every centre).
ROLE_TABLE = {
    "issue_ticket": ISSUERS,
    "check_in_appointment": ISSUERS,
    "add_service": ISSUERS,
    "cancel_visit": ISSUERS,
    "transfer_ticket": ISSUERS,
    "open_counter": SERVERS,
    "call_next": SERVERS,
    "counter_console": SERVERS,
    "live_view": {R.CENTRE_MANAGER} | WATCHERS,
    # Acting on the live view's flag: the centre's own manager only; watchers look.
    "live_open_counter": {R.CENTRE_MANAGER},
    "live_add_skill": {R.CENTRE_MANAGER},
    "centre_staff_page": {R.RECEPTION, R.COUNTER_OFFICER, R.BACK_OFFICE, R.CENTRE_MANAGER}
    | WATCHERS,
}
NATIONAL = {R.SECRETARIAT, R.SYSADMIN, R.MONITOR}


def _visit(world):
    return services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )


# Each face: (kind, request) where request(client, world) returns the response.
def _page_post(name, args, data=None):
    def call(client, world):
        return client.post(reverse(name, args=args(world)), data(world) if data else {})

    return ("page", call)


def _page_get(name, args):
    return ("page", lambda client, world: client.get(reverse(name, args=args(world))))


def _api(method, path, body=None):
    def call(client, world):
        url = "/api/queues" + path(world)
        if method == "get":
            return client.get(url)
        return client.post(url, body(world) if body else {}, content_type="application/json")

    return ("api", call)


GPO = lambda w: ["gpo-nairobi"]
COUNTER = lambda w: [w.counters[("gpo-nairobi", 1)].pk]

FACES = {
    "issue_ticket": [
        _page_post("queues:reception", GPO, lambda w: {"services": [w.id_dup.pk]}),
        _api(
            "post",
            lambda w: "/centres/gpo-nairobi/visits",
            lambda w: {"services": ["NRB-ID-DUPLICATE"]},
        ),
    ],
    "check_in_appointment": [
        _page_post("queues:check_in", GPO, lambda w: {"reference": "NOSUCHREF"}),
        _api("post", lambda w: "/centres/gpo-nairobi/appointments/NOSUCHREF/check-in"),
    ],
    "add_service": [
        _api(
            "post",
            lambda w: f"/visits/{_visit(w).pk}/services",
            lambda w: {"service": "NHIF-REGISTRATION"},
        )
    ],
    "cancel_visit": [_api("post", lambda w: f"/visits/{_visit(w).pk}/cancel")],
    "transfer_ticket": [
        _api(
            "post",
            lambda w: f"/tickets/{_visit(w).tickets.get().pk}/transfer",
            lambda w: {"service": "NHIF-REGISTRATION"},
        )
    ],
    "open_counter": [
        _page_post("queues:console_action", lambda w: [*COUNTER(w), "open"]),
        _api("post", lambda w: f"/counters/{COUNTER(w)[0]}/open"),
    ],
    "call_next": [
        _page_post("queues:console_action", lambda w: [*COUNTER(w), "call"]),
        _api("post", lambda w: f"/counters/{COUNTER(w)[0]}/call-next"),
    ],
    "counter_console": [_page_get("queues:console", COUNTER)],
    "live_view": [
        _page_get("queues:live", GPO),
        _api("get", lambda w: "/centres/gpo-nairobi/live"),
    ],
    "live_open_counter": [_page_post("queues:live_open_counter", GPO)],
    "live_add_skill": [_page_post("queues:live_add_skill", GPO)],
    "centre_staff_page": [_page_get("accounts:centre", GPO)],
}

# Who tries: every role at GPO (national roles have no centre), and every centre role at Kisumu.
SUBJECTS = [(role, "gpo-nairobi" if role not in NATIONAL else None) for role in Role] + [
    (role, "kisumu") for role in Role if role not in NATIONAL
]
CASES = [
    pytest.param(action, role, centre, id=f"{action}-{role}-{centre or 'national'}")
    for action in ROLE_TABLE
    for role, centre in SUBJECTS
]


def test_every_action_has_a_row_and_a_face():
    assert set(FACES) == set(ROLE_TABLE)
    assert all(FACES.values())


@pytest.mark.parametrize(("action", "role", "centre"), CASES)
def test_role_table(client, world, action, role, centre):
    user = User.objects.create_user(
        username=f"u-{uuid.uuid4().hex[:8]}",
        password="pw",
        role=role,
        centre={"gpo-nairobi": world.gpo, "kisumu": world.kisumu}.get(centre),
        is_staff=role in (R.SECRETARIAT, R.SYSADMIN),
    )
    sign_in_verified(client, user)
    allowed = role in ROLE_TABLE[action] and (centre == "gpo-nairobi" or role in NATIONAL)
    for kind, call in FACES[action]:
        response = call(client, world)
        if kind == "api":
            refused = response.status_code == 403 and response.json().get("code") == "forbidden"
        else:
            refused = response.status_code == 403
        assert refused != allowed, (kind, response.status_code, response.content[:200])


@pytest.mark.parametrize("role", list(Role))
def test_national_means_the_same_everywhere(world, role):
    """The monitor is national in the role list and in the permission checks alike."""
    from huduma.accounts.models import NATIONAL_ROLES
    from huduma.accounts.permissions import is_national

    user = User(username="x", role=role, is_active=True)
    assert is_national(user) == (role in NATIONAL_ROLES)


def test_monitor_home_lists_no_centre_pages(client, world):
    sign_in_verified(client, world.mona)
    page = client.get(reverse("accounts:home"))
    assert page.status_code == 200
    assert reverse("accounts:centre", args=["gpo-nairobi"]) not in page.content.decode()


def test_secretariat_centre_page_offers_watching_not_operating(client, world):
    sign_in_verified(client, world.sam)
    html = client.get(reverse("accounts:centre", args=["gpo-nairobi"])).content.decode()
    assert reverse("queues:live", args=["gpo-nairobi"]) in html
    assert reverse("queues:reception", args=["gpo-nairobi"]) not in html
    assert reverse("queues:console", args=[world.counters[("gpo-nairobi", 1)].pk]) not in html


# --- Back office scope (issue 17) -------------------------------------------------------------
# Which applications a back office may see and move: its MDA's, received at the centre it is
# assigned to; a back-office account with no centre is the MDA's headquarters (all its MDA's).
# Subject: (MDA, centre) of a back-office officer; the application: NRB's, received at GPO.
BACK_OFFICE_TABLE = {
    ("NRB", "gpo-nairobi"): True,
    ("NRB", None): True,  # NRB headquarters
    ("NRB", "kisumu"): False,  # the same MDA at another centre
    ("NHIF", "gpo-nairobi"): False,  # another MDA at the same centre
    ("NHIF", None): False,
    (None, "gpo-nairobi"): False,  # no MDA: nothing
}


@pytest.fixture
def gpo_application(world, clock):
    from huduma.applications import services as applications

    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    services.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )
    ticket = services.ticket_call_next(counter=counter, officer=world.alice)
    services.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    return applications.application_open(ticket=ticket, officer=world.alice)[0]


@pytest.mark.parametrize(("mda", "centre"), list(BACK_OFFICE_TABLE))
def test_back_office_scope(client, world, gpo_application, mda, centre):
    from huduma.applications.models import Status
    from huduma.notify.models import Message

    allowed = BACK_OFFICE_TABLE[(mda, centre)]
    officer = User.objects.create_user(
        username="bo",
        password="pw",
        role=R.BACK_OFFICE,
        mda={"NRB": world.nrb, "NHIF": world.nhif}.get(mda),
        centre={"gpo-nairobi": world.gpo, "kisumu": world.kisumu}.get(centre),
    )
    sign_in_verified(client, officer)
    number = gpo_application.tracking_number
    texts = Message.objects.count()
    worklist = client.get(reverse("applications:worklist"))
    listed = worklist.status_code == 200 and number in worklist.content.decode()
    detail = client.get(reverse("applications:detail", args=[gpo_application.pk]))
    moved = client.post(
        reverse("applications:move", args=[gpo_application.pk]), {"to": "in_processing"}
    )
    client.post(
        reverse("applications:bulk"),
        {"application": [str(gpo_application.pk)], "to": "query_raised", "reason": "attack"},
    )
    gpo_application.refresh_from_db()
    assert listed == allowed
    assert (detail.status_code == 200) == allowed
    assert (moved.status_code == 403) != allowed
    if allowed:
        assert gpo_application.status == Status.QUERY_RAISED
    else:
        assert gpo_application.status == Status.RECEIVED
        assert Message.objects.count() == texts  # the citizen is texted nothing

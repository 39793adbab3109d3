"""Routing that protects the complainant: a complaint naming a person (staff, the Centre
Manager included), or about corruption or maladministration (anonymous or not), never reaches
the centre's management or the MDA chain; it has a working owner and a deadline from the first
minute, every level has a deadline (the top included), and an appeal at the top goes to the
independent reviewer, the Commission on Administrative Justice."""

import datetime as dt
import itertools

import pytest

from huduma.accounts.models import Role, User
from huduma.catalogue.models import MDA
from huduma.complaints import permissions, services
from huduma.complaints.models import Category, Channel, Complaint, ComplaintEvent, Level, Status
from huduma.core.clock import NAIROBI
from tests.conftest import sign_in_verified


def at(*args):
    return dt.datetime(*args, tzinfo=NAIROBI)


@pytest.fixture
def people(world):
    """The NHIF back office at GPO, and the Commission on Administrative Justice's officer."""
    caj = MDA.objects.create(
        code="CAJ",
        name_en="Commission on Administrative Justice (Office of the Ombudsman)",
        name_sw="Tume ya Haki ya Kiutawala",
    )
    world.nhif_back = User.objects.create_user(
        username="nhif.back", password="pw", role=Role.BACK_OFFICE, centre=world.gpo, mda=world.nhif
    )
    world.olive = User.objects.create_user(
        username="olive", password="pw", role=Role.MONITOR, mda=caj, first_name="Olive"
    )
    return world


def lodge(world, category, text, **extra):
    fields = {"phone": "0712345678", "centre": world.gpo, "service": world.nhif_reg}
    fields.update(extra)
    return services.complaint_lodge(channel=Channel.WEB, category=category, text=text, **fields)


def worklist(client, user) -> str:
    client.force_login(user)
    return client.get("/staff/complaints/").content.decode()


def test_anonymous_maladministration_about_the_manager_never_reaches_the_manager(
    client, people, clock
):
    world = people
    about_manager = lodge(
        world,
        Category.MALADMINISTRATION,
        "The GPO Centre Manager sells appointment slots.",
        anonymous=True,
        secret_phrase="green river morning",
        phone="",
    )
    with_phone = lodge(
        world, Category.MALADMINISTRATION, "The manager hid the complaints box from us."
    )
    for complaint in (about_manager, with_phone):
        assert complaint.level == Level.MONITOR and complaint.due_at is not None
        assert complaint.reference not in worklist(client, world.bob)
        assert client.get(f"/staff/complaints/{complaint.reference}/").status_code == 404
        assert complaint.reference not in worklist(client, world.nhif_back)
        assert complaint.reference in worklist(client, world.mona)
    client.force_login(world.mona)
    assert client.post(f"/staff/complaints/{about_manager.reference}/take/").status_code == 302


def test_a_complaint_naming_staff_goes_to_the_secretariat_who_can_take_it_at_once(
    client, people, clock
):
    world = people
    named = lodge(
        world,
        Category.SERVICE_QUALITY,
        "Officer Peter at counter 2 shouted at my mother.",
        names_staff=True,
    )
    # A working owner and a deadline from the first minute.
    assert named.level == Level.SECRETARIAT and named.status == Status.ACKNOWLEDGED
    assert named.due_at is not None
    for kept_from in (world.bob, world.nhif_back):
        assert named.reference not in worklist(client, kept_from)
    sign_in_verified(client, world.sam)
    assert named.reference in client.get("/staff/complaints/").content.decode()
    assert client.post(f"/staff/complaints/{named.reference}/take/").status_code == 302
    named.refresh_from_db()
    assert named.status == Status.ASSIGNED and named.assigned_to == world.sam
    # It never reaches the MDA or the centre later either.
    clock.advance(days=30)
    services.complaints_sweep()
    named.refresh_from_db()
    assert named.level == Level.REVIEW
    assert named.reference not in worklist(client, world.nhif_back)
    assert named.reference not in worklist(client, world.bob)


def test_the_top_has_deadlines_secretariat_then_reviewer_then_flagged(client, people, clock):
    world = people
    clock.set(at(2026, 11, 30, 8, 0))  # Monday 08:00
    named = lodge(world, Category.DELAY, "The supervisor keeps my file back.", names_staff=True)
    assert named.due_at == at(2026, 12, 4, 12, 0)  # 40 working hours: Mon-Thu, Fri 08-12
    clock.set(at(2026, 12, 4, 12, 5))
    assert services.complaints_sweep().escalated == 1
    named.refresh_from_db()
    assert named.level == Level.REVIEW and named.due_at is not None
    assert "Commission on Administrative Justice" in worklist(client, world.olive)
    assert named.reference in worklist(client, world.olive)
    assert named.reference not in worklist(client, world.mona)  # EACC: corruption only
    clock.set(named.due_at + dt.timedelta(minutes=5))
    result = services.complaints_sweep()
    assert result.flagged == 1 and result.escalated == 0
    named.refresh_from_db()
    assert named.overdue_since is not None and named.due_at is None
    assert named.events.filter(kind=ComplaintEvent.Kind.OVERDUE).count() == 1
    assert services.complaints_sweep().flagged == 0  # flagged once
    client.force_login(world.olive)
    assert "Overdue since" in client.get(f"/staff/complaints/{named.reference}/").content.decode()
    assert client.post(f"/staff/complaints/{named.reference}/take/").status_code == 302


def test_monitor_cases_have_a_deadline_and_go_to_the_reviewer_when_overdue(people, clock):
    world = people
    bribe = lodge(world, Category.BRIBERY, "Counter 1 asked me for KES 1,000.")
    assert bribe.level == Level.MONITOR and bribe.due_at is not None
    clock.set(bribe.due_at + dt.timedelta(minutes=1))
    services.complaints_sweep()
    bribe.refresh_from_db()
    assert bribe.level == Level.REVIEW
    assert permissions.can_act(world.olive, bribe) and not permissions.can_act(world.mona, bribe)


@pytest.mark.parametrize("start", ["secretariat", "monitor"])
def test_an_appeal_at_the_top_goes_to_the_independent_reviewer(people, clock, start):
    world = people
    if start == "secretariat":
        complaint = lodge(world, Category.SERVICE_QUALITY, "Rude officer.", names_staff=True)
        holder = world.sam
    else:
        complaint = lodge(world, Category.BRIBERY, "Counter 1 asked me for KES 500.")
        holder = world.mona
    services.complaint_take(complaint=complaint, actor=holder)
    services.complaint_resolve(complaint=complaint, actor=holder, resolution="Looked into it.")
    complaint = services.complaint_confirm(complaint=complaint, rating=1)
    assert complaint.level == Level.REVIEW and complaint.status == Status.ACKNOWLEDGED
    assert complaint.due_at is not None
    assert permissions.can_act(world.olive, complaint)
    assert not permissions.can_act(holder, complaint)


def test_an_ordinary_complaint_still_starts_with_the_centre_manager(client, people, clock):
    world = people
    queue = lodge(world, Category.SERVICE_QUALITY, "No seats in the hall.")
    assert queue.level == Level.CENTRE
    assert queue.reference in worklist(client, world.bob)


def test_the_protection_rule_in_python_and_in_sql_agree(people, clock):
    """One table of cases drives both copies: is_protected() and the PROTECTED filter."""
    world = people
    made = []
    for category, names_staff, anonymous in itertools.product(
        Category.values, (False, True), (False, True)
    ):
        if anonymous and category not in (Category.BRIBERY, Category.MALADMINISTRATION):
            continue
        extra = {"names_staff": names_staff}
        if anonymous:
            extra.update(anonymous=True, secret_phrase="long enough phrase", phone="")
        made.append(lodge(world, category, f"{category} {names_staff} {anonymous}", **extra))
    protected_in_sql = set(
        Complaint.objects.filter(permissions.PROTECTED).values_list("pk", flat=True)
    )
    for complaint in made:
        assert permissions.is_protected(complaint) == (complaint.pk in protected_in_sql)
        # A protected complaint's ladder never includes the centre or the MDA.
        if permissions.is_protected(complaint):
            assert complaint.level in (Level.SECRETARIAT, Level.MONITOR)
        else:
            assert complaint.level == Level.CENTRE


def test_a_field_kits_complaint_is_routed_by_the_server(client, people, clock):
    """A kit's copy of the routing may be old or tampered with: the server routes what it
    stores (a report naming staff lands with the Secretariat, with a deadline)."""
    from huduma.core import clock as core_clock
    from huduma.outreach.records import wire
    from tests.outreach_helpers import Kit, push

    world = people
    kit = Kit(world)
    now = core_clock.now()
    complaint = Complaint(
        node_id=kit.kit.node_id,
        node_seq=kit.next_seq(),
        reference="KT7Q-M2XP",
        category=Category.SERVICE_QUALITY,
        channel=Channel.CENTRE,
        status=Status.ACKNOWLEDGED,
        level=Level.CENTRE,  # as an old or tampered kit would write it
        centre=world.gpo,
        text="The tent officer Peter insulted me.",
        text_hash="x",
        names_staff=True,
        phone="+254712345678",
        created_at=now,
        updated_at=now,
    )
    response = push(client, kit, [wire(complaint, complaint.node_seq)])
    assert [r["outcome"] for r in response.json()["results"]] == ["stored"]
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.level == Level.SECRETARIAT and stored.due_at is not None
    assert stored.reference not in worklist(client, world.bob)

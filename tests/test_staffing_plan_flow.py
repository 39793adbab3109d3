"""From a centre's history to a proposal, to an accepted training plan, to recorded training,
to dispatch calling the new service at the officer's counter."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError

from huduma.accounts.models import Role, User
from huduma.core.errors import Conflict, Forbidden
from huduma.queues import services as queues
from huduma.queues.errors import NotQualified
from huduma.queues.models import OfficerSkill
from huduma.staffing import services
from huduma.staffing.models import Course, CrossTrainingBan, PlanItem, TrainingPlan
from tests.test_staffing_establishment import served

NAIROBI = ZoneInfo("Africa/Nairobi")


@pytest.fixture
def busy(world, clock):
    """GPO's last eight weeks: NRB replacements pile up on alice alone (10 an hour, 8 minutes
    each, 09-11) while NHIF's dave serves two customers an hour."""
    world.dave = User.objects.create_user(
        username="dave", role=Role.COUNTER_OFFICER, centre=world.gpo, mda=world.nhif
    )
    today = dt.date(2026, 11, 24)
    for back in range(1, 57):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for i in range(20):
            at = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=NAIROBI)
            at += dt.timedelta(minutes=6 * i)
            served(world, world.gpo, world.id_dup, at, 8, world.alice)
        for i in range(4):
            at = dt.datetime(day.year, day.month, day.day, 9, 10, tzinfo=NAIROBI)
            at += dt.timedelta(minutes=30 * i)
            served(world, world.gpo, world.nhif_reg, at, 5, world.dave)
    world.nrb_course = Course.objects.create(
        code="nrb-dup",
        kind=Course.Kind.SERVICE,
        service=world.id_dup,
        name_en="NRB replacement",
        name_sw="Kubadilisha kitambulisho",
        hours=Decimal(8),
        valid_months=24,
    )
    return world


def test_plan_from_history_to_dispatch(busy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_propose(centre=busy.gpo, actor=busy.bob)
    plan.refresh_from_db()
    assert plan.status == TrainingPlan.Status.PROPOSED
    # The first (most useful) new skill: NHIF's idle officer learns the NRB queue.
    item = plan.items.order_by("id").first()
    assert (item.officer, item.service) == (busy.dave, busy.id_dup)
    p = plan.prediction
    assert p["planned"]["mean_min"] < p["today"]["mean_min"]
    assert p["settled"]["mean_min"] <= p["planned"]["mean_min"]
    assert {w["service"] for w in p["planned"]["per_service"]} == {
        "NRB-ID-DUPLICATE",
        "NHIF-REGISTRATION",
    }

    with pytest.raises(Forbidden):
        services.plan_accept(plan=plan, actor=busy.alice)
    services.plan_accept(plan=plan, actor=busy.bob)
    item.refresh_from_db()
    assert item.status == PlanItem.Status.PLANNED
    with pytest.raises(Conflict):
        services.plan_accept(plan=plan, actor=busy.bob)  # once

    # Without the training the skill cannot be given, even directly.
    with pytest.raises(NotQualified):
        queues.officer_skill_grant(officer=busy.dave, service=busy.id_dup, actor=busy.bob)

    # Training recorded: the item is trained and dispatch offers dave NRB at his counter.
    session = services.session_create(
        course=busy.nrb_course,
        centre=busy.gpo,
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 11, 23),
        actor=busy.bob,
    )
    services.attendance_record(session=session, officer=busy.dave, result="passed", actor=busy.bob)
    item.refresh_from_db()
    assert item.status == PlanItem.Status.TRAINED
    assert OfficerSkill.objects.filter(officer=busy.dave, service=busy.id_dup).exists()

    counter = busy.counters[("gpo-nairobi", 2)]  # NHIF registration only
    queues.counter_open(counter=counter, officer=busy.dave)
    visit = queues.visit_issue(
        centre=busy.gpo, services=[busy.id_dup], channel="reception", requirements_confirmed=True
    )
    called = queues.ticket_call_next(counter=counter, officer=busy.dave)
    assert called is not None and called.visit_id == visit.pk


def test_no_proposal_the_mda_forbids(busy, django_capture_on_commit_callbacks):
    CrossTrainingBan.objects.create(mda=busy.nhif, service=busy.id_dup)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_propose(centre=busy.gpo, actor=busy.bob)
    plan.refresh_from_db()
    assert plan.status == TrainingPlan.Status.PROPOSED
    assert not plan.items.exists()
    assert plan.prediction["target_met"] is False


def test_one_new_skill_per_officer_per_quarter_in_the_database(busy):
    plan = TrainingPlan.objects.create(
        centre=busy.gpo,
        quarter=dt.date(2026, 10, 1),
        history_from=dt.date(2026, 9, 1),
        history_to=dt.date(2026, 11, 23),
        created_by=busy.bob,
        created_at=dt.datetime(2026, 11, 24, tzinfo=NAIROBI),
    )
    PlanItem.objects.create(
        plan=plan, officer=busy.dave, service=busy.id_dup, quarter=plan.quarter, status="planned"
    )
    with pytest.raises(IntegrityError):
        PlanItem.objects.create(
            plan=plan,
            officer=busy.dave,
            service=busy.kra_pin,
            quarter=plan.quarter,
            status="planned",
        )


def test_planner_page_is_the_managers(busy, client, django_capture_on_commit_callbacks):
    url = f"/staff/centres/{busy.gpo.code}/planner/"
    client.force_login(busy.alice)
    assert client.get(url).status_code == 403
    client.force_login(busy.bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "propose"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Dave" in page or "dave" in page
    assert "Replacement of a lost ID card" in page
    plan = TrainingPlan.objects.get()
    assert client.post(url, {"action": "accept", "plan": plan.pk}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == TrainingPlan.Status.ACCEPTED


def test_a_lost_computation_does_not_block_the_planner(busy, clock):
    stuck = TrainingPlan.objects.create(
        centre=busy.gpo,
        quarter=dt.date(2026, 10, 1),
        history_from=dt.date(2026, 9, 1),
        history_to=dt.date(2026, 11, 23),
        created_by=busy.bob,
        created_at=dt.datetime(2026, 11, 24, 8, 0, tzinfo=NAIROBI),
    )
    assert services.plan_propose(centre=busy.gpo, actor=busy.bob) != stuck
    stuck.refresh_from_db()
    assert stuck.status == TrainingPlan.Status.FAILED

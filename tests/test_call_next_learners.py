"""Learners hold back at call-next: an officer in the first four weeks of a new skill is given a
ticket of that service only when no ticket of a service they are trained in waits for them, or
once it has waited past the hold (queues.dispatch.held_back; staffing says who is learning)."""

import datetime as dt
from decimal import Decimal

import pytest

from huduma.accounts.models import Role, User
from huduma.queues import dispatch
from huduma.queues import services as queues
from huduma.staffing import services as staffing
from huduma.staffing.models import Course

pytestmark = pytest.mark.django_db


def course(code, service):
    return Course.objects.create(
        code=code,
        kind=Course.Kind.SERVICE,
        service=service,
        name_en=code,
        name_sw=code,
        hours=Decimal(8),
        valid_months=24,
    )


def passed(world, officer, course_, ends):
    session = staffing.session_create(
        course=course_, centre=world.gpo, starts_on=ends, ends_on=ends, actor=world.bob
    )
    staffing.attendance_record(session=session, officer=officer, result="passed", actor=world.bob)


def issue(world, service):
    return queues.visit_issue(
        centre=world.gpo,
        services=[service],
        channel="reception",
        requirements_confirmed=True,
    )


def serve(world, counter):
    """Call next at `counter` as dave; finish the ticket; answer the visit called."""
    ticket = queues.ticket_call_next(counter=counter, officer=world.dave)
    if ticket is None:
        return None
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.dave)
    queues.ticket_finish(ticket=ticket, counter=counter, officer=world.dave)
    return ticket.visit_id


@pytest.fixture
def learner(world, clock):
    """NHIF's dave, trained in NHIF registration last year, passed NRB replacement (ID
    duplicate) four days ago and carries it as a second skill; signed in to counter 2 (NHIF)."""
    world.dave = User.objects.create_user(
        username="dave", role=Role.COUNTER_OFFICER, centre=world.gpo, mda=world.nhif
    )
    passed(world, world.dave, course("nhif-reg", world.nhif_reg), dt.date(2026, 1, 12))
    passed(world, world.dave, course("nrb-dup", world.id_dup), dt.date(2026, 11, 20))
    queues.officer_skill_grant(officer=world.dave, service=world.id_dup, actor=world.bob)
    world.c2 = world.counters[("gpo-nairobi", 2)]
    queues.counter_open(counter=world.c2, officer=world.dave)
    return world


def test_a_learner_is_given_their_own_service_while_it_waits(learner, clock):
    nrb = issue(learner, learner.id_dup)  # waited longer
    clock.advance(minutes=5)
    nhif = issue(learner, learner.nhif_reg)
    assert serve(learner, learner.c2) == nhif.pk
    # Only the service they are learning is waiting now: they take it.
    assert serve(learner, learner.c2) == nrb.pk
    assert serve(learner, learner.c2) is None


def test_a_ticket_past_the_hold_goes_to_the_learner_by_the_usual_rule(learner, clock):
    hold = dispatch.DEFAULT_POLICY.learner_hold_s / 60
    nrb = issue(learner, learner.id_dup)
    clock.advance(minutes=hold + 1)
    nhif = issue(learner, learner.nhif_reg)
    assert serve(learner, learner.c2) == nrb.pk  # nobody else took it: the learner does
    assert serve(learner, learner.c2) == nhif.pk


def test_after_four_weeks_the_skill_is_theirs_and_the_longer_wait_goes_first(learner, clock):
    clock.advance(days=25)  # 2026-12-19: 29 days after the NRB course ended
    nrb = issue(learner, learner.id_dup)
    clock.advance(minutes=5)
    issue(learner, learner.nhif_reg)
    assert serve(learner, learner.c2) == nrb.pk


def test_a_refresher_is_not_a_learning_period(world, clock):
    world.dave = User.objects.create_user(
        username="dave", role=Role.COUNTER_OFFICER, centre=world.gpo, mda=world.nhif
    )
    nhif = course("nhif-reg", world.nhif_reg)
    passed(world, world.dave, nhif, dt.date(2025, 1, 12))
    passed(world, world.dave, nhif, dt.date(2026, 11, 20))  # refresher
    c3 = world.counters[("gpo-nairobi", 3)]  # KRA PIN (no course) and NHIF registration
    queues.counter_open(counter=c3, officer=world.dave)
    reg = issue(world, world.nhif_reg)
    clock.advance(minutes=5)
    issue(world, world.kra_pin)
    assert serve(world, c3) == reg.pk


def test_supervised_practice_is_a_learning_period(world, clock):
    world.dave = User.objects.create_user(
        username="dave", role=Role.COUNTER_OFFICER, centre=world.gpo, mda=world.nhif
    )
    passed(world, world.dave, course("nhif-reg", world.nhif_reg), dt.date(2026, 1, 12))
    course("nrb-dup", world.id_dup)
    staffing.practice_open(
        officer=world.dave,
        service=world.id_dup,
        starts_on=dt.date(2026, 11, 24),
        ends_on=dt.date(2026, 11, 30),
        supervisor="Alice",
        reason="NRB queue over an hour",
        actor=world.bob,
    )
    c2 = world.counters[("gpo-nairobi", 2)]
    queues.counter_open(counter=c2, officer=world.dave)
    queues.counter_add_skill_today(counter=c2, service=world.id_dup, actor=world.bob)
    nrb = issue(world, world.id_dup)
    clock.advance(minutes=5)
    nhif = issue(world, world.nhif_reg)
    assert serve(world, c2) == nhif.pk
    assert serve(world, c2) == nrb.pk


def test_a_long_queue_of_the_learned_service_does_not_hide_their_own(learner, clock, monkeypatch):
    # The candidate window holds 2: three older NRB tickets would fill it on their own.
    monkeypatch.setattr(queues, "CANDIDATE_WINDOW", 2)
    for _ in range(3):
        issue(learner, learner.id_dup)
        clock.advance(minutes=1)
    nhif = issue(learner, learner.nhif_reg)
    assert serve(learner, learner.c2) == nhif.pk


def test_an_officer_not_learning_is_ranked_as_before(world, clock):
    # Alice (NRB, no training records: the demo's case) at counter 3 takes the longer wait.
    c3 = world.counters[("gpo-nairobi", 3)]
    queues.counter_open(counter=c3, officer=world.alice)
    pin = issue(world, world.kra_pin)
    clock.advance(minutes=5)
    issue(world, world.nhif_reg)
    ticket = queues.ticket_call_next(counter=c3, officer=world.alice)
    assert ticket.visit_id == pin.pk


def test_held_back_in_the_policy_itself():
    now = 10_000.0
    own = dispatch.Candidate(ticket_id=1, service_id="A", arrived_at=now - 60)
    new = dispatch.Candidate(ticket_id=2, service_id="B", arrived_at=now - 600)
    args = {"now": now, "counter_id": 7, "skills": {"A", "B"}}
    assert [c.ticket_id for c in dispatch.rank([own, new], **args)] == [2, 1]
    assert [c.ticket_id for c in dispatch.rank([own, new], **args, learning={"B"})] == [1]
    assert [c.ticket_id for c in dispatch.rank([new], **args, learning={"B"})] == [2]
    late = dispatch.Candidate(ticket_id=3, service_id="B", arrived_at=now - 61 * 60)
    assert [c.ticket_id for c in dispatch.rank([own, late], **args, learning={"B"})] == [3, 1]

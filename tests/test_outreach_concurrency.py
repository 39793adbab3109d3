"""Races on an outreach (PostgreSQL): expenses at once never overspend the imprest, two plans
at once never empty a service at the centre, and an announcement clicked twice at once sends
once."""

import datetime as dt
import threading

import pytest
from django.db import connections

from huduma.core.errors import DomainError
from huduma.notify.models import Message
from huduma.outreach import imprest, planning, publicity, rotation
from huduma.outreach.plan_models import Announcement, Expense
from tests.conftest import require_postgres
from tests.outreach_world import add_mashinani, planned

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DAY = dt.date(2026, 12, 2)


def race(calls) -> list[str]:
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def work(call):
        try:
            start.wait()
            call()
            outcomes.append("done")
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_expenses_at_once_never_overspend_the_imprest(world, clock):
    require_postgres()
    add_mashinani(world)
    outreach = planned(world, world.westlands, [DAY])
    calls = [
        lambda n=n: imprest.expense_record(
            outreach=outreach,
            description="Hire",
            amount="10000",
            receipt_number=f"R{n}",
            actor=world.bob,
        )
        for n in range(6)
    ]
    assert race(calls) == ["done"] * 5 + ["refused"]
    assert imprest.imprest_balance(outreach) == 0
    assert Expense.objects.count() == 5


def test_two_plans_at_once_never_empty_a_service(world, clock, monkeypatch):
    require_postgres()
    add_mashinani(world)
    # Hold each plan between reading who is away and writing, so that without the centre's
    # lock both would read "erin and frank both here" and both go.
    both_read = threading.Barrier(2, timeout=1)
    real_gaps = rotation.coverage_gaps

    def gaps_then_wait(centre, away):
        gaps = real_gaps(centre, away)
        try:
            both_read.wait()
        except threading.BrokenBarrierError:
            pass  # the lock kept the other plan out: go on alone
        return gaps

    monkeypatch.setattr(rotation, "coverage_gaps", gaps_then_wait)
    first = planned(world, world.westlands, [DAY], services_=[world.nhif_reg])
    second = planned(world, world.kibra, [DAY], services_=[world.nhif_reg])
    calls = [
        lambda: planning.outreach_assign_officer(
            outreach=first, service=world.nhif_reg, officer=world.erin, actor=world.bob
        ),
        lambda: planning.outreach_assign_officer(
            outreach=second, service=world.nhif_reg, officer=world.frank, actor=world.bob
        ),
    ]
    assert race(calls) == ["done", "refused"]
    assert first.officer_days.count() + second.officer_days.count() == 1


def test_an_announcement_clicked_twice_at_once_sends_once(world, clock):
    require_postgres()
    add_mashinani(world)
    publicity.opt_in(phone="0712000001", sub_county=world.westlands, language="sw", source="web")
    outreach = planned(world, world.westlands, [DAY])
    planning.outreach_assign_officer(
        outreach=outreach, service=world.id_dup, officer=world.dave, actor=world.bob
    )
    planning.outreach_assign_officer(
        outreach=outreach, service=world.nhif_reg, officer=world.erin, actor=world.bob
    )
    planning.outreach_agree(
        outreach=outreach,
        name="A",
        office="Chief",
        agreed_on=DAY.replace(month=11, day=24),
        actor=world.bob,
    )
    calls = [lambda: publicity.outreach_announce(outreach=outreach, actor=world.bob)] * 4
    assert race(calls) == ["done"] * 4
    assert Announcement.objects.count() == 1
    assert Message.objects.filter(template="outreach_announcement").count() == 1

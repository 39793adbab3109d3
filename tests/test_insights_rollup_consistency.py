"""The rollups stay equal to a recomputation from the apps' rows: after a day of random events
refreshed incrementally, after a refresh run twice, after a refresh killed half-way, and with two
workers refreshing at once (PostgreSQL)."""

import datetime as dt
import random
import threading
import time

import pytest
from django.db import connection

from huduma.applications.models import Application
from huduma.complaints.models import Complaint
from huduma.feedback.models import Rating
from huduma.insights import rollups
from huduma.insights.models import (
    ApplicationDay,
    ApplicationMonth,
    ComplaintDay,
    CounterDay,
    Pending,
    QueueDay,
    QueueMonth,
    RevenueDay,
    RevenueMonth,
)
from huduma.places.models import SubCounty
from huduma.queues.models import Ticket
from tests.insights_rows import DAY, Rows, at

TABLES = (
    QueueDay,
    QueueMonth,
    CounterDay,
    RevenueDay,
    RevenueMonth,
    ApplicationDay,
    ApplicationMonth,
    ComplaintDay,
)
FIRST, LAST = DAY - dt.timedelta(days=10), DAY + dt.timedelta(days=10)


def snapshot() -> dict:
    out = {}
    for model in TABLES:
        names = [f.attname for f in model._meta.concrete_fields]
        out[model.__name__] = sorted(model.objects.values_list(*names))
    return out


def random_day(world, rng: random.Random, events: int = 160, refresh_every: int = 7) -> None:
    """A day of random events: tickets issued, called, served, left, rated; applications
    received, breached, their due date moved; complaints lodged, resolved, moved to another
    centre; payments and refunds; an outreach day declared. Refreshes now and then."""
    rows = Rows(world)
    centres = [world.gpo, world.kisumu]
    services = [world.id_dup, world.nhif_reg, world.kra_pin]
    days = [DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)]
    sub = SubCounty.objects.create(county=world.gpo.county, name="Kibra")
    for n in range(events):
        roll = rng.random()
        if roll < 0.35:
            rows.ticket(
                centre=rng.choice(centres),
                service=rng.choice(services),
                day=rng.choice(days),
                channel=rng.choice(["reception", "kiosk", "web", "sms", "appointment"]),
                status=rng.choice(["served", "served", "no_show", "cancelled", "waiting"]),
                wait_min=rng.choice([None, 1, 4, 12, 25, 61, 130, 300]),
                service_min=rng.randint(1, 30),
                score=rng.choice([None, None, 1, 3, 4, 5]),
                prefix=rng.choice("AAAZ"),
            )
        elif roll < 0.5 and Ticket.objects.exists():
            ticket = rng.choice(list(Ticket.objects.filter(status="waiting")) or [None])
            if ticket is not None:  # called and served later that morning
                ticket.status = "served"
                ticket.called_at = ticket.waiting_since + dt.timedelta(minutes=rng.randint(1, 90))
                ticket.started_at = ticket.called_at
                ticket.finished_at = ticket.started_at + dt.timedelta(minutes=7)
                ticket.counter = world.counters[(ticket.centre.code, 2)]
                ticket.save()
        elif roll < 0.55:
            unrated = Ticket.objects.filter(status="served").exclude(
                pk__in=Rating.objects.values("ticket_id")
            )
            ticket = unrated.first()
            if ticket is not None:
                Rating.objects.create(
                    ticket=ticket,
                    centre=ticket.centre,
                    service=ticket.service,
                    ending="served",
                    channel="sms",
                    score=rng.randint(1, 5),
                    at=at(DAY, 15),
                )
        elif roll < 0.65:
            rows.application(
                due_on=rng.choice(days),
                breached=rng.random() < 0.3,
                centre=rng.choice(centres),
            )
        elif roll < 0.7 and Application.objects.exists():
            app = Application.objects.order_by("?").first()
            app.due_on = app.due_on + dt.timedelta(days=rng.choice([1, 2]))  # a query answered
            app.breached_at = None
            app.save()
        elif roll < 0.78:
            rows.complaint(
                category=rng.choice(["service_quality", "bribery", "delay"]),
                received=at(rng.choice(days), rng.randint(0, 23)),
                overdue=rng.random() < 0.2,
                centre=rng.choice(centres),
            )
        elif roll < 0.82 and Complaint.objects.exists():
            complaint = Complaint.objects.order_by("?").first()
            complaint.status = "closed"
            complaint.resolved_at = complaint.created_at + dt.timedelta(hours=rng.randint(1, 90))
            complaint.centre = rng.choice(centres)
            complaint.save()
        elif roll < 0.95:
            paid = rows.entry(
                amount=str(rng.choice([100, 250, 1000])),
                when=at(rng.choice(days), rng.randint(0, 23), rng.randint(0, 59)),
                centre=rng.choice(centres),
            )
            if rng.random() < 0.3:
                rows.entry(kind="refund", amount="50.00", refund_of=paid, when=paid.at)
        elif not world.gpo.outreaches.exists():
            rows.outreach(sub_county=sub, day=DAY, prefix="Z")
        if n % refresh_every == 0:
            rollups.refresh()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_day_of_random_events_then_refresh_equals_rebuild(world, seed):
    random_day(world, random.Random(seed))
    rollups.refresh()
    assert not Pending.objects.exists()
    incremental = snapshot()
    assert incremental["QueueDay"], "the day made tickets"
    rollups.rebuild(FIRST, LAST)
    assert snapshot() == incremental


@pytest.mark.django_db
def test_refresh_twice_changes_nothing(world):
    random_day(world, random.Random(7), events=60, refresh_every=1000)
    first = rollups.refresh()
    assert first.marks > 0
    once = snapshot()
    second = rollups.refresh()
    assert second.marks == 0
    assert snapshot() == once


@pytest.mark.django_db
def test_a_refresh_killed_half_way_loses_nothing(world, monkeypatch):
    random_day(world, random.Random(11), events=80, refresh_every=1000)
    before = snapshot()
    marks = Pending.objects.count()
    real = rollups.recompute
    calls = {"n": 0}

    def dies_on_the_third_slice(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(rollups, "recompute", dies_on_the_third_slice)
    with pytest.raises(SystemExit):
        rollups.refresh()
    # Rolled back whole: the marks are still there, no rollup half-written.
    assert Pending.objects.count() == marks
    assert snapshot() == before
    monkeypatch.setattr(rollups, "recompute", real)
    rollups.refresh()
    refreshed = snapshot()
    rollups.rebuild(FIRST, LAST)
    assert snapshot() == refreshed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_and_a_refresh_at_once_count_once(world, monkeypatch):
    """A rebuild (A) has recomputed a slice and not yet committed; a new change marks the same
    slice and the refresh (B) starts. Without the rollup lock B would not see A's new rows and
    would insert beside them (a duplicate key): B must wait for A. (Two refreshes serialise on
    the marks they delete as well.)"""
    from tests.conftest import require_postgres

    require_postgres()
    rows = Rows(world)
    rows.ticket()
    rollups.refresh()
    real = rollups.recompute
    a_recomputed = threading.Event()
    errors = []

    def recompute_then_linger(*args, **kwargs):
        real(*args, **kwargs)
        if threading.current_thread().name == "A":
            a_recomputed.set()
            time.sleep(1.5)  # A holds its transaction open

    monkeypatch.setattr(rollups, "recompute", recompute_then_linger)

    def worker(run):
        try:
            run()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    a = threading.Thread(target=worker, args=(lambda: rollups.rebuild(DAY, DAY),), name="A")
    a.start()
    assert a_recomputed.wait(10)
    rows.ticket(status="no_show")  # the same centre and day, committed now
    b = threading.Thread(target=worker, args=(rollups.refresh,), name="B")
    b.start()
    a.join()
    b.join()
    assert errors == []
    assert not Pending.objects.exists()
    together = snapshot()
    assert sum(r.tickets_n for r in QueueDay.objects.all()) == 2
    rollups.rebuild(FIRST, LAST)
    assert snapshot() == together

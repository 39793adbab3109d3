"""Period figures read by the performance app (daily report, standards, appraisal, savings).
Each is one aggregate query over the ticket and event rows; nothing is counted by hand."""

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from huduma.catalogue.models import CounterService
from huduma.core import clock
from huduma.places.models import Centre, Counter
from huduma.queues.models import CounterSession, DaySkill, Ticket, TicketEvent

Status = Ticket.Status


def served_counts(
    *, since: dt.datetime, until: dt.datetime, key: str = "service_id", centre=None
) -> dict:
    """Tickets served in [since, until) (by the time they were finished), counted per `key`
    (service_id, centre_id, officer_id, service__mda_id)."""
    rows = Ticket.objects.filter(
        status=Status.SERVED, finished_at__gte=since, finished_at__lt=until
    )
    if centre is not None:
        rows = rows.filter(centre=centre)
    return dict(rows.values_list(key).annotate(n=Count("id")).order_by())


def wait_compliance(
    *,
    since: dt.datetime,
    until: dt.datetime,
    minutes: int,
    group_by: tuple[str, ...] = ("service_id",),
    centre=None,
) -> list[dict]:
    """The charter's maximum wait, kept or not: tickets that started waiting in [since, until),
    each group's count (`n`) and how many were called within `minutes` of starting to wait
    (`met`). A ticket never called (it left, or was still waiting at closing) did not meet it."""
    limit = dt.timedelta(minutes=minutes)
    rows = Ticket.objects.filter(waiting_since__gte=since, waiting_since__lt=until)
    if centre is not None:
        rows = rows.filter(centre=centre)
    met = Q(called_at__isnull=False, called_at__lte=F("waiting_since") + limit)
    return list(
        rows.values(*group_by).annotate(n=Count("id"), met=Count("id", filter=met)).order_by()
    )


def no_show_counts(
    *, since: dt.datetime, until: dt.datetime, key: str | None = None, centre=None
) -> int | dict:
    """No-shows declared in [since, until): a count, or counted per `key` (actor_id: the
    officer who declared it)."""
    rows = TicketEvent.objects.filter(kind=TicketEvent.Kind.NO_SHOW, at__gte=since, at__lt=until)
    if centre is not None:
        rows = rows.filter(centre=centre)
    if key is None:
        return rows.count()
    return dict(rows.values_list(key).annotate(n=Count("id")).order_by())


@dataclass(frozen=True)
class ServiceTime:
    officer_id: int
    service_id: int
    served: int
    mean_minutes: float


def service_times(
    *,
    since: dt.datetime,
    until: dt.datetime,
    officer_ids: list[int] | None = None,
    service_ids: list[int] | None = None,
) -> list[ServiceTime]:
    """Per officer and service: tickets served in [since, until) and their mean service time
    (from being served to finished)."""
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    rows = Ticket.objects.filter(
        status=Status.SERVED,
        finished_at__gte=since,
        finished_at__lt=until,
        started_at__isnull=False,
        officer__isnull=False,
    )
    if officer_ids is not None:
        rows = rows.filter(officer_id__in=officer_ids)
    if service_ids is not None:
        rows = rows.filter(service_id__in=service_ids)
    out = []
    for row in (
        rows.values("officer_id", "service_id")
        .annotate(n=Count("id"), mean=Avg(duration))
        .order_by()
    ):
        if row["mean"] is not None:
            out.append(
                ServiceTime(
                    officer_id=row["officer_id"],
                    service_id=row["service_id"],
                    served=row["n"],
                    mean_minutes=row["mean"].total_seconds() / 60,
                )
            )
    return out


@dataclass(frozen=True)
class Duty:
    officer: object
    counters: tuple[int, ...]
    first_opened: dt.datetime
    last_closed: dt.datetime | None  # None: still signed in


def staff_on_duty(*, centre: Centre, since: dt.datetime, until: dt.datetime) -> list[Duty]:
    """The officers signed in to a counter of the centre at some time in [since, until)."""
    sessions = (
        CounterSession.objects.filter(counter__centre=centre, opened_at__lt=until)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
        .select_related("officer", "counter")
        .order_by("opened_at")
    )
    by_officer: dict[int, list[CounterSession]] = {}
    for s in sessions:
        by_officer.setdefault(s.officer_id, []).append(s)
    duties = []
    for rows in by_officer.values():
        closed = [r.closed_at for r in rows]
        duties.append(
            Duty(
                officer=rows[0].officer,
                counters=tuple(sorted({r.counter.number for r in rows})),
                first_opened=rows[0].opened_at,
                last_closed=None if None in closed else max(closed),
            )
        )
    duties.sort(key=lambda d: (d.first_opened, str(d.officer)))
    return duties


@dataclass(frozen=True)
class IdleCounter:
    counter: Counter
    minutes: int  # minutes the counter was open and free while someone waited for its services


def _minutes_of(start: dt.datetime, end: dt.datetime, base: dt.datetime) -> range:
    first = max(0, math.ceil((start - base).total_seconds() / 60))
    last = max(0, math.ceil((end - base).total_seconds() / 60))
    return range(first, last)


def counters_idle_while_waiting(
    *, centre: Centre, since: dt.datetime, until: dt.datetime
) -> list[IdleCounter]:
    """Counters signed in and holding no ticket, minute by minute, while a ticket of a service
    the counter serves was waiting: the minutes citizens waited for nothing. Worst first.

    A minute counts when it is inside an open session of the counter, outside every ticket the
    counter held (called to finished), and inside the wait of one of its services' tickets
    (started waiting to called, or to its end when never called)."""
    counters = {c.pk: c for c in centre.counters.all()}
    sessions = CounterSession.objects.filter(counter__centre=centre, opened_at__lt=until).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=since)
    )
    open_minutes: dict[int, set[int]] = {}
    for s in sessions:
        span = _minutes_of(max(s.opened_at, since), min(s.closed_at or until, until), since)
        open_minutes.setdefault(s.counter_id, set()).update(span)
    if not open_minutes:
        return []
    tickets = list(
        Ticket.objects.filter(centre=centre, waiting_since__lt=until)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=since))
        .values("service_id", "counter_id", "waiting_since", "called_at", "finished_at")
    )
    busy: dict[int, set[int]] = {}
    waiting: dict[int, set[int]] = {}
    for t in tickets:
        if t["counter_id"] is not None and t["called_at"] is not None:
            end = min(t["finished_at"] or until, until)
            busy.setdefault(t["counter_id"], set()).update(
                _minutes_of(max(t["called_at"], since), end, since)
            )
        wait_end = min(t["called_at"] or t["finished_at"] or until, until)
        waiting.setdefault(t["service_id"], set()).update(
            _minutes_of(max(t["waiting_since"], since), wait_end, since)
        )
    skills: dict[int, set[int]] = {}
    for counter_id, service_id in CounterService.objects.filter(
        counter_id__in=list(open_minutes)
    ).values_list("counter_id", "service_id"):
        skills.setdefault(counter_id, set()).add(service_id)
    for counter_id, service_id in DaySkill.objects.filter(
        counter_id__in=list(open_minutes), day=clock.local_date(since)
    ).values_list("counter_id", "service_id"):
        skills.setdefault(counter_id, set()).add(service_id)
    out = []
    for counter_id, minutes in open_minutes.items():
        waited: set[int] = set()
        for service_id in skills.get(counter_id, ()):
            waited |= waiting.get(service_id, set())
        idle = (minutes - busy.get(counter_id, set())) & waited
        if idle:
            out.append(IdleCounter(counter=counters[counter_id], minutes=len(idle)))
    out.sort(key=lambda i: (-i.minutes, i.counter.number))
    return out


@dataclass(frozen=True)
class TripsAvoided:
    centre_id: int
    visits: int  # visits with at least one service served
    services: int  # services served in those visits
    mda_trips: int  # (visit, MDA) pairs: the offices the citizens would otherwise have gone to

    @property
    def trips_avoided(self) -> int:
        """One trip to the centre instead of one trip to each MDA's office."""
        return self.mda_trips - self.visits


def trips_avoided(*, since: dt.datetime, until: dt.datetime, centre=None) -> list[TripsAvoided]:
    """Per centre, over the services completed (served) in [since, until): the visits they
    belong to and the MDA offices those visits stood for. Two aggregate queries, no row per
    visit, no join to the visits (the finish time is the ticket's own)."""
    rows = Ticket.objects.filter(
        status=Status.SERVED, finished_at__gte=since, finished_at__lt=until
    )
    if centre is not None:
        rows = rows.filter(centre=centre)
    per_centre = {
        r["centre_id"]: r
        for r in rows.values("centre_id")
        .annotate(visits=Count("visit_id", distinct=True), services=Count("id"))
        .order_by()
    }
    pairs: dict[int, int] = {}
    for r in (
        rows.values("centre_id", "service__mda_id")
        .annotate(v=Count("visit_id", distinct=True))
        .order_by()
    ):
        pairs[r["centre_id"]] = pairs.get(r["centre_id"], 0) + r["v"]
    return [
        TripsAvoided(
            centre_id=centre_id,
            visits=r["visits"],
            services=r["services"],
            mda_trips=pairs.get(centre_id, 0),
        )
        for centre_id, r in per_centre.items()
    ]

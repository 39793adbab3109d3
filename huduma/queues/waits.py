"""How long a citizen will wait: open counters per service, recent service times, the places
ahead of a ticket and the minutes they make (the one formula), per centre and per counter."""

import datetime as dt
import math
import threading
from dataclasses import dataclass

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F

from huduma.catalogue.models import CounterService
from huduma.core import clock
from huduma.core.i18n import sorted_by_name
from huduma.places.models import Centre, Counter
from huduma.queues import reference, sql
from huduma.queues.models import CounterSession, DaySkill, Ticket, Visit

Status = Ticket.Status
DEFAULT_SERVICE_MINUTES = 8.0
RECENT = dt.timedelta(hours=2)


def open_counters_by_service(centre: Centre, now: dt.datetime | None = None) -> dict[int, int]:
    """How many open counters can serve each service right now (skills moved for today count)."""
    open_ids = list(
        CounterSession.objects.filter(
            counter__centre=centre, status=CounterSession.Status.OPEN
        ).values_list("counter_id", flat=True)
    )
    pairs = set(
        CounterService.objects.filter(counter_id__in=open_ids).values_list(
            "counter_id", "service_id"
        )
    )
    pairs |= set(
        DaySkill.objects.filter(counter_id__in=open_ids, day=clock.local_date(now)).values_list(
            "counter_id", "service_id"
        )
    )
    counts: dict[int, int] = {}
    for _counter_id, service_id in pairs:
        counts[service_id] = counts.get(service_id, 0) + 1
    return counts


def counters_by_service(
    centre: Centre, services, now: dt.datetime | None = None
) -> dict[int, list[Counter]]:
    """The counters in use at `centre` that serve each of `services` today (a skill moved for
    today included), by number: where a citizen waits (the kiosk prints them on the ticket)."""
    wanted = [s.pk for s in services]
    found: dict[int, list[Counter]] = {pk: [] for pk in wanted}
    in_use = {"counter__centre": centre, "counter__is_active": True, "service_id__in": wanted}
    pairs = set(CounterService.objects.filter(**in_use).values_list("service_id", "counter_id"))
    pairs |= set(
        DaySkill.objects.filter(**in_use, day=clock.local_date(now)).values_list(
            "service_id", "counter_id"
        )
    )
    counters = Counter.objects.in_bulk({counter_id for _service_id, counter_id in pairs})
    for service_id, counter_id in sorted(pairs, key=lambda p: counters[p[1]].number):
        found[service_id].append(counters[counter_id])
    return found


# How many served tickets the default service time weighs as: one citizen served in a minute
# must not turn "12 people ahead" into "about 1 minute".
PRIOR_TICKETS = 3


def mean_service_minutes(centre: Centre, now: dt.datetime) -> dict[int, float]:
    """Recent service time per service, from the tickets served in the last two hours: their
    mean, drawn towards the default time while they are few (a weighted mean with
    PRIOR_TICKETS tickets of DEFAULT_SERVICE_MINUTES)."""
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    rows = (
        Ticket.objects.filter(
            centre=centre,
            status=Status.SERVED,
            finished_at__gte=now - RECENT,
            started_at__isnull=False,
        )
        .values("service_id")
        .annotate(mean=Avg(duration), served=Count("id"))
    )
    return {
        row["service_id"]: (
            row["mean"].total_seconds() / 60 * row["served"]
            + DEFAULT_SERVICE_MINUTES * PRIOR_TICKETS
        )
        / (row["served"] + PRIOR_TICKETS)
        for row in rows
        if row["mean"] is not None
    }


@dataclass
class Estimate:
    service_id: int
    waiting: int
    counters_open: int
    minutes: int


def wait_estimates(centre: Centre, now: dt.datetime | None = None) -> dict[int, Estimate]:
    """Minutes a newcomer would wait per service: the queue ahead, shared among the counters
    open for that service, times the recent service time."""
    now = now or clock.now()
    waiting = dict(
        Ticket.objects.filter(centre=centre, status=Status.WAITING)
        .values_list("service_id")
        .annotate(n=Count("id"))
    )
    counters = open_counters_by_service(centre, now)
    means = mean_service_minutes(centre, now)
    estimates = {}
    for service_id in (
        set(waiting)
        | set(counters)
        | set(centre.offered_services.values_list("service_id", flat=True))
    ):
        ahead = waiting.get(service_id, 0)
        open_n = counters.get(service_id, 0)
        minutes = _minutes(ahead, open_n, means.get(service_id))
        estimates[service_id] = Estimate(service_id, ahead, open_n, minutes)
    return estimates


def visit_estimate_minutes(visit: Visit, now: dt.datetime | None = None) -> int:
    """Minutes until the visit's current service is likely to be called."""
    ticket = visit.tickets.filter(status=Status.WAITING).first()
    if ticket is None:
        return 0
    return estimate_minutes(ticket, places_ahead(ticket), now)


def service_has_open_counter(centre_id: int, service_id: int) -> bool:
    """Whether a counter that serves the service is open right now (not cached)."""
    return CounterService.objects.filter(
        service_id=service_id,
        counter__centre_id=centre_id,
        counter__sessions__status=CounterSession.Status.OPEN,
    ).exists()


@dataclass(frozen=True)
class Wait:
    ahead: int
    minutes: int | None  # None: no counter serving the service is open, so no estimate


def ticket_wait(ticket: Ticket, ahead: int, now: dt.datetime | None = None) -> Wait:
    """The wait of a waiting ticket, from the few-seconds-old counter figures (the issue hot
    path asks). Never "0 minutes" for a queue that nobody serves: minutes is then None."""
    counters, means = _centre_stats(ticket.centre_id, now or clock.now())
    open_n = counters.get(ticket.service_id, 0)
    if not open_n:
        return Wait(ahead, None)
    return Wait(ahead, _minutes(ahead, open_n, means.get(ticket.service_id)))


def places_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same service before this one. Same key: the earlier ticket
    (UUIDv7 ids are time-ordered) goes first, as in dispatch."""
    return sql.places_ahead(
        centre_id=ticket.centre_id,
        service_id=ticket.service_id,
        queue_key=ticket.queue_key,
        ticket_id=ticket.pk,
    )


STATS_SECONDS = 10
_local_stats = TTLCache(maxsize=256, ttl=max(settings.QMS_LOCAL_STATS_SECONDS, 0.001))
_local_stats_lock = threading.Lock()


def _local_stats_on() -> bool:
    return settings.QMS_LOCAL_STATS_SECONDS > 0


def _centre_stats(centre_id: int, now: dt.datetime) -> tuple[dict, dict]:
    """Open counters and recent service times per service, cached for a few seconds: every
    ticket issued asks for them, and a few seconds' staleness does not change an estimate.
    Shared through the cache for STATS_SECONDS, and kept in this process for
    QMS_LOCAL_STATS_SECONDS (2; the tests turn it off)."""
    if _local_stats_on():
        with _local_stats_lock:
            stats = _local_stats.get(centre_id)
        if stats is not None:
            return stats
    key = f"queues:stats:{centre_id}"
    stats = cache.get(key)
    if stats is None:
        centre = Centre(pk=centre_id)
        stats = (open_counters_by_service(centre, now), mean_service_minutes(centre, now))
        cache.set(key, stats, STATS_SECONDS)
    if _local_stats_on():
        with _local_stats_lock:
            _local_stats[centre_id] = stats
    return stats


def estimate_minutes(ticket: Ticket, ahead: int, now: dt.datetime | None = None) -> int:
    """Minutes until a waiting ticket is likely called: the tickets ahead of it, shared among
    the counters open for its service, times that service's recent service time."""
    counters, means = _centre_stats(ticket.centre_id, now or clock.now())
    return _minutes(ahead, counters.get(ticket.service_id, 0), means.get(ticket.service_id))


def _minutes(ahead: int, counters_open: int, mean_minutes: float | None) -> int:
    """The one formula: the queue ahead shared among the open counters (one, if none is open:
    the pages then say no counter is open rather than show it), times the service time."""
    per_service = mean_minutes or DEFAULT_SERVICE_MINUTES
    return math.ceil(ahead / max(counters_open, 1) * per_service)


def counter_queues(counter: Counter, now: dt.datetime | None = None) -> list[tuple]:
    """The queues a counter serves (its skills and today's moved ones), each as (service,
    Estimate), in the order of the names shown. Counted fresh: the waiting tickets; from the
    few-seconds-old centre figures: the open counters and service times (the console asks on
    every press and every poll)."""
    now = now or clock.now()
    skills = reference.counter_skills(counter.pk, clock.local_date(now))
    # And the second skills of the officer signed in there (dispatch offers them too).
    session = (
        CounterSession.objects.filter(counter=counter)
        .exclude(status=CounterSession.Status.CLOSED)
        .values_list("officer_id", flat=True)
        .first()
    )
    if session is not None:
        skills = skills | reference.officer_skills(session)
    waiting = dict(
        Ticket.objects.filter(
            centre_id=counter.centre_id, status=Status.WAITING, service_id__in=skills
        )
        .values_list("service_id")
        .annotate(n=Count("id"))
    )
    counters, means = _centre_stats(counter.centre_id, now)
    rows = []
    for service in sorted_by_name(filter(None, map(reference.service_by_id, skills))):
        ahead, open_n = waiting.get(service.pk, 0), counters.get(service.pk, 0)
        minutes = _minutes(ahead, open_n, means.get(service.pk))
        rows.append((service, Estimate(service.pk, ahead, open_n, minutes)))
    return rows

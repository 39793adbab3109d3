"""Queue reads shared by pages and the API: wait estimates, positions, display, live view."""

import datetime as dt
import math
import threading
from dataclasses import dataclass

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q

from huduma.catalogue.models import CounterService, Service
from huduma.core import clock
from huduma.places.models import Centre, Counter
from huduma.queues import dispatch, sql
from huduma.queues.models import CounterSession, Ticket, Visit

Status = Ticket.Status
DEFAULT_SERVICE_MINUTES = 8.0
RECENT = dt.timedelta(hours=2)


def open_counters_by_service(centre: Centre) -> dict[int, int]:
    """How many open counters can serve each service right now."""
    open_ids = CounterSession.objects.filter(
        counter__centre=centre, status=CounterSession.Status.OPEN
    ).values_list("counter_id", flat=True)
    rows = (
        CounterService.objects.filter(counter_id__in=list(open_ids))
        .values("service_id")
        .annotate(n=Count("counter_id"))
    )
    return {row["service_id"]: row["n"] for row in rows}


def mean_service_minutes(centre: Centre, now: dt.datetime) -> dict[int, float]:
    """Recent mean service time per service, from the tickets served in the last two hours."""
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    rows = (
        Ticket.objects.filter(
            centre=centre,
            status=Status.SERVED,
            finished_at__gte=now - RECENT,
            started_at__isnull=False,
        )
        .values("service_id")
        .annotate(mean=Avg(duration))
    )
    return {row["service_id"]: row["mean"].total_seconds() / 60 for row in rows if row["mean"]}


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
    counters = open_counters_by_service(centre)
    means = mean_service_minutes(centre, now)
    estimates = {}
    for service_id in (
        set(waiting)
        | set(counters)
        | set(centre.offered_services.values_list("service_id", flat=True))
    ):
        ahead = waiting.get(service_id, 0)
        open_n = counters.get(service_id, 0)
        per_service = means.get(service_id, DEFAULT_SERVICE_MINUTES)
        minutes = math.ceil(ahead / max(open_n, 1) * per_service)
        estimates[service_id] = Estimate(service_id, ahead, open_n, minutes)
    return estimates


def visit_estimate_minutes(visit: Visit, now: dt.datetime | None = None) -> int:
    """Minutes until the visit's current service is likely to be called."""
    ticket = visit.tickets.filter(status=Status.WAITING).first()
    if ticket is None:
        return 0
    return estimate_minutes(ticket, places_ahead(ticket), now)


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
        stats = (open_counters_by_service(centre), mean_service_minutes(centre, now))
        cache.set(key, stats, STATS_SECONDS)
    if _local_stats_on():
        with _local_stats_lock:
            _local_stats[centre_id] = stats
    return stats


def estimate_minutes(ticket: Ticket, ahead: int, now: dt.datetime | None = None) -> int:
    """Minutes until a waiting ticket is likely called: the tickets ahead of it, shared among
    the counters open for its service, times that service's recent service time."""
    counters, means = _centre_stats(ticket.centre_id, now or clock.now())
    per_service = means.get(ticket.service_id, DEFAULT_SERVICE_MINUTES)
    return math.ceil(ahead / max(counters.get(ticket.service_id, 0), 1) * per_service)


DISPLAY_CALLS = 6


def display_calls(centre: Centre, limit: int = DISPLAY_CALLS) -> list[Ticket]:
    """Today's most recent calls, newest first: still called, being served, or already served
    (a citizen who looked away still finds their number on the screen)."""
    today = clock.local_date()
    return list(
        Ticket.objects.filter(
            centre=centre,
            visit__service_day=today,
            status__in=[Status.CALLED, Status.SERVING, Status.SERVED],
            called_at__isnull=False,
        )
        .select_related("visit", "counter")
        .order_by("-called_at")[:limit]
    )


def officer_counter(officer) -> Counter | None:
    """The counter an officer signing in should land on: that of their live session, else the
    one they last served at (in their centre, still in use); None if they never served."""
    session = (
        CounterSession.objects.filter(officer=officer)
        .exclude(status=CounterSession.Status.CLOSED)
        .select_related("counter")
        .first()
    )
    if session is not None:
        return session.counter
    last = (
        CounterSession.objects.filter(
            officer=officer, counter__centre_id=officer.centre_id, counter__is_active=True
        )
        .select_related("counter")
        .order_by("-opened_at")
        .first()
    )
    return last.counter if last is not None else None


def priority_requests(counter: Counter, limit: int = 10) -> list[Ticket]:
    """Waiting tickets this counter serves whose citizen asked for priority at a kiosk and
    nobody has confirmed it yet, longest waiting first."""
    return list(
        Ticket.objects.filter(
            centre_id=counter.centre_id,
            status=Status.WAITING,
            service_id__in=counter.skills.values("service_id"),
            visit__priority="",
        )
        .exclude(visit__priority_requested="")
        .select_related("visit", "service")
        .order_by("visit__arrived_at")[:limit]
    )


def waiting_count(*, centre_id: int, service_id: int) -> int:
    """Tickets waiting for a service at a centre."""
    return Ticket.objects.filter(
        centre_id=centre_id, service_id=service_id, status=Status.WAITING
    ).count()


@dataclass
class ServiceQueue:
    service: Service
    waiting: int
    longest_wait_min: int
    counters_open: int
    at_risk: int


@dataclass
class CounterState:
    counter: Counter
    session: CounterSession | None
    ticket: Ticket | None


def live_view(centre: Centre, now: dt.datetime | None = None) -> dict:
    """What the Centre Manager watches: each queue, each counter, tickets at risk."""
    now = now or clock.now()
    wait_standard = settings.QMS_WAIT_STANDARD_MINUTES
    risk_after = now - dt.timedelta(minutes=wait_standard * dispatch.DEFAULT_POLICY.risk_fraction)
    waiting = Ticket.objects.filter(centre=centre, status=Status.WAITING)
    per_service = waiting.values("service_id").annotate(
        n=Count("id"),
        oldest=Min("visit__arrived_at"),
        risky=Count("id", filter=Q(visit__arrived_at__lt=risk_after)),
    )
    counters_open = open_counters_by_service(centre)
    services = {
        s.pk: s for s in Service.objects.filter(pk__in=[r["service_id"] for r in per_service])
    }
    queues = [
        ServiceQueue(
            service=services[r["service_id"]],
            waiting=r["n"],
            longest_wait_min=int((now - r["oldest"]).total_seconds() // 60),
            counters_open=counters_open.get(r["service_id"], 0),
            at_risk=r["risky"],
        )
        for r in per_service
    ]
    queues.sort(key=lambda q: (-q.longest_wait_min, q.service.name_en))
    sessions = {
        s.counter_id: s
        for s in CounterSession.objects.filter(counter__centre=centre)
        .exclude(status=CounterSession.Status.CLOSED)
        .select_related("officer")
    }
    current = {
        t.counter_id: t
        for t in Ticket.objects.filter(
            centre=centre, status__in=[Status.CALLED, Status.SERVING]
        ).select_related("visit", "service")
    }
    counters = [
        CounterState(counter=c, session=sessions.get(c.pk), ticket=current.get(c.pk))
        for c in centre.counters.filter(is_active=True).order_by("number")
    ]
    risky = list(
        waiting.filter(visit__arrived_at__lt=risk_after)
        .select_related("visit", "service")
        .order_by("visit__arrived_at")[:20]
    )
    return {
        "queues": queues,
        "counters": counters,
        "at_risk": risky,
        "waiting_total": sum(q.waiting for q in queues),
        "wait_standard": wait_standard,
        "now": now,
    }


MOST_USED_DAYS = 90


def most_used_services(centre: Centre, limit: int = 8, now: dt.datetime | None = None) -> list:
    """The services this centre's citizens came for most in the last 90 days (from its own
    tickets), among those it offers today; the catalogue's popular services fill in for a new
    centre with little history. Used for the kiosk's tiles and reception's one-tap choices."""
    from huduma.catalogue.selectors import popular_services

    now = now or clock.now()
    offered = Service.objects.filter(offered_at__centre=centre, is_active=True)
    since = clock.local_date(now) - dt.timedelta(days=MOST_USED_DAYS)
    counts = (
        Ticket.objects.filter(centre=centre, visit__service_day__gte=since, service__in=offered)
        .values("service")
        .annotate(n=Count("id"))
        .order_by("-n", "service")[:limit]
    )
    ranked = [row["service"] for row in counts]
    by_pk = offered.in_bulk(ranked)
    picked = [by_pk[pk] for pk in ranked if pk in by_pk]
    if len(picked) < limit:
        offered_pks = set(offered.values_list("pk", flat=True))
        for service in popular_services():
            if service.pk in offered_pks and service not in picked:
                picked.append(service)
            if len(picked) == limit:
                break
    return picked


def offered_services_by_ids(centre: Centre, ids: list[int]) -> list[Service]:
    """The services with these ids that the centre offers, in the order of `ids`."""
    found = Service.objects.filter(pk__in=ids, offered_at__centre=centre, is_active=True).in_bulk()
    return [found[pk] for pk in ids if pk in found]

"""Queue reads shared by pages and the API: wait estimates, positions, display, live view."""

import datetime as dt
import math
import threading
from dataclasses import dataclass

from cachetools import TTLCache
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet

from huduma.catalogue.models import MDA, CounterService, Service
from huduma.core import clock
from huduma.core.i18n import sorted_by_name
from huduma.core.periodic import tasks_late
from huduma.places.models import Centre, Counter
from huduma.queues import dispatch, reference, sql
from huduma.queues.models import Appointment, CounterSession, DaySkill, Ticket, TicketEvent, Visit

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


def services_at(centre: Centre):
    """The active services `centre` offers (a queryset, agency joined)."""
    return Service.objects.filter(offered_at__centre=centre, is_active=True).select_related("mda")


def mdas_at(centre: Centre) -> list[MDA]:
    """The agencies with at least one active service at `centre` (unordered)."""
    return list(
        MDA.objects.filter(services__offered_at__centre=centre, services__is_active=True).distinct()
    )


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


class Progress:
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    FINAL = (DONE, NO_SHOW, CANCELLED)


@dataclass(frozen=True)
class VisitProgress:
    """Where a visit stands, as its holder's phone shows it."""

    state: str  # one of Progress
    tickets: tuple[Ticket, ...]
    current: Ticket | None  # the ticket waiting, called or being served
    ahead: int | None
    minutes: int | None  # None while waiting with no counter open for the service
    counter_number: int | None  # where to go, once called

    @property
    def final(self) -> bool:
        return self.state in Progress.FINAL

    @property
    def fingerprint(self) -> str:
        """Changes whenever what the holder sees changes (the poll answers 204 otherwise)."""
        current = self.current.pk if self.current else ""
        return f"{self.state}:{current}:{self.ahead}:{self.minutes}:{self.counter_number}"


def visit_progress(visit: Visit, now: dt.datetime | None = None) -> VisitProgress:
    tickets = tuple(visit.tickets.select_related("service", "counter").order_by("position"))
    held = next((t for t in tickets if t.status in (Status.CALLED, Status.SERVING)), None)
    if held is not None:
        return VisitProgress(
            state=Progress.CALLED if held.status == Status.CALLED else Progress.SERVING,
            tickets=tickets,
            current=held,
            ahead=None,
            minutes=None,
            counter_number=held.counter.number if held.counter else None,
        )
    waiting = next((t for t in tickets if t.status in (Status.WAITING, Status.PENDING)), None)
    if waiting is not None:
        ahead = places_ahead(waiting) if waiting.status == Status.WAITING else 0
        minutes = None
        if service_has_open_counter(waiting.centre_id, waiting.service_id):
            minutes = estimate_minutes(waiting, ahead, now)
        return VisitProgress(Progress.WAITING, tickets, waiting, ahead, minutes, None)
    statuses = {t.status for t in tickets}
    if Status.SERVED in statuses:
        state = Progress.DONE
    elif Status.NO_SHOW in statuses:
        state = Progress.NO_SHOW
    else:
        state = Progress.CANCELLED
    return VisitProgress(state, tickets, None, None, None, None)


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
        .select_related("visit", "counter", "service")
        .order_by("-called_at")[:limit]
    )


def officer_counter(officer) -> Counter | None:
    """The counter an officer signing in should land on: that of their live session, else the
    one they last served at (in their centre, still in use), else, on their first day, the
    first free counter of their centre serving their MDA's services; None if there is none."""
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
    if last is not None:
        return last.counter
    if not (officer.centre_id and officer.mda_id):
        return None
    busy = CounterSession.objects.exclude(status=CounterSession.Status.CLOSED).values("counter")
    return (
        Counter.objects.filter(
            centre_id=officer.centre_id,
            is_active=True,
            skills__service__mda_id=officer.mda_id,
        )
        .exclude(pk__in=busy)
        .order_by("number")
        .first()
    )


def priority_requests(counter: Counter, limit: int = 10) -> list[Ticket]:
    """Waiting tickets this counter serves whose citizen asked for priority at a kiosk and
    nobody has confirmed it yet, longest waiting first."""
    return list(
        Ticket.objects.filter(
            centre_id=counter.centre_id,
            status=Status.WAITING,
            service_id__in=reference.counter_skills(counter.pk, clock.local_date()),
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


@dataclass(frozen=True)
class UnservedQueue:
    """A queue with people waiting and no open counter for its service, and the Centre
    Manager's two remedies: counters that serve it but are closed (open one for an officer),
    and open counters that do not serve it (give one the service for today)."""

    queue: ServiceQueue
    closed_counters: list[Counter]
    open_counters: list[Counter]
    # The free officers who may serve the queue's service (see services.officer_may_serve).
    officers: tuple = ()


def unserved_queues(
    queues: list[ServiceQueue], states: list[CounterState], day: dt.date
) -> list[UnservedQueue]:
    flagged = [q for q in queues if q.waiting and not q.counters_open]
    if not flagged:
        return []
    counter_ids = [state.counter.pk for state in states]
    skills = set(
        CounterService.objects.filter(counter_id__in=counter_ids).values_list(
            "counter_id", "service_id"
        )
    )
    skills |= set(
        DaySkill.objects.filter(counter_id__in=counter_ids, day=day).values_list(
            "counter_id", "service_id"
        )
    )
    open_status = CounterSession.Status.OPEN
    return [
        UnservedQueue(
            queue=q,
            closed_counters=[
                s.counter
                for s in states
                if s.session is None and (s.counter.pk, q.service.pk) in skills
            ],
            open_counters=[
                s.counter
                for s in states
                if s.session is not None
                and s.session.status == open_status
                and (s.counter.pk, q.service.pk) not in skills
            ],
        )
        for q in flagged
    ]


def free_officers(centre: Centre, roles) -> list:
    """The centre's active staff of these roles who are signed in to no counter."""
    busy = CounterSession.objects.exclude(status=CounterSession.Status.CLOSED).values("officer_id")
    return list(
        get_user_model()
        .objects.filter(centre=centre, role__in=roles, is_active=True)
        .exclude(pk__in=busy)
        .order_by("first_name", "last_name", "username")
    )


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
    counters_open = open_counters_by_service(centre, now)
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
        "unserved": unserved_queues(queues, counters, clock.local_date(now)),
        "counters": counters,
        "at_risk": risky,
        "waiting_total": sum(q.waiting for q in queues),
        "wait_standard": wait_standard,
        "now": now,
        # Sweeps that stopped (escalations, near-front SMS, payments' mop-up): the manager
        # should know why nothing is escalated or texted, and call the sysadmins.
        "late_tasks": tasks_late(now=now),
    }


MOST_USED_DAYS = 90


def most_used_services(centre: Centre, limit: int = 8, now: dt.datetime | None = None) -> list:
    """The services this centre's citizens came for most in the last 90 days (from its own
    tickets), among those it offers today; the catalogue's popular services fill in for a new
    centre with little history. Used for the kiosk's tiles and reception's one-tap choices."""
    from huduma.catalogue.selectors import popular_services

    now = now or clock.now()
    offered = services_at(centre)
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
    found = services_at(centre).filter(pk__in=ids).in_bulk()
    return [found[pk] for pk in ids if pk in found]


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


# --- A citizen's history by phone (read by the contact centre during a call) -----------------

HISTORY_LIMIT = 20


def visits_for_phone(phone: str, *, limit: int = HISTORY_LIMIT) -> list[Visit]:
    """The visits (with their tickets) issued to this phone number, newest first."""
    if not phone:
        return []
    return list(
        Visit.objects.filter(phone=phone)
        .select_related("centre")
        .prefetch_related("tickets__service")
        .order_by("-arrived_at")[:limit]
    )


def appointments_for_phone(phone: str, *, limit: int = HISTORY_LIMIT) -> list[Appointment]:
    """The bookings made with this phone number, latest slot first."""
    if not phone:
        return []
    return list(
        Appointment.objects.filter(phone=phone)
        .select_related("centre", "service")
        .order_by("-slot_start")[:limit]
    )


def visits_of_phone(phone: str, day: dt.date) -> QuerySet[Visit]:
    """A phone's visits of a day, newest first: what its holder may ask about by phone."""
    return (
        Visit.objects.filter(phone=phone, service_day=day)
        .select_related("centre")
        .order_by("-arrived_at")
    )


def appointments_ahead_for_phone(phone: str, now: dt.datetime | None = None):
    """A phone's bookings still to come (booked, not checked in or cancelled), soonest first."""
    return (
        Appointment.objects.filter(
            phone=phone,
            status=Appointment.Status.BOOKED,
            slot_start__gt=now or clock.now(),
        )
        .select_related("centre", "service")
        .order_by("slot_start")
    )


# --- period figures read by the performance app (daily report, standards, appraisal, savings) ---
# Each is one aggregate query over the ticket and event rows; nothing is counted by hand.


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

"""The centre floor as staff and screens see it: the services offered, the hall display, the
Centre Manager's live view, the counter an officer lands on, what the kiosk offers first."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q

from huduma.catalogue.models import MDA, CounterService, Service
from huduma.core import clock
from huduma.core.periodic import tasks_late
from huduma.places.models import Centre, Counter
from huduma.queues import dispatch, reference
from huduma.queues.models import CounterSession, DaySkill, Ticket
from huduma.queues.waits import open_counters_by_service

Status = Ticket.Status


def services_at(centre: Centre):
    """The active services `centre` offers (a queryset, agency joined)."""
    return Service.objects.filter(offered_at__centre=centre, is_active=True).select_related("mda")


def mdas_at(centre: Centre) -> list[MDA]:
    """The agencies with at least one active service at `centre` (unordered)."""
    return list(
        MDA.objects.filter(services__offered_at__centre=centre, services__is_active=True).distinct()
    )


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

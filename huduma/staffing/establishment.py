"""The establishment of a centre: officers required per service and MDA (from the centre's own
arrivals per hour of the week and service times), officers deployed by each MDA, gaps and
surpluses. Reads only; the requests to the MDAs are written by services.py.

How "required" is computed, in plain words: for every opening hour of the week (Monday 08-09
... Friday 16-17) we take the average number of customers who arrived for a service in that
hour over the last weeks, and the service's average time at the counter. Erlang's C formula
(M/M/c) then gives the fewest officers for whom the mean wait stays within WAIT_TARGET_MIN.
The service's need is its busiest hour's; an MDA's officers serve all its services, so the
MDA's need is computed on their pooled load the same way. Never fewer than two per service.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from huduma.accounts.models import Role, User
from huduma.catalogue.models import MDA, CentreService, Service
from huduma.core import clock
from huduma.queues.models import OfficerSkill, Ticket
from huduma.staffing.models import RedeploymentRequest

MIN_PER_SERVICE = 2
# A third of the 30-minute waiting-time standard: staff for the mean, the tail is longer.
WAIT_TARGET_MIN = 10.0
HISTORY_WEEKS = 8
OPEN_HOURS = range(8, 17)  # 08:00-17:00
WEEKDAYS = range(5)  # Monday-Friday
# With no history for a service yet: a typical counter transaction.
DEFAULT_SERVICE_MIN = 10.0


def erlang_c_wait(arrivals_per_min: float, service_min: float, c: int) -> float:
    """Mean queueing wait (minutes) of M/M/c; inf if the officers cannot keep up."""
    a = arrivals_per_min * service_min
    if c <= 0 or a >= c:
        return math.inf if a > 0 else 0.0
    erlang_b = 1.0
    for k in range(1, c + 1):
        erlang_b = a * erlang_b / (k + a * erlang_b)
    rho = a / c
    p_wait = erlang_b / (1 - rho * (1 - erlang_b))
    return p_wait * service_min / (c * (1 - rho))


def officers_needed(arrivals_per_hour: float, service_min: float) -> int:
    """Fewest officers keeping the mean wait within WAIT_TARGET_MIN (0 with no arrivals)."""
    if arrivals_per_hour <= 0:
        return 0
    lam = arrivals_per_hour / 60
    c = max(1, math.ceil(lam * service_min))
    while erlang_c_wait(lam, service_min, c) > WAIT_TARGET_MIN:
        c += 1
    return c


@dataclass(frozen=True)
class ServiceNeed:
    service: Service
    service_min: float
    peak_arrivals_per_hour: float
    required: int  # at least MIN_PER_SERVICE
    able: int  # officers deployed who can serve it (its MDA's, and second skills)
    profile: tuple[int, ...]  # officers needed per opening hour of the week (Mon 08 .. Fri 16)

    @property
    def gap(self) -> int:
        return self.required - self.able


@dataclass(frozen=True)
class MDANeed:
    mda: MDA
    services: tuple[ServiceNeed, ...]
    required: int
    deployed: int
    pending: RedeploymentRequest | None

    @property
    def gap(self) -> int:
        """Positive: officers short; negative: a surplus."""
        return self.required - self.deployed


def _window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(weeks=HISTORY_WEEKS), today - dt.timedelta(days=1)


def arrivals_by_hour_of_week(centre, start: dt.date, end: dt.date) -> dict[int, dict]:
    """{service id: {(weekday, hour): customers per week}} over [start, end]."""
    weeks = max((end - start).days + 1, 7) / 7
    rows = (
        Ticket.objects.filter(
            centre=centre,
            visit__service_day__gte=start,
            visit__service_day__lte=end,
        )
        .exclude(status=Ticket.Status.CANCELLED)
        .values_list("service_id", "visit__arrived_at")
    )
    out: dict[int, dict] = defaultdict(lambda: defaultdict(float))
    for service_id, arrived in rows:
        local = arrived.astimezone(clock.NAIROBI)
        out[service_id][(local.weekday(), local.hour)] += 1 / weeks
    return out


def service_minutes(centre, start: dt.date, end: dt.date) -> dict[int, float]:
    """Mean minutes at the counter per service (served tickets with both times)."""
    totals: dict[int, list[float]] = defaultdict(list)
    rows = Ticket.objects.filter(
        centre=centre,
        status=Ticket.Status.SERVED,
        visit__service_day__gte=start,
        visit__service_day__lte=end,
        started_at__isnull=False,
        finished_at__isnull=False,
    ).values_list("service_id", "started_at", "finished_at")
    for service_id, started, finished in rows:
        totals[service_id].append((finished - started).total_seconds() / 60)
    return {k: sum(v) / len(v) for k, v in totals.items() if v}


def deployed_officers(centre):
    return User.objects.filter(
        centre=centre, role=Role.COUNTER_OFFICER, is_active=True, mda__isnull=False
    )


def centre_establishment(centre, today: dt.date | None = None, mda=None) -> list[MDANeed]:
    """Per MDA with services on the centre's charter (or only `mda`): needs and deployment."""
    today = today or clock.local_date()
    start, end = _window(today)
    arrivals = arrivals_by_hour_of_week(centre, start, end)
    minutes = service_minutes(centre, start, end)
    services = [
        cs.service
        for cs in CentreService.objects.filter(centre=centre, service__is_active=True)
        .select_related("service__mda")
        .order_by("service__mda__name_en", "service__name_en")
    ]
    if mda is not None:
        services = [s for s in services if s.mda_id == mda.pk]
    officers = dict(
        deployed_officers(centre).values_list("mda_id").annotate(n=Count("id")).order_by()
    )
    second = dict(
        OfficerSkill.objects.filter(officer__in=deployed_officers(centre))
        .values_list("service_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    pending = {
        r.mda_id: r
        for r in RedeploymentRequest.objects.filter(
            centre=centre, status=RedeploymentRequest.Status.PENDING
        )
    }
    hours = [(d, h) for d in WEEKDAYS for h in OPEN_HOURS]
    by_mda: dict[int, list[ServiceNeed]] = defaultdict(list)
    for s in services:
        mins = minutes.get(s.pk, DEFAULT_SERVICE_MIN)
        per_hour = arrivals.get(s.pk, {})
        profile = tuple(officers_needed(per_hour.get(k, 0.0), mins) for k in hours)
        by_mda[s.mda_id].append(
            ServiceNeed(
                service=s,
                service_min=mins,
                peak_arrivals_per_hour=max((per_hour.get(k, 0.0) for k in hours), default=0.0),
                required=max(MIN_PER_SERVICE, max(profile, default=0)),
                able=officers.get(s.mda_id, 0) + second.get(s.pk, 0),
                profile=profile,
            )
        )
    out = []
    for needs in by_mda.values():
        mda_ = needs[0].service.mda
        # Pooled within the MDA: its officers serve all its services.
        peak = 0
        for k in hours:
            lam = sum(arrivals.get(n.service.pk, {}).get(k, 0.0) for n in needs)
            if lam <= 0:
                continue
            mean = (
                sum(arrivals.get(n.service.pk, {}).get(k, 0.0) * n.service_min for n in needs) / lam
            )
            peak = max(peak, officers_needed(lam, mean))
        out.append(
            MDANeed(
                mda=mda_,
                services=tuple(needs),
                required=max(MIN_PER_SERVICE, peak),
                deployed=officers.get(mda_.pk, 0),
                pending=pending.get(mda_.pk),
            )
        )
    return out


def requests_for(*, centre=None, mda=None):
    q = Q()
    if centre is not None:
        q &= Q(centre=centre)
    if mda is not None:
        q &= Q(mda=mda)
    return RedeploymentRequest.objects.filter(q).select_related(
        "centre", "mda", "requested_by", "answered_by"
    )

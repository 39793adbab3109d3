"""A centre's own history as the planner's simulated days: each past working day's visits
(arrival, priority, services with their real times at the counter), its officers with today's
skills and their own pace per service."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from huduma.catalogue.models import CentreService
from huduma.core import clock
from huduma.queues.models import OfficerSkill, Ticket
from huduma.staffing.establishment import DEFAULT_SERVICE_MIN, deployed_officers
from huduma.staffing.models import CrossTrainingBan
from huduma.staffing.simulation import Officer, Visit

OPEN_HOUR = 8
# An officer's own pace counts once they served a service this many times in the window.
MIN_SAMPLES_FOR_PACE = 5


@dataclass(frozen=True)
class CentreHistory:
    days: tuple[tuple[Visit, ...], ...]
    officers: tuple[Officer, ...]
    services: tuple[str, ...]  # service codes on the charter
    forbidden: dict[str, frozenset[str]]  # MDA code -> service codes its officers may not learn


def centre_history(centre, start: dt.date, end: dt.date) -> CentreHistory:
    tickets = list(
        Ticket.objects.filter(
            centre=centre, visit__service_day__gte=start, visit__service_day__lte=end
        )
        .exclude(status=Ticket.Status.CANCELLED)
        .select_related("visit", "service")
        .order_by("visit__service_day", "visit__arrived_at", "visit_id", "position")
    )
    minutes: dict[str, list[float]] = defaultdict(list)
    by_officer: dict[tuple[int, str], list[float]] = defaultdict(list)
    for t in tickets:
        if t.started_at and t.finished_at:
            m = (t.finished_at - t.started_at).total_seconds() / 60
            minutes[t.service.code].append(m)
            if t.officer_id:
                by_officer[(t.officer_id, t.service.code)].append(m)
    mean = {code: sum(v) / len(v) for code, v in minutes.items()}
    pace = {
        key: (sum(v) / len(v)) / mean[key[1]]
        for key, v in by_officer.items()
        if len(v) >= MIN_SAMPLES_FOR_PACE and mean.get(key[1])
    }

    visits: dict[dt.date, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    meta: dict[int, tuple[float, bool]] = {}
    for t in tickets:
        local = t.visit.arrived_at.astimezone(clock.NAIROBI)
        opening = local.replace(hour=OPEN_HOUR, minute=0, second=0, microsecond=0)
        meta[t.visit_id] = (max(0.0, (local - opening).total_seconds()), bool(t.visit.priority))
        if t.started_at and t.finished_at:
            took = (t.finished_at - t.started_at).total_seconds()
            officer_pace = pace.get((t.officer_id, t.service.code), 1.0)
            took /= officer_pace  # the service's own time, not this officer's
        else:
            took = 60 * mean.get(t.service.code, DEFAULT_SERVICE_MIN)
        visits[t.visit.service_day][t.visit_id].append((t.service.code, took))
    days = []
    for day in sorted(visits):
        rows = sorted(visits[day].items(), key=lambda kv: meta[kv[0]][0])
        days.append(
            tuple(Visit(vid, meta[vid][0], meta[vid][1], tuple(steps)) for vid, steps in rows)
        )

    offered = {
        cs.service.code: cs.service
        for cs in CentreService.objects.filter(
            centre=centre, service__is_active=True
        ).select_related("service__mda")
    }
    extra = defaultdict(set)
    for officer_id, code in OfficerSkill.objects.filter(officer__centre=centre).values_list(
        "officer_id", "service__code"
    ):
        extra[officer_id].add(code)
    officers = []
    for user in deployed_officers(centre).select_related("mda").order_by("username"):
        skills = {c for c, s in offered.items() if s.mda_id == user.mda_id} | (
            extra[user.pk] & offered.keys()
        )
        officers.append(
            Officer(
                key=user.username,
                mda=user.mda.code,
                skills=frozenset(skills),
                pace=tuple((code, p) for (oid, code), p in sorted(pace.items()) if oid == user.pk),
            )
        )
    forbidden: dict[str, set[str]] = defaultdict(set)
    for mda_code, code in CrossTrainingBan.objects.values_list("mda__code", "service__code"):
        forbidden[mda_code].add(code)
    return CentreHistory(
        days=tuple(days),
        officers=tuple(officers),
        services=tuple(sorted(offered)),
        forbidden={k: frozenset(v) for k, v in forbidden.items()},
    )

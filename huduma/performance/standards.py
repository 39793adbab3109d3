"""Service delivery standards: each charter line (the maximum wait, the turnaround) with the
share of citizens it promises, and how far each service, centre and MDA kept it.

The charter's maximum wait is settings.QMS_WAIT_STANDARD_MINUTES for every service; its
turnaround is the service's own (catalogue). The target share is a StandardTarget row, or
DEFAULT_TARGET_PCT. A group of services (a centre, an MDA) is held to the targets of the
services it served, weighted by how many citizens each had: its target is the share it would
have kept had every service just met its own.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from huduma.applications import selectors as applications
from huduma.catalogue.models import MDA, Service
from huduma.core import clock
from huduma.performance.models import DEFAULT_TARGET_PCT, StandardKind, StandardTarget
from huduma.places.models import Centre
from huduma.queues import selectors as queues

LEVELS = ("service", "centre", "mda")
_KEYS = {"service": "service_id", "centre": "centre_id", "mda": "service__mda_id"}


@dataclass(frozen=True)
class Compliance:
    kind: str
    key: int
    label: str
    n: int  # citizens (tickets) or applications measured
    met: int  # of them, served within the standard
    target_pct: float  # the share promised (weighted by service for a centre or an MDA)

    @property
    def pct(self) -> float | None:
        return round(100 * self.met / self.n, 1) if self.n else None

    @property
    def gap(self) -> float:
        """Points above (positive) or below (negative) the target."""
        return round((self.pct or 0) - self.target_pct, 1)

    @property
    def meets(self) -> bool:
        return self.pct is not None and self.pct >= self.target_pct


def targets() -> dict[tuple[int, str], Decimal]:
    return {
        (row.service_id, row.kind): row.target_pct
        for row in StandardTarget.objects.only("service_id", "kind", "target_pct")
    }


def target_of(table: dict, service_id: int, kind: str) -> Decimal:
    return table.get((service_id, kind), DEFAULT_TARGET_PCT)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = dt.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def quarter_label(first: dt.date) -> str:
    return f"{first.year}-Q{(first.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> tuple[dt.date, dt.date] | None:
    """'2026-Q3' -> its first and last days; None when not a quarter."""
    try:
        year, q = text.upper().split("-Q")
        year_n, q_n = int(year), int(q)
    except ValueError:
        return None
    if not (2000 <= year_n <= 2100 and 1 <= q_n <= 4):
        return None
    return quarter_of(dt.date(year_n, 3 * q_n - 2, 1))


def _rows(kind: str, level: str, first: dt.date, last: dt.date, today: dt.date) -> list[dict]:
    group = (_KEYS[level], "service_id") if level != "service" else ("service_id",)
    if kind == StandardKind.WAIT:
        since = dt.datetime.combine(first, dt.time.min, tzinfo=clock.NAIROBI)
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=clock.NAIROBI)
        return queues.wait_compliance(
            since=since, until=until, minutes=settings.QMS_WAIT_STANDARD_MINUTES, group_by=group
        )
    return applications.turnaround_compliance(first=first, last=last, today=today, group_by=group)


def _labels(level: str, keys) -> dict:
    model = {"service": Service, "centre": Centre, "mda": MDA}[level]
    return {obj.pk: obj.name for obj in model.objects.filter(pk__in=keys)}


def compliance(
    *, kind: str, level: str, first: dt.date, last: dt.date, today: dt.date | None = None
) -> list[Compliance]:
    """Compliance with one standard per service, centre or MDA over first..last, the worst
    (furthest below its target) first."""
    today = today or clock.local_date()
    table = targets()
    key = _KEYS[level]
    sums: dict[int, list] = {}  # key -> [n, met, n x target]
    for row in _rows(kind, level, first, last, today):
        if not row["n"]:
            continue
        acc = sums.setdefault(row[key], [0, 0, Decimal(0)])
        acc[0] += row["n"]
        acc[1] += row["met"]
        acc[2] += row["n"] * target_of(table, row["service_id"], kind)
    labels = _labels(level, list(sums))
    out = [
        Compliance(
            kind=kind,
            key=k,
            label=labels.get(k, str(k)),
            n=n,
            met=met,
            target_pct=round(float(weighted / n), 1),
        )
        for k, (n, met, weighted) in sums.items()
    ]
    out.sort(key=lambda c: (c.gap, -c.n, c.label))
    return out


def standards_list(services) -> list[dict]:
    """The charter lines as standards: each service's maximum wait and turnaround, with the
    target share in force (`cells`: kind, its name, target, limit)."""
    table = targets()
    out = []
    for service in services:
        wait = target_of(table, service.pk, StandardKind.WAIT)
        turnaround = target_of(table, service.pk, StandardKind.TURNAROUND)
        out.append(
            {
                "service": service,
                "key": str(service.pk),
                "wait_minutes": settings.QMS_WAIT_STANDARD_MINUTES,
                "turnaround_days": service.turnaround_days,
                "cells": [
                    (StandardKind.WAIT.value, StandardKind.WAIT.label, wait, None),
                    (
                        StandardKind.TURNAROUND.value,
                        StandardKind.TURNAROUND.label,
                        turnaround,
                        None,
                    ),
                ],
            }
        )
    return out

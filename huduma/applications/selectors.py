"""Reads of applications shared by the pages: the back-office worklist, breaches, next steps."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from huduma.applications import services
from huduma.applications.models import CLOCK_RUNNING, OPEN_STATUSES, Application, Status
from huduma.core import clock


@dataclass
class Row:
    application: Application
    days_left: int | None  # working days to the due day (negative: late); None: clock stopped
    breached: bool


def worklist(*, officer, service_id: int | None = None, status: str = "") -> list[Row]:
    """The back office's open applications (services.back_office_scope), most at risk of
    breaching first: the clock running and the due day nearest (late ones first), then those
    waiting for the citizen's answer."""
    rows = Application.objects.filter(services.back_office_scope(officer)).select_related(
        "service", "centre"
    )
    if service_id:
        rows = rows.filter(service_id=service_id)
    rows = (
        rows.filter(status=status)
        if status in Status.values
        else rows.filter(status__in=OPEN_STATUSES)
    )
    today = clock.local_date()
    out = []
    for application in rows.order_by("due_on", "received_at")[:500]:
        running = application.status in CLOCK_RUNNING
        out.append(
            Row(
                application=application,
                days_left=services.working_days_left(application, today) if running else None,
                breached=services.is_breached(application, today),
            )
        )
    out.sort(key=lambda r: (r.days_left is None, r.days_left if r.days_left is not None else 0))
    return out


def breached_at_centre(centre, today: dt.date) -> list[Application]:
    return list(
        Application.objects.filter(centre=centre, status__in=CLOCK_RUNNING, due_on__lt=today)
        .select_related("service", "mda")
        .order_by("due_on")[:50]
    )


def next_steps(application: Application, user) -> list[tuple[str, str]]:
    """The statuses this user may move the application to now, as (value, label)."""
    allowed = services.TRANSITIONS.get(application.status, ())
    if services.can_process(user, application):
        return [(s, Status(s).label) for s in allowed]
    if services.can_hand_over(user, application) and Status.COLLECTED in allowed:
        return [(Status.COLLECTED, Status.COLLECTED.label)]
    return []


def applications_for_phone(phone: str, *, limit: int = 20) -> list[Application]:
    """The applications made with this phone number, newest first (the contact centre reads
    them during a call with that number)."""
    if not phone:
        return []
    return list(
        Application.objects.filter(phone=phone)
        .select_related("service", "centre")
        .order_by("-received_at")[:limit]
    )


def breached_count(*, centre, today: dt.date) -> int:
    """Open applications of the centre whose due day has passed while the clock runs."""
    return Application.objects.filter(
        centre=centre, status__in=CLOCK_RUNNING, due_on__lt=today
    ).count()


def turnaround_compliance(
    *,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    group_by: tuple[str, ...] = ("service_id",),
) -> list[dict]:
    """The charter's turnaround, kept or not, for applications due on first..last (only days
    before today: a due day not yet over is not decided). `n` counted; `met`: never breached
    and the clock no longer running (ready, collected, rejected, or waiting for the citizen)."""
    decided_until = min(last, today - dt.timedelta(days=1))
    rows = Application.objects.filter(due_on__gte=first, due_on__lte=decided_until)
    met = Q(breached_at__isnull=True) & ~Q(status__in=CLOCK_RUNNING)
    return list(
        rows.values(*group_by).annotate(n=Count("id"), met=Count("id", filter=met)).order_by()
    )

"""The periodic sweep (complaints not acted on in time move up, resolved ones unanswered close)
and the due times recomputed when the holiday list changes."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from huduma.complaints.ladder import _move_up, _next_level, due_at_level
from huduma.complaints.models import (
    ACTIONABLE,
    Complaint,
    ComplaintEvent,
    Status,
)
from huduma.complaints.records import _event, _sms, track_url
from huduma.core import clock
from huduma.notify.services import sms_send_many


@dataclass(frozen=True)
class SweepResult:
    escalated: int
    closed: int
    flagged: int = 0


SWEEP_FIELDS = [
    "level", "status", "assigned_to", "due_at", "closed_at", "overdue_since", "updated_at"
]  # fmt: skip


_SWEPT_PG = """
    UPDATE complaints_complaint AS c
    SET level = v.level, status = v.status, assigned_to_id = v.assigned_to_id,
        due_at = v.due_at, closed_at = v.closed_at, overdue_since = v.overdue_since,
        updated_at = v.updated_at
    FROM unnest(%s::uuid[], %s::varchar[], %s::varchar[], %s::bigint[], %s::timestamptz[],
                %s::timestamptz[], %s::timestamptz[], %s::timestamptz[])
         AS v(id, level, status, assigned_to_id, due_at, closed_at, overdue_since, updated_at)
    WHERE c.id = v.id
"""
_SWEPT_ROW = """
    UPDATE complaints_complaint
    SET level = %s, status = %s, assigned_to_id = %s, due_at = %s, closed_at = %s,
        overdue_since = %s, updated_at = %s
    WHERE id = %s
"""


def _update_swept(rows: list[Complaint]) -> None:
    """Write the swept rows back in one statement on PostgreSQL (bulk_update's CASE per column
    cost seconds at 1,000 rows); SQLite runs one small UPDATE per row, in process."""
    if not rows:
        return
    fields = [Complaint._meta.get_field(name) for name in SWEEP_FIELDS]
    columns = [
        [field.get_db_prep_value(getattr(row, field.attname), connection) for row in rows]
        for field in fields
    ]
    pk = Complaint._meta.pk
    ids = [pk.get_db_prep_value(row.pk, connection) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_SWEPT_PG, [ids, *columns])
        else:
            rows_params = [[*values, id_] for *values, id_ in zip(*columns, ids, strict=True)]
            cursor.executemany(_SWEPT_ROW, rows_params)


def complaints_sweep(*, now: dt.datetime | None = None, batch_size: int = 2000) -> SweepResult:
    """Escalate every complaint whose due date has passed, close resolved ones left unanswered.

    Driven by the stored due dates, not by timers: after downtime, a complaint that fell due at
    the centre and then again at the MDA meanwhile goes straight to the Secretariat, each step
    recorded at the moment it fell due. Rows are claimed with FOR UPDATE SKIP LOCKED on
    PostgreSQL, so two sweeps (or a sweep and a staff action) never handle one complaint twice.
    """
    now = now or clock.now()
    escalated = closed = flagged = 0
    while True:
        with transaction.atomic():
            due = Complaint.objects.filter(due_at__lte=now).order_by("due_at")
            if connection.vendor == "postgresql":
                due = due.select_for_update(skip_locked=True, of=("self",))
            rows = list(due[:batch_size])
            events: list[ComplaintEvent] = []
            told: list[tuple[Complaint, str]] = []
            for complaint in rows:
                complaint.updated_at = now
                if complaint.status == Status.RESOLVED:
                    complaint.status = Status.CLOSED
                    complaint.closed_at = now
                    complaint.due_at = None
                    events.append(
                        _event(
                            complaint,
                            ComplaintEvent.Kind.CLOSED,
                            at=now,
                            note=_("closed without an answer"),
                            save=False,
                        )
                    )
                    told.append((complaint, "complaint_closed"))
                    closed += 1
                elif complaint.status in ACTIONABLE:
                    moved = False
                    while complaint.due_at is not None and complaint.due_at <= now:
                        fell_due = complaint.due_at
                        level = _next_level(complaint, complaint.level)
                        if level is None:
                            # The top let its deadline pass: flagged, shown as overdue.
                            complaint.due_at = None
                            complaint.overdue_since = fell_due
                            events.append(
                                _event(
                                    complaint,
                                    ComplaintEvent.Kind.OVERDUE,
                                    at=fell_due,
                                    note=_("not acted on in time"),
                                    save=False,
                                )
                            )
                            flagged += 1
                            break
                        _move_up(complaint, level, start=fell_due)
                        events.append(
                            _event(
                                complaint,
                                ComplaintEvent.Kind.ESCALATED,
                                at=fell_due,
                                note=_("not acted on in time"),
                                save=False,
                            )
                        )
                        moved = True
                    if moved:
                        told.append((complaint, "complaint_escalated"))
                        escalated += 1
                else:
                    complaint.due_at = None
            _update_swept(rows)
            ComplaintEvent.objects.bulk_create(events, batch_size=1000)
            url = track_url()
            sms_send_many([_sms(c, template, url) for c, template in told if c.phone])
        if len(rows) < batch_size:
            break
    return SweepResult(escalated=escalated, closed=closed, flagged=flagged)


# The events that start a level's clock: its due time is counted in working hours from there.
LEVEL_STARTS = (
    ComplaintEvent.Kind.RECEIVED,
    ComplaintEvent.Kind.ESCALATED,
    ComplaintEvent.Kind.APPEALED,
    ComplaintEvent.Kind.REOPENED,
)


def complaints_due_recompute() -> int:
    """After the holiday list changed: every complaint waiting on a level gets that level's due
    time again, counted from when it reached the level. Returns how many moved."""
    moved = 0
    waiting = Complaint.objects.filter(status__in=ACTIONABLE, due_at__isnull=False)
    for pk in waiting.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().filter(pk=pk).first()
            if complaint is None or complaint.status not in ACTIONABLE or complaint.due_at is None:
                continue
            start = (
                complaint.events.filter(kind__in=LEVEL_STARTS)
                .order_by("-at", "-pk")
                .values_list("at", flat=True)
                .first()
            ) or complaint.created_at
            due = due_at_level(complaint.level, start)
            if due is not None and due != complaint.due_at:
                Complaint.objects.filter(pk=pk).update(due_at=due)
                moved += 1
    return moved

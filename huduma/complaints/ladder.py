"""The escalation ladder: who holds a complaint at each level, the next level up, and the
working hours each level has before the complaint moves on."""

import datetime as dt

from django.conf import settings

from huduma.complaints.models import (
    MONITOR_CATEGORIES,
    Complaint,
    Level,
    Status,
)
from huduma.complaints.permissions import is_protected
from huduma.core import clock


def _levels(complaint: Complaint) -> list[str]:
    """The ladder of a complaint: the Centre Manager (if about a centre), the MDA (if known),
    the Secretariat, then the Commission on Administrative Justice as independent reviewer.
    Corruption and maladministration go to the monitors, then the reviewer. A protected
    complaint (naming staff, the manager included, or anonymous) skips the centre and the MDA:
    they may be the accused or their chain of command."""
    if complaint.category in MONITOR_CATEGORIES:
        return [Level.MONITOR, Level.REVIEW]
    chain = []
    if not is_protected(complaint):
        if complaint.centre_id:
            chain.append(Level.CENTRE)
        if complaint.mda_id:
            chain.append(Level.MDA)
    chain += [Level.SECRETARIAT, Level.REVIEW]
    return chain


def _next_level(complaint: Complaint, level: str) -> str | None:
    chain = _levels(complaint)
    index = chain.index(level) if level in chain else len(chain)
    return chain[index + 1] if index + 1 < len(chain) else None


def _hours_at(level: str) -> float | None:
    """Working hours a level has before the complaint escalates (or, at the top, is flagged)."""
    return {
        Level.CENTRE: settings.COMPLAINT_CENTRE_HOURS,
        Level.MDA: settings.COMPLAINT_MDA_HOURS,
        Level.SECRETARIAT: settings.COMPLAINT_SECRETARIAT_HOURS,
        Level.MONITOR: settings.COMPLAINT_MONITOR_HOURS,
        Level.REVIEW: settings.COMPLAINT_REVIEW_HOURS,
    }.get(level)


def due_at_level(level: str, start: dt.datetime) -> dt.datetime | None:
    hours = _hours_at(level)
    return None if hours is None else clock.add_working_hours(start, hours)


def _move_up(complaint: Complaint, level: str, *, start: dt.datetime) -> None:
    complaint.level = level
    complaint.status = Status.ACKNOWLEDGED
    complaint.assigned_to = None
    complaint.due_at = due_at_level(level, start)
    complaint.overdue_since = None

"""Nairobi time and working days, the clock every deadline and daily reset uses."""

import datetime as dt
import threading
import time

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from huduma.core.tz import NAIROBI

# Kenyan public holidays on fixed dates (Public Holidays Act): the seed of core.Holiday, which
# the Secretariat keeps in the admin (with the movable feasts, Easter and Eid, of each year).
FIXED_HOLIDAYS = {(1, 1), (5, 1), (6, 1), (10, 10), (10, 20), (12, 12), (12, 25), (12, 26)}

# One rule every process obeys at once. Working-day loops ask about every day they cross, so
# each process keeps the list; but each unit of work (a request, a Huey task) first compares the
# database's signature of the list (row count and last change: one cheap aggregate) with the
# copy's, so the first request after a change, in whichever worker, uses the new list. Within
# one long unit of work the signature is checked again at most every RECHECK_S.
RECHECK_S = 1.0
_holidays_lock = threading.Lock()
_holidays: tuple[tuple, frozenset, frozenset] | None = None  # (signature, yearly, dated)
_unit = threading.local()


# Sent once the transaction that changed the holiday list commits: the apps that store due
# dates (applications, complaints) listen and recompute them (core imports no app).
holiday_list_changed = Signal()


def holidays_changed() -> None:
    """Forget this process's copy of the list (the next use reads it again)."""
    global _holidays
    with _holidays_lock:
        _holidays = None


def holiday_list_edited() -> None:
    """The list was edited: forget the copy, and once the edit commits tell the apps that
    store due dates."""
    holidays_changed()
    transaction.on_commit(lambda: holiday_list_changed.send(sender=None))


def new_unit_of_work(*args, **kwargs) -> None:
    """A request or a task begins: check the holiday list's signature before its next use."""
    _unit.checked_at = None


def _signature() -> tuple:
    from django.db.models import Count, Max

    from huduma.core.models import Holiday

    row = Holiday.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (row["n"], row["last"])


def _holiday_sets() -> tuple[frozenset, frozenset]:
    """(every-year (month, day) pairs, dated holidays) from core.Holiday."""
    global _holidays
    cached = _holidays
    checked = getattr(_unit, "checked_at", None)
    if cached is not None and checked is not None and time.monotonic() - checked < RECHECK_S:
        return cached[1], cached[2]
    signature = _signature()
    _unit.checked_at = time.monotonic()
    if cached is not None and cached[0] == signature:
        return cached[1], cached[2]
    from huduma.core.models import Holiday

    yearly, dated = set(), set()
    for year, month, day in Holiday.objects.values_list("year", "month", "day"):
        if year is None:
            yearly.add((month, day))
        else:
            try:
                dated.add(dt.date(year, month, day))
            except ValueError:  # 31 February typed in the admin: no such day to skip
                continue
    with _holidays_lock:
        _holidays = (signature, frozenset(yearly), frozenset(dated))
    return _holidays[1], _holidays[2]


def is_holiday(day: dt.date) -> bool:
    yearly, dated = _holiday_sets()
    return (day.month, day.day) in yearly or day in dated


def now() -> dt.datetime:
    """The current time. Every domain rule reads the clock here, so tests can set it."""
    return timezone.now()


def local_date(moment: dt.datetime | None = None) -> dt.date:
    return (moment or now()).astimezone(NAIROBI).date()


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (0 returns start itself)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


# Office hours of the public service (Mon-Fri 08:00-17:00, Nairobi time). Deadlines counted in
# working hours (complaint escalation) stop outside them, at weekends and on public holidays.
WORKDAY_START = dt.time(8, 0)
WORKDAY_END = dt.time(17, 0)


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` of working time after `start` (an aware datetime).

    Time outside office hours, weekends and public holidays does not count: 16 working hours
    from Friday 15:00 is Tuesday 13:00. The result is in Nairobi time.
    """
    remaining = dt.timedelta(hours=hours)
    moment = start.astimezone(NAIROBI)
    while True:
        day = moment.date()
        if is_working_day(day):
            opens = dt.datetime.combine(day, WORKDAY_START, tzinfo=NAIROBI)
            closes = dt.datetime.combine(day, WORKDAY_END, tzinfo=NAIROBI)
            moment = max(moment, opens)
            if moment < closes:
                if moment + remaining <= closes:
                    return moment + remaining
                remaining -= closes - moment
        moment = dt.datetime.combine(day + dt.timedelta(days=1), WORKDAY_START, tzinfo=NAIROBI)

"""Nairobi time and working days, the clock every deadline and daily reset uses."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

NAIROBI = ZoneInfo("Africa/Nairobi")

# Kenyan public holidays on fixed dates (Public Holidays Act). Movable feasts (Easter, Eid) are
# gazetted each year and belong in data, not code; they are not counted here.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (6, 1), (10, 10), (10, 20), (12, 12), (12, 25), (12, 26)}


def now() -> dt.datetime:
    """The current time. Every domain rule reads the clock here, so tests can set it."""
    return timezone.now()


def local_date(moment: dt.datetime | None = None) -> dt.date:
    return (moment or now()).astimezone(NAIROBI).date()


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (0 returns start itself)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


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

"""A centre's opening hours, read from the line its charter shows ("Mon-Fri 08:00-17:00,
Sat 09:00-13:00"), and the days it is open (public holidays excepted)."""

import datetime as dt
import functools
import re

from huduma.core import clock

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# What a centre without a readable line keeps: the programme's standard hours.
STANDARD = "Mon-Fri 08:00-17:00, Sat 09:00-13:00"
_PART = re.compile(
    r"^\s*(?P<first>[a-z]{3})[a-z]*\s*(?:-\s*(?P<last>[a-z]{3})[a-z]*)?\s+"
    r"(?P<open>\d{1,2})[:.](?P<om>\d{2})\s*-\s*(?P<close>\d{1,2})[:.](?P<cm>\d{2})\s*$"
)

Hours = dict[int, tuple[dt.time, dt.time]]  # weekday (Monday 0) -> (opens, closes)


@functools.lru_cache(maxsize=256)
def hours_parse(text: str) -> Hours:
    """Weekday -> (opens, closes). Parts are separated by commas or semicolons; a day range
    wraps (Sat-Mon). A part that cannot be read is left out; a line with no readable part
    gives the standard hours, so a typo in the admin never closes a centre to bookings."""
    hours: Hours = {}
    for part in re.split(r"[,;]", (text or "").lower()):
        match = _PART.match(part)
        if not match or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
            continue
        try:
            opens = dt.time(int(match["open"]), int(match["om"]))
            closes = dt.time(int(match["close"]), int(match["cm"]))
        except ValueError:
            continue
        if closes <= opens:
            continue
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"]) if match["last"] else first
        day = first
        while True:
            hours[day] = (opens, closes)
            if day == last:
                break
            day = (day + 1) % 7
    if not hours and text != STANDARD:
        return hours_parse(STANDARD)
    return hours


def centre_hours(centre) -> Hours:
    return hours_parse(centre.opening_hours)


def hours_on(centre, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """When the centre is open on that day, or None: closed that weekday or a public holiday."""
    if clock.is_holiday(day):
        return None
    return centre_hours(centre).get(day.weekday())


def open_days(centre, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days from start to end (both included) on which the centre is open."""
    days = []
    day = start
    while day <= end:
        if hours_on(centre, day) is not None:
            days.append(day)
        day += dt.timedelta(days=1)
    return days

"""Nairobi working days: the clock turnaround deadlines will be counted on."""

import datetime as dt

import pytest

from huduma.core.clock import add_working_days, is_working_day
from huduma.core.models import Holiday

# The holiday list is data (core.Holiday, seeded by a migration), read from the database.
pytestmark = pytest.mark.django_db


def test_weekends_and_fixed_holidays_are_not_working_days():
    assert is_working_day(dt.date(2026, 11, 24))  # a Tuesday
    assert not is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 25))  # Christmas, a Friday


def test_adding_working_days_skips_weekends_and_holidays():
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Fri -> Mon
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)  # over Christmas
    assert add_working_days(dt.date(2026, 11, 24), 0) == dt.date(2026, 11, 24)


def test_working_hours_stop_at_night_weekends_and_holidays():
    from huduma.core.clock import NAIROBI, add_working_hours

    def at(*args):
        return dt.datetime(*args, tzinfo=NAIROBI)

    assert add_working_hours(at(2026, 11, 24, 9, 0), 3) == at(2026, 11, 24, 12, 0)
    assert add_working_hours(at(2026, 11, 27, 15, 0), 16) == at(2026, 12, 1, 13, 0)  # Fri -> Tue
    assert add_working_hours(at(2026, 11, 28, 11, 0), 1) == at(2026, 11, 30, 9, 0)  # from Sat
    assert add_working_hours(at(2026, 11, 24, 20, 0), 2) == at(2026, 11, 25, 10, 0)  # at night
    assert add_working_hours(at(2026, 10, 19, 16, 0), 2) == at(2026, 10, 21, 9, 0)  # Mashujaa
    # UTC in, Nairobi out: the same instant.
    assert add_working_hours(at(2026, 11, 24, 9, 0).astimezone(dt.UTC), 1) == at(2026, 11, 24, 10)


def test_the_secretariat_adds_a_movable_holiday_and_every_count_follows():
    from huduma.core.clock import NAIROBI, add_working_hours

    eid = dt.date(2026, 12, 2)  # a Wednesday (the date is illustrative)
    assert is_working_day(eid)
    Holiday.objects.create(name="Idd-ul-Fitr", year=2026, month=12, day=2)
    assert not is_working_day(eid)
    assert not is_working_day(dt.date(2026, 4, 6))  # Easter Monday 2026, seeded
    assert is_working_day(dt.date(2027, 12, 2))  # only that year
    assert add_working_days(dt.date(2026, 12, 1), 1) == dt.date(2026, 12, 3)
    # Complaint escalation (working hours) skips it too.
    start = dt.datetime(2026, 12, 1, 16, 0, tzinfo=NAIROBI)
    assert add_working_hours(start, 2) == dt.datetime(2026, 12, 3, 9, 0, tzinfo=NAIROBI)


def test_a_holiday_removed_from_the_list_is_a_working_day_again():
    Holiday.objects.filter(month=12, day=12, year=None).delete()
    assert is_working_day(dt.date(2025, 12, 12))  # Jamhuri Day 2025, a Friday

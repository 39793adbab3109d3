"""Nairobi working days: the clock turnaround deadlines will be counted on."""

import datetime as dt

from huduma.core.clock import add_working_days, is_working_day


def test_weekends_and_fixed_holidays_are_not_working_days():
    assert is_working_day(dt.date(2026, 11, 24))  # a Tuesday
    assert not is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 25))  # Christmas, a Friday


def test_adding_working_days_skips_weekends_and_holidays():
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Fri -> Mon
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)  # over Christmas
    assert add_working_days(dt.date(2026, 11, 24), 0) == dt.date(2026, 11, 24)

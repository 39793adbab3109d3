"""The Secretariat keeps the public holidays in the admin; the turnaround clock follows at once."""

import datetime as dt

import pytest

from huduma.core import clock
from huduma.core.models import Holiday
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db


def test_secretariat_adds_eid_in_the_admin_and_working_days_skip_it(client, world):
    eid = dt.date(2027, 3, 10)  # a Wednesday (illustrative date for Idd-ul-Fitr)
    assert clock.is_working_day(eid)  # read (and kept) before the change
    sign_in_verified(client, world.sam)
    response = client.post(
        "/admin/core/holiday/add/",
        {"name": "Idd-ul-Fitr", "day": "10", "month": "3", "year": "2027"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not clock.is_working_day(eid)
    assert clock.add_working_days(dt.date(2027, 3, 9), 1) == dt.date(2027, 3, 11)


def test_a_date_that_does_not_exist_is_refused(client, world):
    sign_in_verified(client, world.sam)
    response = client.post(
        "/admin/core/holiday/add/", {"name": "Typo", "day": "30", "month": "2", "year": ""}
    )
    assert response.status_code == 200
    assert "This date does not exist." in response.content.decode()
    assert not Holiday.objects.filter(name="Typo").exists()


def test_the_seeded_list_holds_the_fixed_holidays_and_easter():
    assert Holiday.objects.filter(year=None).count() == 8
    assert not clock.is_working_day(dt.date(2027, 3, 26))  # Good Friday 2027
    assert not clock.is_working_day(dt.date(2026, 10, 20))  # Mashujaa Day

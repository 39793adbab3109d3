"""The holiday list changes (issue 17): every worker follows at once (one cache rule: the
list's signature is checked per request), stored due dates are recomputed, and the movable
feasts are in the reference data with the Secretariat adding each year's date."""

import datetime as dt

import pytest
from django.test import Client

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.complaints.models import Complaint
from huduma.core import clock as core_clock
from huduma.core.models import Holiday
from huduma.places.models import Centre
from huduma.queues import services as queues
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2026, 11, 25)  # the day after the tests' Tuesday


def lodge(n):
    centre = Centre.objects.get(code="gpo-nairobi")
    response = Client().post(
        "/complaints/new/details/?category=service_quality",
        {
            "text": f"Waited four hours and nobody served me ({n}).",
            "phone": "0712345678",
            "centre": centre.pk,
        },
    )
    assert response.status_code == 302
    return Complaint.objects.get(text__contains=f"({n})")


def test_a_holiday_removed_by_another_worker_is_obeyed_at_the_next_request(world, clock):
    Holiday.objects.create(name="Gazetted day", day=25, month=11, year=2026)
    with_holiday = lodge(1).due_at
    assert not core_clock.is_working_day(WEDNESDAY)  # this worker has read (and kept) the list
    # Another worker removes it: this process is not told (no holidays_changed here).
    Holiday.objects.filter(name="Gazetted day").delete()
    without = lodge(2).due_at
    # 16 working hours from Tuesday 09:00: Wednesday 16:00 once Wednesday works again.
    assert without == dt.datetime(2026, 11, 25, 16, 0, tzinfo=core_clock.NAIROBI)
    assert with_holiday == dt.datetime(2026, 11, 26, 16, 0, tzinfo=core_clock.NAIROBI)


@pytest.fixture
def application(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    return applications.application_open(ticket=ticket, officer=world.alice)[0]


def test_stored_due_dates_follow_the_holiday_list(
    client, world, clock, application, django_capture_on_commit_callbacks
):
    complaint = lodge(1)
    due_on, due_at = application.due_on, complaint.due_at
    sign_in_verified(client, world.sam)
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(
            "/admin/core/holiday/add/",
            {"name": "Gazetted day", "day": "25", "month": "11", "year": "2026"},
        )
    assert added.status_code == 302
    application.refresh_from_db()
    complaint.refresh_from_db()
    assert application.due_on == core_clock.add_working_days(due_on, 1)  # one working day later
    assert complaint.due_at == due_at + dt.timedelta(days=1)  # Thursday instead of Wednesday

    holiday = Holiday.objects.get(name="Gazetted day")
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(f"/admin/core/holiday/{holiday.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302
    application.refresh_from_db()
    complaint.refresh_from_db()
    assert (application.due_on, complaint.due_at) == (due_on, due_at)


def test_a_query_still_counts_after_the_recompute(world, clock, application):
    nadia = User.objects.create_user(
        username="nadia", password="pw", role=Role.BACK_OFFICE, mda=world.nrb
    )
    applications.application_move(
        application=application, to="query_raised", actor=nadia, reason="Bring the abstract"
    )
    clock.advance(days=2)  # Thursday: two working days stood still
    moved = applications.application_move(application=application, to="in_processing", actor=nadia)
    assert applications.due_on_recomputed(moved) == moved.due_on
    assert applications.applications_due_recompute() == 0


def test_the_movable_feasts_are_in_the_list_and_missing_years_are_named(client, world, clock):
    assert not core_clock.is_working_day(dt.date(2026, 3, 20))  # Idd-ul-Fitr 2026
    assert not core_clock.is_working_day(dt.date(2026, 5, 27))  # Idd-ul-Azha 2026
    sign_in_verified(client, world.sam)
    page = client.get("/admin/core/holiday/").content.decode()
    assert "No date yet for 2027: Idd-ul-Fitr, Idd-ul-Azha" in page
    assert "No date yet for 2026" not in page
    client.post(
        "/admin/core/holiday/add/",
        {"name": "Idd-ul-Fitr", "day": "10", "month": "3", "year": "2027"},
    )
    page = client.get("/admin/core/holiday/").content.decode()
    assert "No date yet for 2027: Idd-ul-Azha" in page

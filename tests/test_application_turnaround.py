"""Turnaround in working days: holidays (fixed and movable) skipped, a query stops the clock,
a breach alerts the Centre Manager and the MDA once and shows on the live view."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.applications.models import Status
from huduma.applications.tasks import applications_breach_sweep_task
from huduma.core.models import Holiday
from huduma.notify.models import Message
from huduma.queues import services as queues
from tests.conftest import sign_in_verified

NAIROBI = ZoneInfo("Africa/Nairobi")


def at(*args):
    return dt.datetime(*args, 9, 0, tzinfo=NAIROBI)


@pytest.fixture
def open_application(world, clock):
    """Open a 5-working-day ID application at GPO at the clock's current time."""
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)

    def make():
        queues.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
            phone="0712345678",
        )
        ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
        queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
        application, _ = applications.application_open(ticket=ticket, officer=world.alice)
        queues.ticket_finish(ticket=ticket, counter=counter, officer=world.alice)
        return application

    return make


@pytest.fixture
def back_office(world):
    return User.objects.create_user(
        username="nadia",
        password="pw",
        role=Role.BACK_OFFICE,
        mda=world.nrb,
        email="nadia@nrb.example",
    )


def test_turnaround_skips_a_fixed_and_a_movable_public_holiday(world, clock, open_application):
    # Thursday 10 December 2026; Jamhuri Day (Saturday 12th) falls on a weekend anyway.
    Holiday.objects.create(name="Idd-ul-Fitr (example)", year=2026, month=12, day=14)
    clock.set(at(2026, 12, 10))
    application = open_application()
    # 5 working days: Fri 11, (Mon 14 movable holiday), Tue 15, Wed 16, Thu 17, Fri 18.
    assert application.due_on == dt.date(2026, 12, 18)
    clock.set(at(2026, 12, 22))
    # Over Christmas (fixed): Mon 21, Tue 22, Wed 23, Thu 24, (Fri 25, Sat, Sun) ...
    clock.set(at(2026, 12, 23))
    application = open_application()
    assert application.due_on == dt.date(2026, 12, 31)  # 24, 28, 29, 30, 31


def test_breach_alerts_once_across_a_holiday(world, clock, open_application, back_office):
    world.bob.email = "bob@gpo.example"
    world.bob.save()
    clock.set(at(2026, 12, 23))  # Wednesday before Christmas
    application = open_application()
    assert application.due_on == dt.date(2026, 12, 31)
    # On the due day itself: no breach, however many calendar days passed (Christmas, Boxing Day).
    clock.set(at(2026, 12, 31))
    assert applications.applications_breach_sweep() == 0
    # The next working day (1 January is a holiday; Friday 2 January is not): breached.
    clock.set(at(2027, 1, 1))
    applications_breach_sweep_task()
    application.refresh_from_db()
    assert application.breached_at is not None
    alerts = Message.objects.filter(template="application_breach")
    assert sorted(alerts.values_list("to", flat=True)) == ["bob@gpo.example", "nadia@nrb.example"]
    assert application.tracking_number in alerts.first().subject
    # Once per application.
    clock.set(at(2027, 1, 4))
    assert applications.applications_breach_sweep() == 0
    assert alerts.count() == 2
    assert application.events.filter(kind="breached").count() == 1


def test_a_query_stops_the_clock_until_answered(world, clock, open_application, back_office):
    clock.set(at(2026, 11, 24))  # Tuesday
    application = open_application()
    assert application.due_on == dt.date(2026, 12, 1)
    clock.set(at(2026, 11, 25))
    applications.application_move(
        application=application,
        to=Status.QUERY_RAISED,
        actor=back_office,
        reason="Send a clearer photo",
    )
    assert "Send a clearer photo" in Message.objects.get(template="application_query").body
    # Waiting for the citizen past the due day is no breach.
    clock.set(at(2026, 12, 7))
    assert applications.applications_breach_sweep() == 0
    # Answered on Monday 7 December: 8 working days stood still (26 Nov .. 7 Dec).
    application = applications.application_move(
        application=application, to=Status.IN_PROCESSING, actor=back_office
    )
    assert application.due_on == dt.date(2026, 12, 11)
    assert application.events.filter(kind="query_answered").count() == 1
    clock.set(at(2026, 12, 11))
    assert applications.applications_breach_sweep() == 0
    clock.set(at(2026, 12, 14))
    assert applications.applications_breach_sweep() == 1


def test_breaches_show_on_the_centre_managers_live_view(client, world, clock, open_application):
    clock.set(at(2026, 11, 24))
    application = open_application()
    client.force_login(world.bob)
    url = f"/staff/centres/{world.gpo.code}/live/applications/"
    assert application.tracking_number not in client.get(url).content.decode()
    clock.set(at(2026, 12, 3))
    client.force_login(world.bob)  # a session idle for days signs in again
    assert application.tracking_number in client.get(url).content.decode()
    assert (
        "live/applications/"
        in client.get(f"/staff/centres/{world.gpo.code}/live/").content.decode()
    )
    client.force_login(world.charlie)  # another centre
    assert client.get(url).status_code == 403
    sign_in_verified(client, world.sam)  # a national watcher reads it
    assert client.get(url).status_code == 200


def test_worklist_puts_the_most_at_risk_first(client, world, clock, open_application, back_office):
    clock.set(at(2026, 11, 24))
    older = open_application()
    clock.set(at(2026, 11, 26))
    newer = open_application()
    queried = open_application()
    applications.application_move(
        application=queried, to=Status.QUERY_RAISED, actor=back_office, reason="Photo"
    )
    clock.set(at(2026, 12, 2))
    client.force_login(back_office)
    page = client.get("/staff/applications/").content.decode()
    positions = [page.index(a.tracking_number) for a in (older, newer, queried)]
    assert positions == sorted(positions)
    assert "breached" in page

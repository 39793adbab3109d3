"""Two officers moving the same application at the same instant: the row lock lets one step
through; the other sees the new status and is refused (one event, one SMS). PostgreSQL."""

import threading

import pytest
from django.db import connections

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.applications.models import Application, ApplicationEvent, Status
from huduma.notify.models import Message
from huduma.queues import services as queues
from tests.conftest import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 6


def test_concurrent_moves_of_one_application_pass_once(world):
    require_postgres()
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
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    officers = [
        User.objects.create_user(
            username=f"nrb{n}", password="pw", role=Role.BACK_OFFICE, mda=world.nrb
        )
        for n in range(RACERS)
    ]
    start = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def work(officer):
        try:
            start.wait()
            applications.application_move(
                application=application, to=Status.IN_PROCESSING, actor=officer
            )
            outcomes.append("moved")
        except applications.WrongStep:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["moved"] + ["refused"] * (RACERS - 1)
    assert Application.objects.get().status == Status.IN_PROCESSING
    assert ApplicationEvent.objects.filter(kind="in_processing").count() == 1
    assert Message.objects.filter(template="application_in_processing").count() == 1

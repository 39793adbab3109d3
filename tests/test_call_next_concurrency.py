"""Twenty counters pressing "call next" at the same instant never share a ticket or lose one.

Runs against the real PostgreSQL server (row locks with SKIP LOCKED); each counter is a thread
with its own database connection.
"""

import threading

import pytest
from django.db import connection, connections

from huduma.accounts.models import Role, User
from huduma.catalogue.models import CounterService
from huduma.places.models import Counter
from huduma.queues import services
from huduma.queues.models import Ticket, TicketEvent
from tests.conftest import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNTERS = 20
TICKETS = 120


def test_twenty_concurrent_callers_share_out_every_ticket_once(world):
    require_postgres()
    desks = []
    for n in range(COUNTERS):
        counter = Counter.objects.create(centre=world.gpo, number=100 + n)
        CounterService.objects.create(counter=counter, service=world.id_dup)
        officer = User.objects.create_user(
            username=f"desk{n}", password="pw", role=Role.COUNTER_OFFICER, centre=world.gpo
        )
        services.counter_open(counter=counter, officer=officer)
        desks.append((counter, officer))
    for _ in range(TICKETS):
        services.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
        )

    start = threading.Barrier(COUNTERS)
    served: list[list] = [[] for _ in range(COUNTERS)]
    errors: list[BaseException] = []

    def work(index):
        counter, officer = desks[index]
        try:
            start.wait()
            while True:
                ticket = services.ticket_call_next(counter=counter, officer=officer)
                if ticket is None:
                    break
                services.ticket_start(ticket=ticket, counter=counter, officer=officer)
                services.ticket_finish(ticket=ticket, counter=counter, officer=officer)
                served[index].append(ticket.pk)
        except Exception as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(COUNTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    everything = [pk for batch in served for pk in batch]
    assert len(everything) == TICKETS  # none lost
    assert len(set(everything)) == TICKETS  # none twice
    assert sum(1 for batch in served if batch) > 1  # the work really was shared
    assert Ticket.objects.filter(status="served").count() == TICKETS
    assert TicketEvent.objects.filter(kind="called").count() == TICKETS
    assert connection.vendor == "postgresql"

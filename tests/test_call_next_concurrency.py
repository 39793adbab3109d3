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


def _one_counter_with_queue(world, waiting: int):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    for _ in range(waiting):
        services.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
        )
    return counter


def _at_once(callers: int, action) -> tuple[list, list]:
    """Run `action()` in `callers` threads released together; (results, errors)."""
    start = threading.Barrier(callers)
    results: list = []
    errors: list[BaseException] = []

    def work():
        try:
            start.wait()
            results.append(action())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.parametrize("callers", [2, 10])
def test_a_double_click_on_call_next_calls_one_citizen(world, callers):
    """Callers from one counter at once: one ticket held, every caller answered with it."""
    require_postgres()
    counter = _one_counter_with_queue(world, waiting=60)
    for attempt in range(20):
        results, errors = _at_once(
            callers, lambda: services.ticket_call_next(counter=counter, officer=world.alice)
        )
        assert not errors, errors
        held = Ticket.objects.filter(counter=counter, status__in=["called", "serving"])
        assert held.count() == 1, f"attempt {attempt}"
        assert {t.pk for t in results} == {held.get().pk}
        assert TicketEvent.objects.filter(ticket=held.get(), kind="called").count() == 1
        ticket = held.get()
        services.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
        services.ticket_finish(ticket=ticket, counter=counter, officer=world.alice)
    assert TicketEvent.objects.filter(kind="called").count() == 20
    assert Ticket.objects.filter(status="waiting").count() == 40  # nobody else was taken


def test_repeated_start_and_finish_at_once_log_one_event_each(world):
    require_postgres()
    counter = _one_counter_with_queue(world, waiting=1)
    ticket = services.ticket_call_next(counter=counter, officer=world.alice)
    for verb, state in ((services.ticket_start, "serving"), (services.ticket_finish, "served")):
        results, errors = _at_once(
            5, lambda verb=verb: verb(ticket=ticket, counter=counter, officer=world.alice)
        )
        assert not errors, errors
        assert [t.status for t in results] == [state] * 5
        assert TicketEvent.objects.filter(ticket=ticket, kind=state).count() == 1


@pytest.mark.parametrize("face", ["console page", "api"])
def test_a_double_click_on_the_console_or_the_api_calls_one_citizen(world, face):
    """Two posts of "Call next" at once, from the counter console page or the JSON API."""
    require_postgres()
    from django.test import Client
    from django.urls import reverse

    counter = _one_counter_with_queue(world, waiting=40)
    if face == "api":
        url = f"/api/queues/counters/{counter.pk}/call-next"
    else:
        url = reverse("queues:console_action", args=[counter.pk, "call"])

    def press(pool):
        response = pool.pop().post(url)
        return response.status_code, response.json()["ticket"]["id"] if face == "api" else None

    for attempt in range(20):
        clients = []
        for _ in range(2):
            client = Client()
            client.force_login(world.alice)
            clients.append(client)
        results, errors = _at_once(2, lambda pool=clients: press(pool))
        assert not errors, errors
        held = Ticket.objects.filter(counter=counter, status__in=["called", "serving"])
        assert held.count() == 1, f"attempt {attempt}"
        ticket = held.get()
        if face == "api":
            assert results == [(200, str(ticket.pk))] * 2
        else:
            assert [status for status, _ in results] == [302, 302]
        services.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
        services.ticket_finish(ticket=ticket, counter=counter, officer=world.alice)


def test_a_double_click_on_open_counter_opens_it_once(world):
    require_postgres()
    from huduma.queues.models import CounterSession

    counter = world.counters[("gpo-nairobi", 1)]
    for _ in range(10):
        results, errors = _at_once(
            5, lambda: services.counter_open(counter=counter, officer=world.alice)
        )
        assert not errors, errors
        live = CounterSession.objects.exclude(status="closed").get()
        assert {s.pk for s in results} == {live.pk}
        services.counter_close(counter=counter, officer=world.alice)

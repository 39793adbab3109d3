"""Finish and call next: one press finishes the citizen served and calls the next, atomically;
pressed twice it changes nothing twice."""

import pytest

from huduma.queues import services
from huduma.queues.errors import CounterNotOpen
from huduma.queues.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def issue(world, svcs):
    return services.visit_issue(
        centre=world.gpo, services=svcs, channel="reception", requirements_confirmed=True
    )


def serving(world, counter, officer):
    ticket = services.ticket_call_next(counter=counter, officer=officer)
    return services.ticket_start(ticket=ticket, counter=counter, officer=officer)


def test_finishes_the_current_ticket_and_calls_the_next(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    first, second = issue(world, [world.id_dup]), issue(world, [world.id_dup])
    current = serving(world, counter, world.alice)
    done = services.ticket_finish_and_call_next(
        ticket=current, counter=counter, officer=world.alice
    )
    assert done.finished.ticket.status == "served" and done.finished.ticket.visit_id == first.pk
    assert done.called.ticket.status == "called" and done.called.ticket.visit_id == second.pk


def test_a_double_press_finishes_once_and_calls_once(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    second, third = issue(world, [world.id_dup]), issue(world, [world.id_dup])
    current = serving(world, counter, world.alice)
    once = services.ticket_finish_and_call_next(
        ticket=current, counter=counter, officer=world.alice
    )
    again = services.ticket_finish_and_call_next(
        ticket=current, counter=counter, officer=world.alice
    )
    assert (
        again.called.ticket.pk == once.called.ticket.pk and once.called.ticket.visit_id == second.pk
    )
    assert third.tickets.get().status == "waiting"
    assert TicketEvent.objects.filter(kind="served").count() == 1
    assert TicketEvent.objects.filter(kind="called").count() == 2


def test_with_nobody_waiting_it_finishes_and_calls_nobody(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    current = serving(world, counter, world.alice)
    done = services.ticket_finish_and_call_next(
        ticket=current, counter=counter, officer=world.alice
    )
    assert done.finished.ticket.status == "served" and done.called is None


def test_when_the_call_fails_the_finish_is_undone(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup]), issue(world, [world.id_dup])
    current = serving(world, counter, world.alice)
    services.counter_pause(counter=counter, officer=world.alice)
    with pytest.raises(CounterNotOpen):
        services.ticket_finish_and_call_next(ticket=current, counter=counter, officer=world.alice)
    current.refresh_from_db()
    assert current.status == "serving"  # one transaction: nothing half done
    assert not Ticket.objects.filter(status="served").exists()


def test_a_multi_service_visit_moves_on_before_the_next_is_called(world, clock):
    counter = world.counters[("gpo-nairobi", 3)]  # KRA PIN and NHIF
    services.counter_open(counter=counter, officer=world.alice)
    both = issue(world, [world.kra_pin, world.nhif_reg])
    current = serving(world, counter, world.alice)
    done = services.ticket_finish_and_call_next(
        ticket=current, counter=counter, officer=world.alice
    )
    # The visit's NHIF ticket joined its queue (keeping its arrival) and is called next.
    assert (
        done.called.ticket.visit_id == both.pk
        and done.called.ticket.service_id == world.nhif_reg.pk
    )

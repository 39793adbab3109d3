"""Transfers move a ticket to another service or a named counter without re-queuing it."""

import pytest

from huduma.queues import services
from huduma.queues.errors import (
    NoOpenCounter,
    OtherCentre,
    ServiceNotOffered,
    TicketBeingServed,
    TicketStateError,
)

pytestmark = pytest.mark.django_db


def issue(world, svcs, centre=None):
    return services.visit_issue(
        centre=centre or world.gpo, services=svcs, channel="reception", requirements_confirmed=True
    )


def test_transfer_to_another_service_keeps_the_place(world, clock, officers):
    c1, c2 = world.counters[("gpo-nairobi", 1)], world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=c1, officer=officers[1])
    services.counter_open(counter=c2, officer=officers[2])
    wrong_queue = issue(world, [world.id_dup])  # 09:00, really wanted NHIF
    clock.advance(minutes=10)
    later = issue(world, [world.nhif_reg])  # 09:10
    ticket = services.ticket_call_next(counter=c1, officer=officers[1])
    moved = services.ticket_transfer(ticket=ticket, actor=officers[1], to_service=world.nhif_reg)
    assert (moved.status, moved.service_id, moved.counter_id) == (
        "waiting",
        world.nhif_reg.pk,
        None,
    )
    # At the NHIF counter the transferred ticket goes first: it arrived at 09:00.
    assert services.ticket_call_next(counter=c2, officer=officers[2]).visit_id == wrong_queue.pk
    assert later.tickets.get().status == "waiting"


def test_transfer_to_a_named_counter_only_that_counter_calls_it(world, clock, officers):
    c2, c3 = world.counters[("gpo-nairobi", 2)], world.counters[("gpo-nairobi", 3)]
    services.counter_open(counter=c2, officer=officers[2])
    services.counter_open(counter=c3, officer=officers[3])
    visit = issue(world, [world.nhif_reg])
    ticket = visit.tickets.get()
    services.ticket_transfer(ticket=ticket, actor=world.bob, to_counter=c3)
    assert services.ticket_call_next(counter=c2, officer=officers[2]) is None
    assert services.ticket_call_next(counter=c3, officer=officers[3]).visit_id == visit.pk


def test_finished_ticket_cannot_be_transferred(world, clock, officers):
    c1 = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=c1, officer=officers[1])
    issue(world, [world.id_dup])
    ticket = services.ticket_call_next(counter=c1, officer=officers[1])
    services.ticket_start(ticket=ticket, counter=c1, officer=officers[1])
    services.ticket_finish(ticket=ticket, counter=c1, officer=officers[1])
    with pytest.raises(TicketStateError, match="cannot be transferred"):
        services.ticket_transfer(ticket=ticket, actor=officers[1], to_service=world.kra_pin)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.service_id) == ("served", world.id_dup.pk)


def test_transfer_to_a_counter_that_cannot_serve_it_is_refused(world, clock):
    ticket = issue(world, [world.id_dup]).tickets.get()
    with pytest.raises(ServiceNotOffered):
        services.ticket_transfer(
            ticket=ticket, actor=world.bob, to_counter=world.counters[("gpo-nairobi", 2)]
        )


def test_transfer_of_another_centres_ticket_is_refused(world, clock):
    ticket = issue(world, [world.id_dup], centre=world.kisumu).tickets.get()
    with pytest.raises(OtherCentre):
        services.ticket_transfer(ticket=ticket, actor=world.bob, to_service=world.kra_pin)
    with pytest.raises(OtherCentre):
        services.ticket_transfer(
            ticket=ticket, actor=world.charlie, to_counter=world.counters[("gpo-nairobi", 3)]
        )


def _called_at_counter_one(world, officers):
    c1 = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=c1, officer=officers[1])
    issue(world, [world.id_dup])
    return c1, services.ticket_call_next(counter=c1, officer=officers[1])


@pytest.mark.parametrize("serving", [False, True])
def test_nobody_else_can_transfer_a_ticket_being_served(world, clock, officers, serving):
    """Reception, the manager or another officer cannot pull a citizen from a counter."""
    c1, ticket = _called_at_counter_one(world, officers)
    if serving:
        services.ticket_start(ticket=ticket, counter=c1, officer=officers[1])
    for someone in (world.bob, officers[2]):
        with pytest.raises(TicketBeingServed) as refused:
            services.ticket_transfer(ticket=ticket, actor=someone, to_service=world.nhif_reg)
        assert refused.value.status == 409 and refused.value.field == "ticket"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.counter_id, ticket.service_id) == (
        "serving" if serving else "called",
        c1.pk,
        world.id_dup.pk,
    )


def test_the_serving_officer_transfers_their_own_ticket(world, clock, officers):
    c1, ticket = _called_at_counter_one(world, officers)
    services.ticket_start(ticket=ticket, counter=c1, officer=officers[1])
    moved = services.ticket_transfer(ticket=ticket, actor=officers[1], to_service=world.nhif_reg)
    assert (moved.status, moved.counter_id) == ("waiting", None)
    # Once it waits again, reception may move it on.
    services.ticket_transfer(ticket=ticket, actor=world.bob, to_service=world.kra_pin)


def test_the_transfer_api_refuses_a_ticket_served_by_a_colleague(client, world, clock, officers):
    _c1, ticket = _called_at_counter_one(world, officers)
    client.force_login(world.bob)
    refused = client.post(
        f"/api/queues/tickets/{ticket.pk}/transfer",
        {"service": "NHIF-REGISTRATION"},
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "ticket_being_served"


def test_a_repeated_transfer_is_logged_once(world, clock, officers):
    _c1, ticket = _called_at_counter_one(world, officers)
    for _ in range(2):
        moved = services.ticket_transfer(
            ticket=ticket, actor=officers[1], to_service=world.nhif_reg
        )
        assert (moved.status, moved.service_id) == ("waiting", world.nhif_reg.pk)
    assert ticket.events.filter(kind="transferred").count() == 1


def test_a_transfer_to_an_unstaffed_service_asks_first(world, clock, officers):
    c1 = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=c1, officer=officers[1])
    issue(world, [world.id_dup])
    ticket = services.ticket_call_next(counter=c1, officer=officers[1])
    with pytest.raises(NoOpenCounter) as refused:
        services.ticket_transfer(
            ticket=ticket, actor=officers[1], to_service=world.nhif_reg, even_if_unstaffed=False
        )
    assert refused.value.field == "to_service"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.service_id) == ("called", world.id_dup.pk)
    # Confirmed, it goes: the citizen waits for NHIF until someone opens.
    moved = services.ticket_transfer(ticket=ticket, actor=officers[1], to_service=world.nhif_reg)
    assert (moved.status, moved.service_id) == ("waiting", world.nhif_reg.pk)


def test_a_transfer_to_a_closed_counter_asks_first_an_open_one_does_not(world, clock, officers):
    c1, c2, c3 = (world.counters[("gpo-nairobi", n)] for n in (1, 2, 3))
    services.counter_open(counter=c1, officer=officers[1])
    services.counter_open(counter=c2, officer=officers[2])
    issue(world, [world.id_dup])
    ticket = services.ticket_call_next(counter=c1, officer=officers[1])
    with pytest.raises(NoOpenCounter) as refused:
        services.ticket_transfer(
            ticket=ticket,
            actor=officers[1],
            to_service=world.nhif_reg,
            to_counter=c3,
            even_if_unstaffed=False,
        )
    assert refused.value.field == "to_counter"
    moved = services.ticket_transfer(
        ticket=ticket,
        actor=officers[1],
        to_service=world.nhif_reg,
        to_counter=c2,
        even_if_unstaffed=False,
    )
    assert (moved.target_counter_id, moved.service_id) == (c2.pk, world.nhif_reg.pk)

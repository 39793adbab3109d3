"""Calling: open counters call the most urgent ticket they can serve, by the documented policy."""

import pytest
from django.db import IntegrityError, transaction

from huduma.core.clock import NAIROBI
from huduma.queues import services
from huduma.queues.errors import CounterBusy, CounterNotOpen, NotYourTicket, TicketStateError
from huduma.queues.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def issue(world, svcs, **kw):
    return services.visit_issue(
        centre=world.gpo, services=svcs, channel="reception", requirements_confirmed=True, **kw
    )


def test_call_needs_an_open_counter(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    issue(world, [world.id_dup])
    with pytest.raises(CounterNotOpen):
        services.ticket_call_next(counter=counter, officer=world.alice)


def test_counter_calls_only_services_it_can_serve(world, clock):
    counter = world.counters[("gpo-nairobi", 2)]  # NHIF only
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    assert services.ticket_call_next(counter=counter, officer=world.alice) is None
    nhif = issue(world, [world.nhif_reg])
    called = services.ticket_call_next(counter=counter, officer=world.alice)
    assert called.visit_id == nhif.pk and called.status == "called"


def test_priority_customer_goes_ahead_of_a_short_wait(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    early = issue(world, [world.id_dup])
    clock.advance(minutes=5)
    elderly = issue(world, [world.id_dup], priority="elderly")
    first = services.ticket_call_next(counter=counter, officer=world.alice)
    assert first.visit_id == elderly.pk
    services.ticket_start(ticket=first, counter=counter, officer=world.alice)
    services.ticket_finish(ticket=first, counter=counter, officer=world.alice)
    assert services.ticket_call_next(counter=counter, officer=world.alice).visit_id == early.pk


def test_a_long_wait_beats_a_fresh_priority_customer(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    waited = issue(world, [world.id_dup])
    clock.advance(minutes=45)  # long past the 30-minute standard
    issue(world, [world.id_dup], priority="expectant")
    assert services.ticket_call_next(counter=counter, officer=world.alice).visit_id == waited.pk


def test_one_ticket_at_a_time_per_counter(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    issue(world, [world.id_dup])
    first = services.ticket_call_next(counter=counter, officer=world.alice)
    # Pressing "call next" again answers with the ticket the counter holds, called or served.
    again = services.ticket_call_next(counter=counter, officer=world.alice)
    assert (again.pk, again.status, again.visit.number) == (first.pk, "called", "A001")
    services.ticket_start(ticket=first, counter=counter, officer=world.alice)
    assert services.ticket_call_next(counter=counter, officer=world.alice).pk == first.pk
    assert Ticket.objects.filter(status="waiting").count() == 1  # the repeat took nothing
    assert TicketEvent.objects.filter(kind="called").count() == 1


def test_the_database_refuses_a_second_held_ticket_at_a_counter(world, clock):
    """Even code that skipped the checks cannot leave two citizens called to one counter."""
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    second = issue(world, [world.id_dup]).tickets.get()
    services.ticket_call_next(counter=counter, officer=world.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=second.pk).update(status="called", counter=counter)


def test_repeated_counter_actions_change_nothing_twice(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    ticket = services.ticket_call_next(counter=counter, officer=world.alice)
    for _ in range(2):  # a double click on "start", then on "finish": the state, once
        assert services.ticket_start(ticket=ticket, counter=counter, officer=world.alice).status
        assert (
            services.ticket_start(ticket=ticket, counter=counter, officer=world.alice).status
            == "serving"
        )
    for _ in range(2):
        done = services.ticket_finish(ticket=ticket, counter=counter, officer=world.alice)
        assert done.status == "served"
    events = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert events == ["issued", "waiting", "called", "serving", "served"]
    # Starting a ticket already finished is a clear refusal, not a change.
    with pytest.raises(TicketStateError, match="served"):
        services.ticket_start(ticket=ticket, counter=counter, officer=world.alice)


def test_a_repeated_recall_or_no_show_is_logged_once(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    ticket = services.ticket_call_next(counter=counter, officer=world.alice)
    clock.advance(minutes=1)
    services.ticket_recall(ticket=ticket, counter=counter, officer=world.alice)
    clock.advance(seconds=2)  # the same press, repeated
    again = services.ticket_recall(ticket=ticket, counter=counter, officer=world.alice)
    assert again.recalls == 1
    clock.advance(minutes=1)
    assert services.ticket_recall(ticket=ticket, counter=counter, officer=world.alice).recalls == 2
    for _ in range(2):
        gone = services.ticket_no_show(ticket=ticket, counter=counter, officer=world.alice)
        assert gone.status == "no_show"
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds.count("recalled") == 2 and kinds.count("no_show") == 1


def test_no_show_is_counted_from_the_call_whatever_the_recalls(world, clock):
    """Two recalls within seconds of the call count once (the repeat window): the no-show
    used to be refused for want of a second recall. It now waits a minute from the call."""
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    visit = issue(world, [world.id_dup, world.nhif_reg])
    ticket = services.ticket_call_next(counter=counter, officer=world.alice)
    for _ in range(2):
        clock.advance(seconds=4)
        services.ticket_recall(ticket=ticket, counter=counter, officer=world.alice)
    allowed = services.ticket_no_show_from(ticket)
    with pytest.raises(TicketStateError, match="Not yet: a no-show can be marked from") as refused:
        services.ticket_no_show(ticket=ticket, counter=counter, officer=world.alice)
    assert allowed.astimezone(NAIROBI).strftime("%H:%M:%S") in str(refused.value)
    clock.advance(seconds=52)  # 60 s after the call, however many recalls
    gone = services.ticket_no_show(ticket=ticket, counter=counter, officer=world.alice)
    assert gone.status == "no_show"
    assert list(visit.tickets.values_list("status", flat=True).order_by("position")) == [
        "no_show",
        "cancelled",
    ]


def test_finish_a_ticket_one_is_not_serving_is_refused(world, clock, officers):
    c1, c3 = world.counters[("gpo-nairobi", 1)], world.counters[("gpo-nairobi", 3)]
    services.counter_open(counter=c1, officer=world.alice)
    services.counter_open(counter=c3, officer=officers[3])
    issue(world, [world.id_dup])
    ticket = services.ticket_call_next(counter=c1, officer=world.alice)
    with pytest.raises(TicketStateError):  # called, not yet being served
        services.ticket_finish(ticket=ticket, counter=c1, officer=world.alice)
    with pytest.raises(NotYourTicket):
        services.ticket_start(ticket=ticket, counter=c3, officer=officers[3])
    ticket.refresh_from_db()
    assert ticket.status == "called"


def test_two_officers_cannot_share_a_counter(world, clock, officers):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    with pytest.raises(CounterBusy):
        services.counter_open(counter=counter, officer=officers[1])


def test_paused_counter_does_not_call_and_closing_needs_an_empty_counter(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, [world.id_dup])
    services.counter_pause(counter=counter, officer=world.alice)
    with pytest.raises(CounterNotOpen):
        services.ticket_call_next(counter=counter, officer=world.alice)
    assert Ticket.objects.get().status == "waiting"  # the refusal took nothing
    services.counter_open(counter=counter, officer=world.alice)  # resume
    services.ticket_call_next(counter=counter, officer=world.alice)
    with pytest.raises(TicketStateError):
        services.counter_close(counter=counter, officer=world.alice)

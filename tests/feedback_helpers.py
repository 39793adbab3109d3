"""Shared steps of the feedback tests: a paired tablet, a ticket served at a counter."""

from huduma.accounts import devices
from huduma.queues import services as queue


def paired_tablet(world, counter, name="Tablet"):
    device, code = devices.device_register(
        centre=counter.centre, kind="feedback_tablet", name=name, counter=counter, actor=world.bob
    )
    device, token = devices.device_pair(code=code)
    return device, token


def serve(world, counter, officer, service, *, phone="", finish=True):
    """Issue a ticket, call it at `counter`, serve it and (by default) finish it."""
    visit = queue.visit_issue(
        centre=counter.centre,
        services=[service],
        channel="reception",
        requirements_confirmed=True,
        phone=phone,
    )
    if queue.live_session(counter) is None:
        queue.counter_open(counter=counter, officer=officer)
    ticket = queue.ticket_call_next(counter=counter, officer=officer)
    assert ticket.visit_id == visit.pk
    ticket = queue.ticket_start(ticket=ticket, counter=counter, officer=officer)
    if finish:
        ticket = queue.ticket_finish(ticket=ticket, counter=counter, officer=officer)
    return ticket

"""What a field kit may write of the queue: its own visits under its own ticket letter and their
tickets, never the priority or the order a ticket takes (the centre server's to decide)."""

from huduma.core.kit_rules import KitRefused, KitWrite, instances, register
from huduma.queues import dispatch, notifications
from huduma.queues.models import CounterSession, Ticket, TicketEvent, Visit

# Columns the kit sets once, when it issues the visit or ticket; changing them later would move
# a ticket in a queue or turn it into another citizen's.
VISIT_FIXED = {
    "centre_id",
    "service_day",
    "prefix",
    "sequence",
    "number",
    "arrived_at",
    "priority",
    "priority_requested",
    "channel",
    "issued_by_id",
}
TICKET_FIXED = {"visit_id", "centre_id", "service_id", "position", "queue_key", "target_counter_id"}


def _visit(write: KitWrite) -> None:
    values, kit = write.values, write.kit
    if write.creating:
        if values["prefix"] != kit.ticket_prefix:
            raise KitRefused("visit: not under this kit's ticket letter")
        if values["issued_by_id"] not in (None, *kit.officer_ids):
            raise KitRefused("visit: issued by an officer who did not come with this kit")
        return
    fixed = write.changed() & VISIT_FIXED
    if fixed & {"priority", "priority_requested"}:
        raise KitRefused("visit: a kit cannot change a priority")
    if fixed:
        raise KitRefused(f"visit: {min(fixed)} is set once, when the visit is issued")


def _ticket(write: KitWrite) -> None:
    values, kit = write.values, write.kit
    if write.creating:
        if not kit.made(Visit, values["visit_id"]):
            raise KitRefused("ticket: its visit was not made by this kit")
        visit = kit.row(Visit, values["visit_id"])
        if values["queue_key"] is not None and visit is not None:
            # No earlier than the order its own visit earns (arrival, priority credit).
            earned = dispatch.queue_key(
                dispatch.Candidate(
                    ticket_id=None,
                    service_id=values["service_id"],
                    arrived_at=visit["arrived_at"].timestamp(),
                    priority=bool(visit["priority"]),
                )
            )
            if values["queue_key"] < earned - 1:
                raise KitRefused("ticket: a kit cannot move a ticket ahead in the queue")
        if values["target_counter_id"] is not None:
            raise KitRefused("ticket: a kit cannot send a ticket to a named counter")
        return
    fixed = write.changed() & TICKET_FIXED
    if fixed & {"queue_key", "position", "target_counter_id"}:
        raise KitRefused("ticket: a kit cannot change the order of the queue")
    if fixed:
        raise KitRefused(f"ticket: {min(fixed)} is set once, when the ticket is issued")
    if values["officer_id"] not in (None, *kit.officer_ids) and "officer_id" in write.changed():
        raise KitRefused("ticket: served by an officer who did not come with this kit")


def _ticket_event(write: KitWrite) -> None:
    if not write.creating:
        raise KitRefused("ticket event: events are never changed")
    if not write.kit.made(Ticket, write.values["ticket_id"]):
        raise KitRefused("ticket event: its ticket was not made by this kit")


def _events_arrived(ids: list) -> None:
    """The tent closed before these tickets were served (queues.services.tickets_close_day on
    the kit): the server texts each citizen itself, with its public address."""
    closed = TicketEvent.objects.filter(
        pk__in=ids, kind=TicketEvent.Kind.CANCELLED, data__reason="day_closed"
    ).values_list("ticket_id", flat=True)
    if closed:
        notifications.day_closed_sms(ticket_ids=list(closed))


def _counter_session(write: KitWrite) -> None:
    """An officer's time at a tent's counter, reported once it has ended: a live session would
    sign the officer in at the centre's own counter (the kit holds it back until closed)."""
    values, kit = write.values, write.kit
    if not write.creating:
        raise KitRefused("counter session: sent once, when it has closed")
    if values["officer_id"] not in kit.officer_ids:
        raise KitRefused("counter session: of an officer who did not come with this kit")
    if values["status"] != CounterSession.Status.CLOSED or values["closed_at"] is None:
        raise KitRefused("counter session: a kit reports a session once it has closed")
    if values["closed_at"] < values["opened_at"]:
        raise KitRefused("counter session: closed before it opened")


# The queue's writers for what a kit reports (each write checked by the rules above first).


def visits_from_kit(writes: list[KitWrite]) -> None:
    Visit._base_manager.bulk_create(instances(Visit, writes))


def visit_changed_on_kit(write: KitWrite) -> None:
    Visit._base_manager.filter(pk=write.record_id).update(**write.values)


def tickets_from_kit(writes: list[KitWrite]) -> None:
    Ticket._base_manager.bulk_create(instances(Ticket, writes))


def ticket_changed_on_kit(write: KitWrite) -> None:
    Ticket._base_manager.filter(pk=write.record_id).update(**write.values)


def ticket_events_from_kit(writes: list[KitWrite]) -> None:
    TicketEvent._base_manager.bulk_create(instances(TicketEvent, writes))


def counter_sessions_from_kit(writes: list[KitWrite]) -> None:
    CounterSession._base_manager.bulk_create(instances(CounterSession, writes))


def register_rules() -> None:
    register("queues.CounterSession", _counter_session, create=counter_sessions_from_kit)
    register("queues.Visit", _visit, create=visits_from_kit, change=visit_changed_on_kit)
    register("queues.Ticket", _ticket, create=tickets_from_kit, change=ticket_changed_on_kit)
    register(
        "queues.TicketEvent", _ticket_event, create=ticket_events_from_kit, arrived=_events_arrived
    )

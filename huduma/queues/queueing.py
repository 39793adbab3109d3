"""The steps every queue verb shares: a ticket's event row, and a ticket's place when it starts
waiting (its dispatch key: see dispatch.py), including the next service of a visit joining its
queue."""

import datetime as dt

from django.conf import settings

from huduma.queues import dispatch, sql
from huduma.queues.models import Appointment, Ticket, TicketEvent, Visit

# An appointment counts in dispatch only if checked in at most this long after its slot.
APPOINTMENT_GRACE = dt.timedelta(minutes=15)

Status = Ticket.Status
Kind = TicketEvent.Kind


def policy() -> dispatch.Policy:
    return dispatch.Policy(wait_standard_s=settings.QMS_WAIT_STANDARD_MINUTES * 60)


def log_event(ticket: Ticket, kind: str, *, at, actor=None, counter=None, **data) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        centre_id=ticket.centre_id,
        kind=kind,
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        counter=counter,
        data=data,
    )


def _visit_appointment(visit: Visit) -> Appointment | None:
    try:
        return visit.appointment
    except Appointment.DoesNotExist:
        return None


def dispatch_candidate(w: sql.WaitingTicket) -> dispatch.Candidate:
    """What dispatch weighs; an appointment counts only if checked in within the grace."""
    on_time = w.slot_start is not None and (
        w.arrived_at <= w.slot_start + APPOINTMENT_GRACE.total_seconds()
    )
    return dispatch.Candidate(
        ticket_id=w.id,
        service_id=w.service_id,
        arrived_at=w.arrived_at,
        priority=bool(w.priority),
        appointment_slot=w.slot_start if on_time else None,
        target_counter_id=w.target_counter_id,
    )


_READ = object()  # "read the visit's appointment": a visit being created passes its own


def ticket_candidate(ticket: Ticket, visit: Visit, appointment=_READ) -> dispatch.Candidate:
    if appointment is _READ:
        appointment = _visit_appointment(visit)
    return dispatch_candidate(
        sql.WaitingTicket(
            id=ticket.pk,
            service_id=ticket.service_id,
            target_counter_id=ticket.target_counter_id,
            arrived_at=visit.arrived_at.timestamp(),
            priority=visit.priority or "",
            slot_start=appointment.slot_start.timestamp() if appointment else None,
        )
    )


def start_waiting(ticket: Ticket, visit: Visit, now, appointment=_READ) -> None:
    ticket.status = Status.WAITING
    ticket.waiting_since = now
    ticket.queue_key = dispatch.queue_key(ticket_candidate(ticket, visit, appointment), policy())


def advance_visit(visit: Visit, now, actor=None) -> Ticket | None:
    """Put the visit's next pending service in its queue, keeping the original arrival."""
    remaining = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(visit=visit, status__in=[*Ticket.ACTIVE, Status.PENDING])
        .order_by("position")
    )
    if not remaining or any(t.status in Ticket.ACTIVE for t in remaining):
        return None
    following = remaining[0]
    start_waiting(following, visit, now)
    following.save(update_fields=["status", "waiting_since", "queue_key"])
    log_event(following, Kind.WAITING, at=now, actor=actor)
    return following

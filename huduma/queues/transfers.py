"""Changing a visit's place in the queues: transfer a ticket to another service or a named
counter, add a service to a visit, apply a priority staff have confirmed."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.core import audit, clock
from huduma.places.models import Counter
from huduma.queues import dispatch
from huduma.queues.counter_sessions import counter_skills
from huduma.queues.errors import (
    NoOpenCounter,
    OtherCentre,
    ServiceNotOffered,
    TicketBeingServed,
    TicketStateError,
)
from huduma.queues.issuing import MAX_SERVICES_PER_VISIT, services_offered
from huduma.queues.models import CounterSession, Ticket, Visit
from huduma.queues.queueing import (
    Kind,
    Status,
    advance_visit,
    log_event,
    policy,
    start_waiting,
    ticket_candidate,
)


@transaction.atomic
def visit_priority_confirm(*, visit: Visit, actor) -> Visit:
    """Apply the priority a citizen asked for at a kiosk (elderly, disability, expectant
    mother), once staff have seen them: the waiting ticket moves up as dispatch credits it.
    Confirming twice changes nothing."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if actor.centre_id not in (None, visit.centre_id):
        raise OtherCentre(_("This visit belongs to another centre."), field="visit")
    if not visit.priority_requested:
        raise TicketStateError(_("No priority was asked for on this ticket."), field="priority")
    if visit.priority == visit.priority_requested:
        return visit  # a repeated request
    before = {"priority": visit.priority}
    visit.priority = visit.priority_requested
    visit.save(update_fields=["priority"])
    now = clock.now()
    tickets = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(visit=visit, status__in=[*Ticket.ACTIVE, Status.PENDING])
        .order_by("position")
    )
    for ticket in tickets:
        if ticket.status == Status.WAITING:
            ticket.queue_key = dispatch.queue_key(ticket_candidate(ticket, visit), policy())
            ticket.save(update_fields=["queue_key"])
    if tickets:
        log_event(tickets[0], Kind.PRIORITY, at=now, actor=actor, priority=visit.priority)
    audit.record(
        action="queues.visit.priority_confirmed",
        instance=visit,
        before=before,
        after={"priority": visit.priority},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    return visit


@transaction.atomic
def ticket_transfer(
    *,
    ticket: Ticket,
    actor,
    to_service: Service | None = None,
    to_counter: Counter | None = None,
    even_if_unstaffed: bool = True,
) -> Ticket:
    """Move a ticket to another service and/or a named counter without re-queuing it.

    With even_if_unstaffed=False (the console, until the officer confirms), a destination no
    open counter serves is refused with NoOpenCounter: the citizen would wait for nobody.

    A ticket called or being served can be transferred only by the officer who holds it (the
    usual way: at their own counter, when the citizen needs another service); anyone else is
    refused until that officer is done with it, so nobody pulls a citizen from a counter."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("visit", "service", "counter")
        .get(pk=ticket.pk)
    )
    if actor.centre_id not in (None, ticket.centre_id):
        raise OtherCentre(_("This ticket belongs to another centre."), field="ticket")
    held = ticket.status in (Status.CALLED, Status.SERVING)
    if held and ticket.officer_id != getattr(actor, "pk", None):
        raise TicketBeingServed(
            _(
                "Ticket %(number)s is %(status)s at counter %(counter)s; only its officer can "
                "transfer it now."
            )
            % {
                "number": ticket.visit.number,
                "status": ticket.get_status_display().lower(),
                "counter": ticket.counter.number if ticket.counter else "-",
            },
            field="ticket",
        )
    if ticket.status not in Ticket.ACTIVE:
        raise TicketStateError(
            _("Ticket %(number)s is %(status)s and cannot be transferred.")
            % {"number": ticket.visit.number, "status": ticket.get_status_display().lower()},
            field="ticket",
        )
    if to_service is None and to_counter is None:
        raise TicketStateError(
            _("Choose a service or a counter to transfer to."), field="to_service"
        )
    service = to_service or ticket.service
    already = ticket.status == Status.WAITING and ticket.service_id == service.pk
    if already and ticket.target_counter_id == (to_counter.pk if to_counter else None):
        return ticket  # a repeated request: it waits where it was sent, logged once
    if to_service is not None and to_service.pk != ticket.service_id:
        services_offered(ticket.visit.centre, [to_service])
    if to_counter is not None:
        if to_counter.centre_id != ticket.centre_id or not to_counter.is_active:
            raise OtherCentre(_("That counter is not in this centre."), field="to_counter")
        if service.pk not in counter_skills(to_counter):
            raise ServiceNotOffered(
                _("Counter %(number)s does not serve %(service)s.")
                % {"number": to_counter.number, "service": service.name},
                field="to_counter",
            )
    if not even_if_unstaffed and not destination_staffed(
        centre_id=ticket.centre_id, service=service, counter=to_counter
    ):
        where = (
            _("counter %(number)s") % {"number": to_counter.number}
            if to_counter is not None
            else service.name
        )
        raise NoOpenCounter(
            _("Nobody is serving at %(where)s now: the citizen would wait until someone opens.")
            % {"where": where},
            field="to_counter" if to_counter is not None else "to_service",
        )
    now = clock.now()
    previous = {"service": ticket.service.code, "counter": ticket.counter_id}
    ticket.service = service
    ticket.target_counter = to_counter
    ticket.counter = None
    ticket.officer = None
    ticket.recalls = 0
    ticket.called_at = ticket.started_at = None
    start_waiting(ticket, ticket.visit, now)
    ticket.save()
    log_event(
        ticket,
        Kind.TRANSFERRED,
        at=now,
        actor=actor,
        previous=previous,
        service=service.code,
        to_counter=to_counter.pk if to_counter else None,
    )
    return ticket


def destination_staffed(*, centre_id: int, service: Service, counter: Counter | None) -> bool:
    """Whether an open counter session serves `service` (at `counter`, if one is named)."""
    sessions = CounterSession.objects.filter(
        status=CounterSession.Status.OPEN,
        counter__centre_id=centre_id,
        counter__is_active=True,
        counter__skills__service=service,
    )
    if counter is not None:
        sessions = sessions.filter(counter=counter)
    return sessions.exists()


@transaction.atomic
def visit_add_service(*, visit: Visit, service: Service, actor) -> Ticket:
    """Add a service to a visit; it queues after the visit's current one, arrival kept."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if actor.centre_id not in (None, visit.centre_id):
        raise OtherCentre(_("This visit belongs to another centre."), field="visit")
    tickets = list(visit.tickets.all())
    if any(t.service_id == service.pk and t.status not in (Status.CANCELLED,) for t in tickets):
        raise ServiceNotOffered(_("This visit already has that service."), field="service")
    if len(tickets) >= MAX_SERVICES_PER_VISIT:
        raise ServiceNotOffered(_("This visit has the most services allowed."), field="service")
    if tickets and all(t.status in (Status.NO_SHOW, Status.CANCELLED) for t in tickets):
        raise TicketStateError(_("This visit has ended."), field="visit")
    services_offered(visit.centre, [service])
    now = clock.now()
    position = (visit.tickets.aggregate(m=Max("position"))["m"] or 0) + 1
    ticket = Ticket.objects.create(
        visit=visit, centre_id=visit.centre_id, service=service, position=position
    )
    log_event(ticket, Kind.SERVICE_ADDED, at=now, actor=actor)
    advance_visit(visit, now, actor)
    ticket.refresh_from_db()
    return ticket

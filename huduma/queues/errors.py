"""Refusals of the queue system; each becomes a clear 4xx and changes nothing."""

from huduma.core.errors import Conflict, DomainError, Forbidden, NotFound
from huduma.core.idempotency import IdempotencyMismatch, InvalidIdempotencyKey

__all__ = ["IdempotencyMismatch", "InvalidIdempotencyKey"]  # and the classes below (one rule:
# core.idempotency; re-exported for the queue's callers)


class ServiceNotOffered(DomainError):
    code = "service_not_offered"


class RequirementsNotConfirmed(DomainError):
    code = "requirements_not_confirmed"


class CounterNotOpen(Conflict):
    code = "counter_not_open"


class CounterBusy(Conflict):
    code = "counter_busy"


class AlreadyServes(Conflict):
    code = "already_serves"


class TicketStateError(Conflict):
    code = "ticket_state"


class CounterHoldsTicket(TicketStateError):
    """The counter already has a ticket called or being served (call-next answers with it)."""

    code = "counter_holds_ticket"


class TicketBeingServed(Conflict):
    code = "ticket_being_served"


class NotYourTicket(Forbidden):
    code = "not_your_ticket"


class OtherCentre(Forbidden):
    code = "other_centre"


class SlotUnavailable(Conflict):
    code = "slot_unavailable"


class UnknownAppointment(NotFound):
    code = "unknown_appointment"


class TooManyVirtualTickets(Conflict):
    code = "too_many_virtual_tickets"


class NoOpenCounter(Conflict):
    """A transfer to a service or counter nobody is serving now; the officer confirms it."""

    code = "no_open_counter"


class HolderCodeWrong(DomainError):
    code = "holder_code_wrong"


class NotQualified(DomainError):
    """The officer has no training record (nor supervised practice) for a service they would
    be given (the rule is registered by the staffing app: see services.register_skill_guard)."""

    code = "not_qualified"

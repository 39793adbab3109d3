"""Refusals of the feedback app; each becomes a clear 4xx and stores nothing."""

from huduma.core.errors import Conflict, DomainError, Forbidden, NotFound


class AlreadyRated(Conflict):
    code = "already_rated"


class TicketNotEnded(Conflict):
    code = "ticket_not_ended"


class OtherCentre(Forbidden):
    code = "other_centre"


class NotThisCounter(Forbidden):
    code = "not_this_counter"


class InvalidRating(DomainError):
    code = "invalid_rating"


class LinkNotValid(NotFound):
    code = "link_not_valid"


class LinkUsed(Conflict):
    code = "link_used"


class Throttled(DomainError):
    status = 429
    code = "throttled"

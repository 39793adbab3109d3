"""Where a visit stands, as its holder's phone and the ticket page show it."""

import datetime as dt
from dataclasses import dataclass

from huduma.queues.models import Ticket, Visit
from huduma.queues.waits import estimate_minutes, places_ahead, service_has_open_counter

Status = Ticket.Status


class Progress:
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    FINAL = (DONE, NO_SHOW, CANCELLED)


@dataclass(frozen=True)
class VisitProgress:
    """Where a visit stands, as its holder's phone shows it."""

    state: str  # one of Progress
    tickets: tuple[Ticket, ...]
    current: Ticket | None  # the ticket waiting, called or being served
    ahead: int | None
    minutes: int | None  # None while waiting with no counter open for the service
    counter_number: int | None  # where to go, once called

    @property
    def final(self) -> bool:
        return self.state in Progress.FINAL

    @property
    def fingerprint(self) -> str:
        """Changes whenever what the holder sees changes (the poll answers 204 otherwise)."""
        current = self.current.pk if self.current else ""
        return f"{self.state}:{current}:{self.ahead}:{self.minutes}:{self.counter_number}"


def visit_progress(visit: Visit, now: dt.datetime | None = None) -> VisitProgress:
    tickets = tuple(visit.tickets.select_related("service", "counter").order_by("position"))
    held = next((t for t in tickets if t.status in (Status.CALLED, Status.SERVING)), None)
    if held is not None:
        return VisitProgress(
            state=Progress.CALLED if held.status == Status.CALLED else Progress.SERVING,
            tickets=tickets,
            current=held,
            ahead=None,
            minutes=None,
            counter_number=held.counter.number if held.counter else None,
        )
    waiting = next((t for t in tickets if t.status in (Status.WAITING, Status.PENDING)), None)
    if waiting is not None:
        ahead = places_ahead(waiting) if waiting.status == Status.WAITING else 0
        minutes = None
        if service_has_open_counter(waiting.centre_id, waiting.service_id):
            minutes = estimate_minutes(waiting, ahead, now)
        return VisitProgress(Progress.WAITING, tickets, waiting, ahead, minutes, None)
    statuses = {t.status for t in tickets}
    if Status.SERVED in statuses:
        state = Progress.DONE
    elif Status.NO_SHOW in statuses:
        state = Progress.NO_SHOW
    else:
        state = Progress.CANCELLED
    return VisitProgress(state, tickets, None, None, None, None)

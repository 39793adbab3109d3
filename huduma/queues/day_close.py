"""The end of a day and numbers put right: close a day's unserved tickets (an outreach tent
packing up), continue a day's numbers after those the centre server holds, cancel a visit."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from huduma.core import clock
from huduma.places.models import Centre
from huduma.queues.models import DailyCounter, Ticket, Visit
from huduma.queues.queueing import Kind, Status, log_event


@dataclass(frozen=True)
class DayClosed:
    closed: list[Ticket]  # ended now, each with a "cancelled" event (reason day_closed)
    being_served: int  # left to their counter: the officer finishes them


@transaction.atomic
def tickets_close_day(*, centre: Centre, day: dt.date, actor=None) -> DayClosed:
    """The end of a day (an outreach tent packing up): every ticket of `centre` on `day` not
    yet served (later in its visit, waiting, called) is cancelled, with an event whose reason
    is day_closed (the citizen is told by SMS where that event is received: on the centre
    server, for a field kit's tickets). A ticket being served is left to its counter."""
    now = clock.now()
    closed = []
    for ticket in (
        Ticket.objects.select_for_update(of=("self",))
        .filter(
            centre=centre,
            visit__service_day=day,
            status__in=[Status.PENDING, Status.WAITING, Status.CALLED],
        )
        .order_by("visit__arrived_at", "position")
    ):
        ticket.status = Status.CANCELLED
        ticket.finished_at = now
        ticket.save(update_fields=["status", "finished_at"])
        log_event(ticket, Kind.CANCELLED, at=now, actor=actor, reason="day_closed")
        closed.append(ticket)
    serving = Ticket.objects.filter(
        centre=centre, visit__service_day=day, status=Status.SERVING
    ).count()
    return DayClosed(closed=closed, being_served=serving)


@transaction.atomic
def numbers_continue_after(
    *, centre: Centre, day: dt.date, prefix: str, last: int, renumber=()
) -> list[tuple[str, str]]:
    """The day's numbers under `prefix` go on after `last` (numbers the centre server holds,
    told to a field kit restored from an old copy): the next visit issued takes a higher one,
    and the visits `renumber` (ids) numbered `last` or below (issued since the copy, so their
    numbers are another citizen's on the server) take the next free ones, in order of arrival.
    Returns [(old number, new number)]."""
    counter, _created = DailyCounter.objects.select_for_update().get_or_create(
        centre=centre, day=day, prefix=prefix
    )
    top = max(
        last,
        counter.last,
        Visit.objects.filter(centre=centre, service_day=day, prefix=prefix).aggregate(
            top=Max("sequence")
        )["top"]
        or 0,
    )
    moved = []
    for visit in (
        Visit.objects.select_for_update()
        .filter(
            pk__in=list(renumber), centre=centre, service_day=day, prefix=prefix, sequence__lte=last
        )
        .order_by("arrived_at", "sequence")
    ):
        top += 1
        old = visit.number
        visit.sequence = top
        visit.number = visit.format_number()
        visit.save(update_fields=["sequence", "number"])
        moved.append((old, visit.number))
    counter.last = top
    counter.save(update_fields=["last"])
    return moved


@transaction.atomic
def visit_cancel(*, visit: Visit, actor=None) -> Visit:
    now = clock.now()
    for ticket in Ticket.objects.select_for_update(of=("self",)).filter(
        visit=visit, status__in=[Status.PENDING, Status.WAITING, Status.CALLED]
    ):
        ticket.status = Status.CANCELLED
        ticket.save(update_fields=["status"])
        log_event(ticket, Kind.CANCELLED, at=now, actor=actor)
    return visit

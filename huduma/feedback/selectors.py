"""Feedback reads: what a counter's tablet should offer to rate right now."""

import datetime as dt

from django.conf import settings

from huduma.core import clock
from huduma.feedback.models import Rating
from huduma.places.models import Counter
from huduma.queues.models import Ticket, TicketEvent


def tablet_ticket(counter: Counter, now: dt.datetime | None = None) -> Ticket | None:
    """The latest ticket finished at this counter within the tablet window, if not yet rated.

    Read from the served events (indexed by centre, kind and time), so finishing a ticket adds
    nothing to the counter's fast path: the tablet's poll does the looking. Only the latest
    counts: once the next citizen is served, the one before has left the counter.
    """
    now = now or clock.now()
    since = now - dt.timedelta(minutes=settings.FEEDBACK_TABLET_WINDOW_MINUTES)
    latest = (
        TicketEvent.objects.filter(
            centre_id=counter.centre_id, kind=TicketEvent.Kind.SERVED, at__gte=since
        )
        .filter(counter_id=counter.pk)
        .order_by("-at")
        .values_list("ticket_id", flat=True)
        .first()
    )
    if latest is None or Rating.objects.filter(ticket_id=latest).exists():
        return None
    return Ticket.objects.select_related("visit", "service").filter(pk=latest).first()

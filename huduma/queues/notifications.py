"""SMS the queue sends: the virtual ticket on issue, "go to counter N" on the call, and
"come now" when near the front (to virtual tickets, and to citizens in the centre who asked;
never for a queue no counter serves).

Each message is a row written in the transaction of the change that causes it (the outbox,
see notify/services.py); workers only deliver rows.
"""

import datetime as dt
import functools
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.ids import uuid7
from huduma.notify.services import render_template, sms_send
from huduma.places.models import Centre, Counter
from huduma.queues import selectors, sql
from huduma.queues.models import Ticket, Visit

# Stand for the visit number and the centre name in the called SMS until the SQL that writes
# it fills them in (control characters: they cannot occur in a name or a template).
NUMBER_SLOT = "\x1fnumber\x1f"
CENTRE_SLOT = "\x1fcentre\x1f"


def visit_issued_sms(*, issued, services: Sequence[Service], now: dt.datetime) -> None:
    """Write the ticket SMS of a visit just issued (in its transaction). `issued` is the
    services.IssuedVisit; for a visit read back (no tickets or places known) they are read."""
    visit = issued.visit
    names = ", ".join(s.name_sw if visit.language == "sw" else s.name_en for s in services)
    if issued.tickets:
        first, ahead = issued.tickets[0], issued.places_ahead
    else:
        first = visit.tickets.order_by("position").first()
        ahead = selectors.places_ahead(first) if first.status == Ticket.Status.WAITING else 0
    wait = selectors.ticket_wait(first, ahead, now)
    if not visit.near_front_sms:
        template = "ticket_issued_here"  # in the hall: the screen calls them, no promise of SMS
    elif wait.minutes is None:
        template = "ticket_issued_no_counter"  # never "about 0 min" with nobody serving
    else:
        template = "ticket_issued"
    sms_send(
        to=visit.phone,
        template=template,
        context={
            "centre": visit.centre.name,
            "number": visit.number,
            "services": names[:120],
            "wait": wait.minutes,
        },
        language=visit.language,
    )


def day_closed_sms(*, ticket_ids: Sequence) -> int:
    """Tell each citizen whose ticket the day's close ended (an event "cancelled" with reason
    day_closed, made at an outreach tent and received here at sync) that it will not be served,
    and where to look for the next visit: the server's public address, never a kit's. One SMS
    per visit. Returns how many were written (in the caller's transaction)."""
    written = 0
    visits = (
        Visit.objects.filter(tickets__pk__in=list(ticket_ids), tickets__status="cancelled")
        .exclude(phone="")
        .select_related("centre")
        .distinct()
    )
    for visit in visits:
        sms_send(
            to=visit.phone,
            template="ticket_day_closed",
            context={
                "centre": visit.centre.name,
                "number": visit.number,
                "url": f"{settings.PUBLIC_URL}/mashinani/",
            },
            language=visit.language,
        )
        written += 1
    return written


@functools.lru_cache(maxsize=1024)
def _called_bodies(counter_number: int) -> tuple[str, str]:
    context = {"centre": CENTRE_SLOT, "number": NUMBER_SLOT, "counter": counter_number}
    return (
        render_template("ticket_called", context, "en"),
        render_template("ticket_called", context, "sw"),
    )


def called_sms(*, counter: Counter, now: dt.datetime) -> sql.CalledSms:
    """The "go to counter N" SMS that call-next writes with the call if the ticket called is
    a virtual one (its holder may not see the hall display)."""
    body_en, body_sw = _called_bodies(counter.number)
    return sql.CalledSms(
        message_id=uuid7(),
        body_en=body_en,
        body_sw=body_sw,
        number_slot=NUMBER_SLOT,
        centre_slot=CENTRE_SLOT,
        now=now,
    )


def near_front_sms(centre_id: int) -> int:
    """Text virtual-ticket holders who are now a few places from the front (once per visit).

    Each visit is claimed (a conditional UPDATE of its mark) and its SMS written in one
    transaction, so a worker dying half-way leaves either both or neither. Runs after every
    call, and every minute for every centre (near_front_sweep), in case a run was lost."""
    places = settings.QMS_NEAR_FRONT_PLACES
    sent = 0
    # A queue no counter serves does not move: "come now" would bring people to wait in the
    # hall for nobody. They are texted once a counter for their service opens (the sweep).
    serving = [
        service_id
        for service_id, n in selectors.open_counters_by_service(Centre(pk=centre_id)).items()
        if n
    ]
    candidates = (
        Ticket.objects.filter(
            centre_id=centre_id,
            status=Ticket.Status.WAITING,
            service_id__in=serving,
            visit__near_front_sms=True,
            visit__near_front_notified_at__isnull=True,
        )
        .select_related("visit__centre")
        .order_by("queue_key")[:50]
    )
    for ticket in candidates:
        ahead = selectors.places_ahead(ticket)
        if ahead >= places:
            continue
        with transaction.atomic():
            claimed = Visit.objects.filter(
                pk=ticket.visit_id, near_front_notified_at__isnull=True
            ).update(near_front_notified_at=clock.now())
            if not claimed:
                continue
            visit = ticket.visit
            sms_send(
                to=visit.phone,
                template="ticket_near_front",
                context={"centre": visit.centre.name, "number": visit.number, "ahead": ahead},
                language=visit.language,
            )
            sent += 1
    return sent


def near_front_sweep() -> int:
    """Run near_front_sms for every centre where a ticket whose holder wants the SMS is
    waiting unnotified."""
    centres = (
        Ticket.objects.filter(
            status=Ticket.Status.WAITING,
            visit__near_front_sms=True,
            visit__near_front_notified_at__isnull=True,
        )
        .values_list("centre_id", flat=True)
        .distinct()
    )
    return sum(near_front_sms(centre_id) for centre_id in list(centres))

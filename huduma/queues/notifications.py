"""SMS the queue sends: the virtual ticket on issue, and "come now" when near the front."""

from django.conf import settings
from django.db import transaction

from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.phones import InvalidPhoneNumber
from huduma.notify.services import sms_send
from huduma.queues import selectors
from huduma.queues.models import IssueChannel, Ticket, Visit


def visit_issued_sms(visit_id) -> None:
    visit = Visit.objects.select_related("centre").get(pk=visit_id)
    if not visit.phone:
        return
    services = ", ".join(
        t.service.name_sw if visit.language == "sw" else t.service.name_en
        for t in visit.tickets.select_related("service").order_by("position")
    )
    sms_send(
        to=visit.phone,
        template="ticket_issued",
        context={
            "centre": visit.centre.name,
            "number": visit.number,
            "services": services[:120],
            "wait": selectors.visit_estimate_minutes(visit),
        },
        language=visit.language,
    )


def called_sms(ticket_id) -> bool:
    """Tell a virtual-ticket holder which counter to go to (they may not see the display)."""
    ticket = (
        Ticket.objects.select_related("visit__centre", "counter")
        .filter(pk=ticket_id, status=Ticket.Status.CALLED)
        .first()
    )
    if ticket is None or not ticket.visit.phone or ticket.counter is None:
        return False
    if ticket.visit.channel not in (IssueChannel.WEB, IssueChannel.SMS):
        return False
    visit = ticket.visit
    sms_send(
        to=visit.phone,
        template="ticket_called",
        context={
            "centre": visit.centre.name,
            "number": visit.number,
            "counter": ticket.counter.number,
        },
        language=visit.language,
    )
    return True


def near_front_sms(centre_id: int) -> int:
    """Text virtual-ticket holders who are now a few places from the front (once per visit)."""
    places = settings.QMS_NEAR_FRONT_PLACES
    sent = 0
    candidates = (
        Ticket.objects.filter(
            centre_id=centre_id,
            status=Ticket.Status.WAITING,
            visit__near_front_notified_at__isnull=True,
        )
        .exclude(visit__phone="")
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


def sms_join(*, phone: str, text: str) -> str:
    """Handle "JOIN <centre> <service>" / "FOLENI <centre> <service>" from an SMS.

    On success the ticket SMS goes out as for any virtual ticket; on a mistake the sender gets
    the instructions (in Swahili if they wrote FOLENI). Returns what was done, for the log.
    """
    from huduma.catalogue.models import Service
    from huduma.places.models import Centre
    from huduma.queues.models import IssueChannel
    from huduma.queues.services import visit_issue

    words = text.strip().split()
    language = "sw" if words and words[0].upper() == "FOLENI" else "en"
    if len(words) == 3 and words[0].upper() in ("JOIN", "FOLENI"):
        centre = Centre.objects.filter(code__iexact=words[1]).first()
        service = Service.objects.filter(code__iexact=words[2]).first()
        if centre is not None and service is not None:
            try:
                visit = visit_issue(
                    centre=centre,
                    services=[service],
                    channel=IssueChannel.SMS,
                    requirements_confirmed=False,
                    phone=phone,
                    language=language,
                )
            except (DomainError, InvalidPhoneNumber):
                pass
            else:
                return f"issued {visit.number}"
    try:
        sms_send(to=phone, template="sms_join_help", context={}, language=language)
    except InvalidPhoneNumber:
        return "ignored: bad sender number"
    return "sent instructions"

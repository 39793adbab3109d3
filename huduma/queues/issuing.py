"""Issuing a visit: one ticket number for one or more services, from every channel (reception,
kiosk, web, SMS, USSD, appointment). A request repeated with its idempotency key gets the visit
the first one made; a phone holds only a few virtual tickets at a centre at once."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.catalogue.selectors import services_in_needed_order
from huduma.core import clock, idempotency
from huduma.core.phones import normalise_phone
from huduma.places.models import Centre
from huduma.queues import notifications, reference, sql
from huduma.queues.errors import (
    IdempotencyMismatch,
    RequirementsNotConfirmed,
    ServiceNotOffered,
    TooManyVirtualTickets,
)
from huduma.queues.models import Appointment, IssueChannel, Ticket, TicketEvent, Visit
from huduma.queues.queueing import Kind, Status, start_waiting

MAX_SERVICES_PER_VISIT = 5

MAX_VIRTUAL_TICKETS_PER_PHONE = 2


VIRTUAL_CHANNELS = (IssueChannel.WEB, IssueChannel.SMS, IssueChannel.USSD)


def services_offered(centre: Centre, services: Sequence[Service]) -> None:
    if not services:
        raise ServiceNotOffered(_("Choose at least one service."), field="services")
    if len(services) > MAX_SERVICES_PER_VISIT:
        raise ServiceNotOffered(
            _("One visit can have at most %(n)s services.") % {"n": MAX_SERVICES_PER_VISIT},
            field="services",
        )
    if len({s.pk for s in services}) != len(services):
        raise ServiceNotOffered(_("A service is listed twice."), field="services")
    offered = reference.offered_service_ids(centre.pk)
    missing = [s for s in services if s.pk not in offered]
    if missing:
        raise ServiceNotOffered(
            _("%(centre)s does not offer %(service)s (%(code)s).")
            % {"centre": centre.name, "service": missing[0].name, "code": missing[0].code},
            field="services",
        )


def idempotency_key_checked(key: str | None, *, field: str = "idempotency_key") -> str | None:
    """The one rule for an idempotency key (core.idempotency), applied by every page and
    endpoint that takes one: None when absent, else 1 to 80 visible ASCII characters."""
    return idempotency.key_checked(key, field=field)


def idempotency_scope(*, channel: str, actor, phone: str) -> str:
    """Whose key it is: a staff user's keys are theirs alone; an anonymous channel's belong to
    the channel and the phone. An appointment's key is its (unique) reference."""
    if channel == IssueChannel.APPOINTMENT:
        return "appointment"
    if actor is not None and actor.is_authenticated:
        return f"user:{actor.pk}"
    return f"{channel}:{phone}"


# The parts of a request a replayed key must repeat, in the order idempotency_request joins them.
_REQUEST_PARTS = ("services", "channel", "priority", "phone", "language")


def idempotency_request(*, services, channel, priority, phone, language) -> str:
    """What was asked, as stored beside the key, so a replay asking otherwise is refused."""
    ids = ",".join(str(s.pk) for s in services)
    return idempotency.signature(
        services=ids, channel=channel, priority=priority, phone=phone, language=language
    )


@dataclass(frozen=True)
class IssuedVisit:
    """What issuing answers: the visit, and what was just written with it, so that the answer
    (a page, the API, the ticket SMS) needs no query. `tickets` and `places_ahead` are None
    for a repeated request answered with the visit the first one made: read them."""

    visit: Visit
    tickets: tuple[Ticket, ...] | None = None
    places_ahead: int | None = None


def visit_issue(**request) -> Visit:
    """visit_issue_answer(...).visit: the visit alone, for callers that need no more."""
    return visit_issue_answer(**request).visit


def visit_issue_answer(
    *,
    centre: Centre,
    services: Sequence[Service],
    channel: str,
    requirements_confirmed: bool,
    priority: str = "",
    phone: str = "",
    language: str = "sw",
    idempotency_key: str | None = None,
    actor=None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
    near_front_sms: bool = False,
) -> IssuedVisit:
    """Issue one ticket number for a visit with one or more services, in the order given,
    except that a service another needs first queues before it (an ID card first).

    A virtual ticket's holder is texted when a few places from the front; a citizen already
    in the centre only if they asked (`near_front_sms`, and a phone).

    A request repeated with the same idempotency key (by the same user, or from the same
    anonymous channel and phone) gets the visit the first one made; the same key with a
    different request is refused. Virtual tickets are issued one at a time per phone, centre
    and day, so the per-phone limit holds however many arrive at once.

    Priority chosen at a kiosk is stored as requested, not applied: staff confirm it
    (visit_priority_confirm). Priority given by staff applies at once."""
    idempotency_key = idempotency_key_checked(idempotency_key)
    services = services_in_needed_order(services)
    if phone:
        phone = normalise_phone(phone)
    language = language if language in ("en", "sw") else "sw"
    scope = idempotency_scope(channel=channel, actor=actor, phone=phone)
    asked = idempotency_request(
        services=services, channel=channel, priority=priority, phone=phone, language=language
    )
    if centre.status != Centre.Status.OPEN:
        raise ServiceNotOffered(
            _("%(centre)s is not open.") % {"centre": centre.name}, field="centre"
        )
    services_offered(centre, services)
    needs_confirmation = channel != IssueChannel.SMS and any(s.needs_documents for s in services)
    if needs_confirmation and not requirements_confirmed:
        raise RequirementsNotConfirmed(
            _("Confirm that the citizen has every document on the checklist."),
            field="requirements_confirmed",
        )
    now = now or clock.now()
    virtual = channel in VIRTUAL_CHANNELS
    if virtual and not phone:
        raise RequirementsNotConfirmed(_("A virtual ticket needs a mobile number."), field="phone")
    create = partial(
        _create_visit,
        centre=centre,
        services=services,
        channel=channel,
        priority=priority,
        phone=phone,
        language=language,
        priority_requested=priority if channel == IssueChannel.KIOSK else "",
        idempotency_key=idempotency_key,
        idempotency_scope=scope,
        idempotency_request=asked,
        actor=actor,
        appointment=appointment,
        now=now,
        confirmed=requirements_confirmed,
        near_front_sms=bool(phone) and (virtual or near_front_sms),
    )
    try:
        if not phone:
            # Without a phone the insert itself finds a repeated key (unique per centre and
            # scope): the hot path makes no extra query, and no transaction on PostgreSQL.
            with sql.one_statement():
                issued = create()
        else:
            # The visit and its SMS are written together (the outbox: a worker only delivers).
            with transaction.atomic():
                if virtual:
                    # Counting a phone's live tickets and then inserting is only a limit if no
                    # other request for the same phone counts in between: hold a lock for
                    # (phone, centre, day) until this one commits. A retry (same key) is
                    # answered inside the lock, so the limit does not refuse it.
                    sql.lock_citizen(centre.pk, clock.local_date(now), phone)
                    if idempotency_key:
                        existing_id = sql.visit_with_key(centre.pk, scope, idempotency_key)
                        if existing_id is not None:
                            existing = Visit.objects.get(pk=existing_id)
                            return IssuedVisit(_same_request(existing, asked, services))
                    _virtual_tickets_allowed(centre, phone, now)
                issued = create()
                notifications.visit_issued_sms(issued=issued, services=services, now=now)
    except IntegrityError:
        if idempotency_key:  # the same request raced itself: answer with the winner
            existing_id = sql.visit_with_key(centre.pk, scope, idempotency_key)
            if existing_id is not None:
                existing = Visit.objects.get(pk=existing_id)
                return IssuedVisit(_same_request(existing, asked, services))
        raise
    return issued


def _virtual_tickets_allowed(centre: Centre, phone: str, now: dt.datetime) -> None:
    """One phone may hold only a few live virtual tickets at a centre, so nobody can reserve
    places in the queue for others (or for sale). Call it under sql.lock_citizen."""
    live = (
        Visit.objects.filter(
            centre=centre,
            phone=phone,
            service_day=clock.local_date(now),
            channel__in=VIRTUAL_CHANNELS,
            tickets__status__in=[*Ticket.ACTIVE, Status.PENDING],
        )
        .distinct()
        .count()
    )
    if live >= MAX_VIRTUAL_TICKETS_PER_PHONE:
        raise TooManyVirtualTickets(
            _("This number already holds %(n)s tickets in the queue today.") % {"n": live},
            field="phone",
        )


def _same_request(existing: Visit, asked: str, services: Sequence[Service]) -> Visit:
    """The visit a key made, if this request asks for the same thing; else a 409 naming
    what differs."""
    if existing.idempotency_request:
        idempotency.replay_check(existing.idempotency_request, asked, parts=_REQUEST_PARTS)
        return existing
    # A visit written before requests were stored: compare its services.
    original = list(existing.tickets.order_by("position").values_list("service_id", flat=True))
    if original[: len(services)] != [s.pk for s in services]:
        raise IdempotencyMismatch(
            _("This idempotency key was already used for a different request."),
            field="idempotency_key",
        )
    return existing


def _create_visit(
    *,
    centre,
    services,
    channel,
    priority,
    phone,
    language,
    priority_requested,
    idempotency_key,
    idempotency_scope,
    idempotency_request,
    actor,
    appointment,
    now,
    confirmed,
    near_front_sms,
) -> IssuedVisit:
    day = clock.local_date(now)
    # A field kit numbers every ticket with its outreach's own prefix, which no centre uses.
    prefix = settings.FIELD_TICKET_PREFIX or services[0].group or "A"
    visit = Visit(
        centre=centre,
        service_day=day,
        prefix=prefix,
        sequence=0,  # numbered as it is written
        number="",
        arrived_at=now,
        # A requested priority (from a kiosk) does not count until staff confirm it.
        priority="" if priority_requested else (priority or ""),
        priority_requested=priority_requested or "",
        channel=channel,
        phone=phone,
        language=language,
        requirements_confirmed_at=now if confirmed else None,
        near_front_sms=near_front_sms,
        idempotency_key=idempotency_key or None,
        idempotency_scope=idempotency_scope if idempotency_key else "",
        idempotency_request=idempotency_request if idempotency_key else "",
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )
    tickets = []
    for position, service in enumerate(services):
        ticket = Ticket(visit=visit, centre=centre, service=service, position=position)
        if position == 0:
            start_waiting(ticket, visit, now, appointment)  # known here: no query
        tickets.append(ticket)
    events = [
        TicketEvent(
            ticket=t,
            centre=centre,
            kind=Kind.ISSUED,
            at=now,
            actor=visit.issued_by,
            data={"channel": channel},
        )
        for t in tickets
    ]
    events.append(TicketEvent(ticket=tickets[0], centre=centre, kind=Kind.WAITING, at=now))
    ahead = sql.create_visit(visit, tickets, events)
    return IssuedVisit(visit=visit, tickets=tuple(tickets), places_ahead=ahead)

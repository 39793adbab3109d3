"""Queue API: every action of the queue system, for kiosks, displays, consoles and channels."""

import uuid

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Form, Header, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.security import django_auth
from pydantic import Field

from huduma.accounts.models import Role
from huduma.accounts.permissions import require_centre, require_centre_view
from huduma.catalogue.models import Service
from huduma.core.errors import DomainError, Forbidden, NotFound
from huduma.core.inputs import tokens_equal
from huduma.core.throttle import throttle_writes
from huduma.places.models import Centre, Counter
from huduma.queues import appointments, reference, selectors, services
from huduma.queues.inbound import sms_inbound
from huduma.queues.models import IssueChannel, Ticket, Visit
from huduma.queues.reference import HEAVY_SERVICE_FIELDS
from huduma.queues.schemas import (
    AddServiceIn,
    AppointmentIn,
    AppointmentOut,
    CallOut,
    CounterActionIn,
    CounterSessionOut,
    DisplayOut,
    EstimateOut,
    IssueIn,
    JoinIn,
    TicketOut,
    TransferIn,
    VisitOut,
)

router = Router(tags=["queues"])

ISSUERS = (Role.RECEPTION, Role.CENTRE_MANAGER, Role.COUNTER_OFFICER)
SERVERS = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)


def _centre(code: str) -> Centre:
    centre = reference.centre_by_code(code)
    if centre is None:
        raise NotFound(f"There is no centre {code!r}.", field="centre")
    return centre


def _services(codes: list[str], field: str = "services") -> list[Service]:
    found = {c: s for c in codes if (s := reference.service_by_code(c)) is not None}
    missing = [c for c in codes if c not in found]
    if missing:
        raise NotFound(f"There is no service {missing[0]!r}.", field=field)
    return [found[c] for c in codes]


def _counter(request, counter_id: int) -> Counter:
    counter = reference.counter_with_centre(counter_id)
    if counter is None:
        raise NotFound(f"There is no counter {counter_id}.", field="counter")
    require_centre(request.user, counter.centre, *SERVERS)
    return counter


def _ticket_ref(ticket_id: uuid.UUID) -> Ticket:
    """A reference to a ticket: the service locks and loads the row and checks its centre."""
    return Ticket(pk=ticket_id)


def ticket_out(ticket: Ticket, number: str | None = None) -> dict:
    """A ticket as the API answers it; `number` (the visit's, when a verb's answer carries
    it) spares reading the visit."""
    return {
        "id": ticket.pk,
        "visit_id": ticket.visit_id,
        "number": number if number is not None else ticket.visit.number,
        "service": ticket.service.code,
        "service_name_en": ticket.service.name_en,
        "service_name_sw": ticket.service.name_sw,
        "position": ticket.position,
        "status": ticket.status,
        "counter": ticket.counter.number if ticket.counter_id else None,
        "recalls": ticket.recalls,
        "called_at": ticket.called_at,
    }


def visit_out(visit: Visit, issued: "services.IssuedVisit | None" = None) -> dict:
    """A visit as the API answers it; `issued` (just issued) spares the queries."""
    tickets = list(issued.tickets) if issued is not None and issued.tickets else None
    if tickets is None:
        tickets = list(
            visit.tickets.select_related("service", "counter")
            .defer(*(f"service__{name}" for name in HEAVY_SERVICE_FIELDS))
            .order_by("position")
        )
    for ticket in tickets:
        ticket.visit = visit
    waiting = next((t for t in tickets if t.status == Ticket.Status.WAITING), None)
    ahead = None
    if waiting:
        ahead = issued.places_ahead if issued is not None else None  # known when just issued
        if ahead is None:
            ahead = selectors.places_ahead(waiting)
    return {
        "id": visit.pk,
        "number": visit.number,
        "centre": visit.centre.code,
        "arrived_at": visit.arrived_at,
        "priority": visit.priority,
        "priority_requested": visit.priority_requested,
        "channel": visit.channel,
        "tickets": [ticket_out(t) for t in tickets],
        # None while no counter serving the service is open: never "0 minutes" for a queue
        # nobody serves.
        "estimate_minutes": selectors.ticket_wait(waiting, ahead).minutes if waiting else 0,
        "places_ahead": ahead,
    }


# --- issuing ----------------------------------------------------------------------------


@router.post(
    "/centres/{code}/visits",
    response={201: VisitOut},
    auth=django_auth,
    summary="Issue a ticket (reception, kiosk)",
)
def issue_visit(
    request,
    code: str,
    payload: IssueIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """One ticket for a visit with one or more services. Retrying with the same
    Idempotency-Key header returns the same ticket."""
    centre = _centre(code)
    require_centre(request.user, centre, *ISSUERS)
    idempotency_key = services.idempotency_key_checked(idempotency_key, field="Idempotency-Key")
    issued = services.visit_issue_answer(
        centre=centre,
        services=_services(payload.services),
        channel=payload.channel,
        requirements_confirmed=payload.requirements_confirmed,
        priority=payload.priority,
        phone=payload.phone,
        language=payload.language,
        idempotency_key=idempotency_key,
        actor=request.user,
        near_front_sms=payload.near_front_sms,
    )
    return Status(201, visit_out(issued.visit, issued))


@router.post("/centres/{code}/join", response={201: VisitOut}, summary="Join a queue remotely")
@decorate_view(throttle_writes("join", limit=20, window_s=600, json=True))
def join_queue(
    request,
    code: str,
    payload: JoinIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """A virtual ticket from the web portal; an SMS follows, and another when near the front.
    Retrying with the same Idempotency-Key header (and the same phone) returns the same ticket."""
    idempotency_key = services.idempotency_key_checked(idempotency_key, field="Idempotency-Key")
    centre = _centre(code)
    issued = services.visit_issue_answer(
        centre=centre,
        services=_services(payload.services),
        channel=IssueChannel.WEB,
        requirements_confirmed=payload.requirements_confirmed,
        phone=payload.phone,
        language=payload.language,
        idempotency_key=idempotency_key,
    )
    return Status(201, visit_out(issued.visit, issued))


@router.get(
    "/visits/{visit_id}", response=VisitOut, summary="A visit (virtual ticket) and its wait"
)
def get_visit(request, visit_id: uuid.UUID):
    visit = Visit.objects.select_related("centre").filter(pk=visit_id).first()
    if visit is None:
        raise NotFound("There is no such ticket.", field="visit_id")
    return visit_out(visit)


@router.post(
    "/visits/{visit_id}/services",
    response={201: TicketOut},
    auth=django_auth,
    summary="Add a service to a visit",
)
def add_service(request, visit_id: uuid.UUID, payload: AddServiceIn):
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    require_centre(request.user, visit.centre, *ISSUERS)
    ticket = services.visit_add_service(
        visit=visit, service=_services([payload.service], "service")[0], actor=request.user
    )
    return Status(
        201,
        ticket_out(Ticket.objects.select_related("visit", "service", "counter").get(pk=ticket.pk)),
    )


@router.post(
    "/visits/{visit_id}/cancel", response=VisitOut, auth=django_auth, summary="Cancel a visit"
)
def cancel_visit(request, visit_id: uuid.UUID):
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    require_centre(request.user, visit.centre, *ISSUERS)
    return visit_out(services.visit_cancel(visit=visit, actor=request.user))


# --- counters ---------------------------------------------------------------------------


def session_out(session) -> dict:
    return {
        "counter": session.counter.number,
        "officer": str(session.officer),
        "status": session.status,
        "opened_at": session.opened_at,
    }


@router.post(
    "/counters/{counter_id}/open",
    response=CounterSessionOut,
    auth=django_auth,
    summary="Sign in to a counter (or resume it)",
)
def open_counter(request, counter_id: int):
    counter = _counter(request, counter_id)
    return session_out(services.counter_open(counter=counter, officer=request.user))


@router.post("/counters/{counter_id}/pause", response=CounterSessionOut, auth=django_auth)
def pause_counter(request, counter_id: int):
    counter = _counter(request, counter_id)
    return session_out(services.counter_pause(counter=counter, officer=request.user))


@router.post("/counters/{counter_id}/close", response=CounterSessionOut, auth=django_auth)
def close_counter(request, counter_id: int):
    counter = _counter(request, counter_id)
    return session_out(services.counter_close(counter=counter, officer=request.user))


@router.post(
    "/counters/{counter_id}/call-next",
    response=CallOut,
    auth=django_auth,
    summary="Call the next ticket",
)
def call_next(request, counter_id: int):
    counter = _counter(request, counter_id)
    called = services.ticket_call_next_answer(counter=counter, officer=request.user)
    return {"ticket": ticket_out(called.ticket, called.number) if called is not None else None}


def _ticket_action(verb):
    def endpoint(request, ticket_id: uuid.UUID, payload: CounterActionIn):
        counter = _counter(request, payload.counter)
        answer = verb(ticket=_ticket_ref(ticket_id), counter=counter, officer=request.user)
        if isinstance(answer, services.Moved):
            return ticket_out(answer.ticket, answer.number)
        return ticket_out(answer)

    return endpoint


for _path, _verb, _summary in (
    ("recall", services.ticket_recall, "Recall a called ticket"),
    ("start", services.ticket_start_answer, "Start serving"),
    (
        "finish",
        services.ticket_finish_answer,
        "Finish serving; the visit moves on to its next service",
    ),
    ("no-show", services.ticket_no_show, "Mark a no-show (from a minute after the call)"),
):
    router.add_api_operation(
        f"/tickets/{{ticket_id}}/{_path}",
        ["POST"],
        _ticket_action(_verb),
        response=TicketOut,
        auth=django_auth,
        summary=_summary,
        operation_id=f"ticket_{_path.replace('-', '_')}",
    )


@router.post(
    "/tickets/{ticket_id}/transfer",
    response=TicketOut,
    auth=django_auth,
    summary="Transfer to another service or a named counter, keeping the place",
)
def transfer(request, ticket_id: uuid.UUID, payload: TransferIn):
    ticket = Ticket.objects.select_related("centre").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("There is no such ticket.", field="ticket")
    require_centre(request.user, ticket.centre, *ISSUERS)
    to_service = _services([payload.service], "service")[0] if payload.service else None
    to_counter = None
    if payload.counter is not None:
        to_counter = Counter.objects.filter(pk=payload.counter).first()
        if to_counter is None:
            raise NotFound(f"There is no counter {payload.counter}.", field="counter")
    ticket = services.ticket_transfer(
        ticket=ticket, actor=request.user, to_service=to_service, to_counter=to_counter
    )
    return ticket_out(
        Ticket.objects.select_related("visit", "service", "counter").get(pk=ticket.pk)
    )


# --- boards and estimates ----------------------------------------------------------------


@router.get("/centres/{code}/display", response=DisplayOut, summary="What the hall display shows")
def display(request, code: str):
    centre = _centre(code)
    return {
        "centre": centre.name,
        "calls": [
            {
                "number": t.visit.number,
                "counter": t.counter.number,
                "service_en": t.service.name_en,
                "service_sw": t.service.name_sw,
                "called_at": t.called_at,
                "recalls": t.recalls,
            }
            for t in selectors.display_calls(centre)
        ],
    }


@router.get("/centres/{code}/estimates", response=list[EstimateOut], summary="Waits per service")
def estimates(request, code: str):
    centre = _centre(code)
    codes = dict(Service.objects.values_list("pk", "code"))
    return [
        {
            "service": codes[e.service_id],
            "waiting": e.waiting,
            "counters_open": e.counters_open,
            "minutes": e.minutes,
        }
        for e in sorted(
            selectors.wait_estimates(centre).values(), key=lambda e: codes[e.service_id]
        )
    ]


@router.get("/centres/{code}/live", auth=django_auth, summary="The Centre Manager's live view")
def live(request, code: str):
    centre = _centre(code)
    require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    view = selectors.live_view(centre)
    return {
        "waiting_total": view["waiting_total"],
        # Queues with people waiting and no open counter for their service (the page's flag).
        "unserved": [u.queue.service.code for u in view["unserved"]],
        "queues": [
            {
                "service": q.service.code,
                "waiting": q.waiting,
                "longest_wait_min": q.longest_wait_min,
                "counters_open": q.counters_open,
                "at_risk": q.at_risk,
            }
            for q in view["queues"]
        ],
        "counters": [
            {
                "counter": c.counter.number,
                "status": c.session.status if c.session else "closed",
                "officer": str(c.session.officer) if c.session else None,
                "ticket": c.ticket.visit.number if c.ticket else None,
            }
            for c in view["counters"]
        ],
        "at_risk": [t.visit.number for t in view["at_risk"]],
    }


# --- appointments ------------------------------------------------------------------------


@router.get("/centres/{code}/slots", response=list[str], summary="Free appointment slots")
def slots(
    request,
    code: str,
    service: str = Query(..., max_length=40),
    date: str = Query(..., pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
):
    import datetime as dt

    centre = _centre(code)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError as exc:
        raise DomainError("Give the date as YYYY-MM-DD.", field="date") from exc
    chosen = _services([service], "service")[0]
    return [s.isoformat() for s in appointments.available_slots(centre, chosen, day)]


@router.post(
    "/centres/{code}/appointments", response={201: AppointmentOut}, summary="Book an appointment"
)
@decorate_view(throttle_writes("book", limit=20, window_s=600, json=True))
def book(request, code: str, payload: AppointmentIn):
    centre = _centre(code)
    appointment = appointments.appointment_book(
        centre=centre,
        service=_services([payload.service], "service")[0],
        slot_start=payload.slot_start,
        phone=payload.phone,
        language=payload.language,
    )
    return Status(201, appointment_out(appointment))


def appointment_out(appointment) -> dict:
    return {
        "reference": appointment.reference,
        "centre": appointment.centre.code,
        "service": appointment.service.code,
        "slot_start": appointment.slot_start,
        "status": appointment.status,
    }


@router.post(
    "/centres/{code}/appointments/{reference}/check-in",
    response=VisitOut,
    auth=django_auth,
    summary="Check in an appointment on arrival",
)
def check_in(request, code: str, reference: str):
    centre = _centre(code)
    require_centre(request.user, centre, *ISSUERS)
    with transaction.atomic():
        visit = appointments.appointment_check_in(
            reference=reference, centre=centre, actor=request.user
        )
    return visit_out(visit)


# --- SMS channel -------------------------------------------------------------------------


class InboundSms(Schema):
    """Africa's Talking's incoming-message callback (it also sends date and linkId)."""

    from_: str = Field(..., alias="from", max_length=32)
    text: str = Field("", max_length=480)
    to: str = Field("", max_length=32)
    id: str = Field(..., min_length=1, max_length=100)  # theirs: a retry carries the same


@router.post("/sms/inbound", summary="Inbound SMS: JOIN <centre> <service> (or FOLENI ...)")
def inbound_sms(request, token: str, message: Form[InboundSms]):
    """Africa's Talking posts incoming SMS here. "JOIN GPO-NAIROBI NHIF-REGISTER" (or
    "FOLENI ...") gives a virtual ticket by SMS; anything else gets the instructions back."""
    if not tokens_equal(token, settings.NOTIFY_CALLBACK_TOKEN):
        raise Forbidden("Unknown callback token.", field="token")
    return sms_inbound(
        provider="africastalking",
        provider_id=message.id,
        phone=message.from_,
        text=message.text,
        to=message.to,
    )

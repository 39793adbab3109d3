"""The contact centre's API: the call-event webhook (a generic JSON event any PBX can send, and
Africa's Talking Voice's own form callback), and the agent's and counsellor's reads."""

import ipaddress
import uuid
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Form, Router, Schema
from ninja.security import django_auth

from huduma.channels.contact import services
from huduma.channels.contact.models import EventKind
from huduma.core.errors import Forbidden, NotFound
from huduma.core.inputs import tokens_equal
from huduma.core.phones import mask_phone
from huduma.core.throttle import client_address

router = Router(tags=["contact centre"])

SECRET_HEADER = "X-Huduma-Call-Secret"  # noqa: S105 (a header name, not a secret)


def _allowed_address(request) -> bool:
    allowed = settings.CONTACT_CALL_EVENT_ALLOWED_IPS
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _authenticate(request, token: str | None) -> None:
    """The shared secret (header, or the ?token= of a callback URL) and the address list."""
    given = request.headers.get(SECRET_HEADER) or token
    if not tokens_equal(given, settings.CONTACT_CALL_EVENT_SECRET):
        raise Forbidden("Unknown call-event secret.", field="token")
    if not _allowed_address(request):
        raise Forbidden("This address may not send call events.", field="address")


class CallEventIn(Schema):
    """A telephony event: a call arrived (new), an agent picked it up (answered), it ended
    (hungup). `call_id` is the PBX's own id for the call, the same in its three events."""

    event: EventKind
    call_id: str = Field(..., min_length=1, max_length=150)
    caller: str = Field("", max_length=40, description="The caller's number, E.164 or local")
    called: str = Field("", max_length=40, description="The number they dialled")
    agent_extension: str = Field("", max_length=150, description="Who answered (answered)")
    provider: str = Field("pbx", max_length=32, pattern=r"^[a-z0-9_-]{1,32}$")


class CallOut(Schema):
    call: str
    state: str
    queue: str
    stored: bool


@router.post(
    "/call-events",
    response=CallOut,
    summary="A call event from the telephony system (new, answered, hungup)",
)
def call_event(request, body: CallEventIn, token: str | None = None):
    """Send the header X-Huduma-Call-Secret (or ?token=). A repeated event (same provider,
    call id and kind) is stored once and changes nothing: `stored` is false."""
    _authenticate(request, token)
    call, stored = services.call_event_receive(
        event=services.IncomingEvent(
            provider=body.provider,
            call_id=body.call_id,
            kind=body.event,
            caller=body.caller,
            called=body.called,
            extension=body.agent_extension,
            payload={
                "event": body.event,
                "caller": mask_phone(body.caller),
                "called": body.called,
                "agent_extension": body.agent_extension,
            },
        )
    )
    return {"call": str(call.pk), "state": call.state, "queue": call.queue, "stored": stored}


class ATVoiceIn(Schema):
    """Africa's Talking Voice's callback (form fields; the others it sends are ignored)."""

    isActive: str = Field(..., max_length=1, pattern=r"^[01]$")
    sessionId: str = Field(..., min_length=1, max_length=150)
    direction: str = Field("", max_length=20)
    callerNumber: str = Field("", max_length=40)
    destinationNumber: str = Field("", max_length=40)
    callSessionState: str = Field("", max_length=40)
    dialDestinationNumber: str = Field("", max_length=150)
    dialDurationInSeconds: str = Field("", max_length=12)
    durationInSeconds: str = Field("", max_length=12)
    hangupCause: str = Field("", max_length=60)


def _xml(body: str = "") -> HttpResponse:
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>',
        content_type="application/xml",
    )


def _at_kind(form: ATVoiceIn) -> str:
    if form.isActive == "0":
        return EventKind.HUNG_UP
    # Once our <Dial> reaches an agent, Africa's Talking's callbacks name the agent's leg.
    return EventKind.ANSWERED if form.dialDestinationNumber else EventKind.NEW


@router.post(
    "/call-events/africastalking",
    summary="Africa's Talking Voice callback (answers with Voice XML)",
)
def africastalking_voice(request, form: Form[ATVoiceIn], token: str | None = None):
    """Set this address, with ?token=<CONTACT_CALL_EVENT_SECRET>, as the voice number's callback
    URL. A new call is answered with a <Dial> to the agents' SIP addresses (CONTACT_AT_DIAL), or
    an empty <Response/> when none are set; the last callback (isActive=0) ends the call."""
    _authenticate(request, token)
    kind = _at_kind(form)
    if kind == EventKind.HUNG_UP and form.dialDestinationNumber and _talked(form):
        # A call answered and ended between two callbacks: answered first, then ended.
        _at_event(form, EventKind.ANSWERED)
    _at_event(form, kind)
    if kind == EventKind.NEW and settings.CONTACT_AT_DIAL:
        numbers = quoteattr(",".join(settings.CONTACT_AT_DIAL))
        return _xml(f'<Dial phoneNumbers={numbers} sequential="true"/>')
    return _xml()


def _talked(form: ATVoiceIn) -> bool:
    """The final callback says the dialled agent's leg lasted some seconds: it was answered."""
    seconds = form.dialDurationInSeconds.strip()
    return seconds.isascii() and seconds.isdigit() and int(seconds) > 0


def _at_event(form: ATVoiceIn, kind: str) -> None:
    inbound = form.direction.lower() != "outbound"
    services.call_event_receive(
        event=services.IncomingEvent(
            provider="africastalking",
            call_id=form.sessionId,
            kind=kind,
            caller=form.callerNumber if inbound else form.destinationNumber,
            called=form.destinationNumber if inbound else form.callerNumber,
            extension=form.dialDestinationNumber,
            payload={
                "isActive": form.isActive,
                "direction": form.direction,
                "callSessionState": form.callSessionState,
                "durationInSeconds": form.durationInSeconds,
                "hangupCause": form.hangupCause,
                "dialDestinationNumber": form.dialDestinationNumber,
                "dialDurationInSeconds": form.dialDurationInSeconds,
            },
        )
    )


# --- the agent's and the counsellor's reads --------------------------------------------------


class NoteOut(Schema):
    at: str
    author: str
    text: str


@router.get(
    "/calls/{call_id}/notes",
    response=list[NoteOut],
    auth=django_auth,
    summary="A counselling caller's notes (counsellors only)",
)
def counselling_notes(request, call_id: str):
    notes = services.counselling_notes_read(counsellor=request.user, call_id=_uuid(call_id))
    return [{"at": n.at.isoformat(), "author": str(n.author), "text": n.text} for n in notes]


class HistoryOut(Schema):
    phone: str
    visits: list[dict]
    applications: list[dict]
    complaints: list[dict]
    payments: list[dict]
    appointments: list[dict]
    previous_calls: list[dict]


@router.get(
    "/calls/{call_id}/history",
    response=HistoryOut,
    auth=django_auth,
    summary="The caller's history, for the agent on the call (audited)",
)
def caller_history(request, call_id: str):
    history = services.caller_history_open(agent=request.user, call_id=_uuid(call_id))
    return {
        "phone": history.phone,
        "visits": [
            {"number": v.number, "centre": v.centre.code, "day": v.service_day.isoformat()}
            for v in history.visits
        ],
        "applications": [
            {"tracking_number": a.tracking_number, "service": a.service.code, "status": a.status}
            for a in history.applications
        ],
        "complaints": [
            {"reference": c.reference, "status": c.status, "category": c.category}
            for c in history.complaints
        ],
        "payments": [
            {"amount_kes": str(p.amount_kes), "status": p.status, "at": p.started_at.isoformat()}
            for p in history.payments
        ],
        "appointments": [
            {"reference": a.reference, "centre": a.centre.code, "status": a.status}
            for a in history.appointments
        ],
        "previous_calls": [
            {"at": c.started_at.isoformat(), "outcome": c.outcome, "wrap_up": c.wrap_up}
            for c in history.previous_calls
        ],
    }


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound("No such call.", field="call_id") from exc

"""The contact centre's verbs: receive a telephony event once, open a caller's history while
on the call with them (audited), and act for the caller through the owning apps' services."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.applications.services import application_for_citizen
from huduma.catalogue.selectors import public_articles
from huduma.channels.contact import selectors
from huduma.channels.contact.models import (
    AgentSeat,
    Call,
    CallAction,
    CallEvent,
    CallQueue,
    CallState,
    CounsellingNote,
    EventKind,
    Outcome,
    WrapUp,
)
from huduma.complaints.models import Channel as ComplaintChannel
from huduma.complaints.services import complaint_lodge
from huduma.core import audit, clock
from huduma.core.errors import Conflict, DomainError, Forbidden, NotFound
from huduma.core.phones import InvalidPhoneNumber, mask_phone, normalise_phone
from huduma.notify.services import sms_send
from huduma.queues.appointments import appointment_book

logger = logging.getLogger(__name__)

# Who answers which queue: an extension whose agent has another role opens nothing.
QUEUE_ROLES = {CallQueue.GENERAL: Role.CONTACT_AGENT, CallQueue.COUNSELLING: Role.COUNSELLOR}
# The article's own text in the SMS, cut to keep the message within about three SMS parts.
SMS_TEXT_CHARS = 240


class CallNotActive(Forbidden):
    """The agent is not on an answered call with this caller (any more)."""

    code = "call_not_active"


@dataclass(frozen=True)
class IncomingEvent:
    """One telephony event as a provider reported it (see api.py for the two formats)."""

    provider: str
    call_id: str
    kind: str
    caller: str = ""
    called: str = ""
    extension: str = ""
    payload: dict | None = None


def _caller(raw: str) -> str:
    """E.164, or "" for a withheld or foreign-looking number: then no history is shown."""
    try:
        return normalise_phone(raw, mobile_only=False)
    except InvalidPhoneNumber:
        return ""


def _queue_for(called: str) -> str:
    numbers = {n.replace(" ", "") for n in settings.CONTACT_COUNSELLING_NUMBERS}
    return CallQueue.COUNSELLING if called.replace(" ", "") in numbers else CallQueue.GENERAL


def _agent_at(extension: str, queue: str):
    seat = AgentSeat.objects.select_related("agent").filter(extension=extension).first()
    if seat is None:
        return None
    agent = seat.agent
    if not (agent.is_active and agent.role == QUEUE_ROLES[queue]):
        logger.warning("extension %s answered a %s call: not its role", extension, queue)
        return None
    return agent


def _call_locked(event: IncomingEvent) -> Call:
    """The call's row, created by whichever of its events comes first, and locked: the events
    of one call are applied one at a time, in the order they are received."""
    key = {"provider": event.provider, "provider_call_id": event.call_id}
    call = Call.objects.select_for_update().filter(**key).first()
    if call is not None:
        return call
    try:
        with transaction.atomic():
            return Call.objects.create(
                **key,
                caller=_caller(event.caller),
                called=event.called[:40],
                queue=_queue_for(event.called),
                started_at=clock.now(),
            )
    except IntegrityError:  # another event of this call created it meanwhile
        return Call.objects.select_for_update().get(**key)


@transaction.atomic
def call_event_receive(*, event: IncomingEvent) -> tuple[Call, bool]:
    """Store the event first, once per (provider, call id, kind), then apply it to the call.
    Returns the call and whether this event was new (a retried callback changes nothing).

    Times are ours (when the event reached us), not the sender's: nothing from outside is proof,
    and the desk's figures then come from one clock."""
    if event.kind not in EventKind.values:
        raise DomainError(_("Unknown call event"), field="event")
    if not event.call_id or len(event.call_id) > 150:
        raise DomainError(_("Give the call's id (at most 150 characters)"), field="call_id")
    call = _call_locked(event)
    now = clock.now()
    try:
        with transaction.atomic():
            CallEvent.objects.create(
                call=call,
                provider=event.provider,
                provider_call_id=event.call_id,
                kind=event.kind,
                at=now,
                payload=event.payload or {},
            )
    except IntegrityError:
        return call, False
    if not call.caller and event.caller:
        call.caller = _caller(event.caller)
    if not call.called and event.called:
        call.called = event.called[:40]
        call.queue = _queue_for(event.called)
    if event.kind == EventKind.ANSWERED:
        if call.answered_at is None:
            call.answered_at = now
            call.extension = event.extension[:150]
            call.agent = _agent_at(event.extension, call.queue)
        if call.state == CallState.RINGING:
            call.state = CallState.ANSWERED
    elif event.kind == EventKind.HUNG_UP and call.state != CallState.ENDED:
        call.state = CallState.ENDED
        call.ended_at = now
        if call.answered_at is None:
            call.outcome = Outcome.DROPPED  # abandoned while waiting
    call.save()
    return call, True


# --- on the call --------------------------------------------------------------------------


def call_for_agent(*, agent, call_id) -> Call:
    """The call this agent is on now. Their reading of the caller's history, and every action
    for the caller, ends when the call does."""
    call = (
        Call.objects.filter(pk=call_id, agent=agent, state=CallState.ANSWERED)
        .exclude(caller="")
        .first()
    )
    if call is None or agent.role != QUEUE_ROLES[call.queue]:
        raise CallNotActive(_("You are not on a call with this caller."), field="call")
    return call


def caller_history_open(*, agent, call_id) -> selectors.CallerHistory:
    """The caller's history from every app, for the agent on an enquiry call; audited. A
    counselling call opens only its counselling notes (counselling_notes_read)."""
    call = call_for_agent(agent=agent, call_id=call_id)
    if call.queue != CallQueue.GENERAL:
        raise CallNotActive(_("A counselling call opens no service history."), field="call")
    history = selectors.caller_history(call)
    audit.record(
        action="contact.caller_history.view",
        instance=call,
        actor=agent,
        object_repr=f"call from {mask_phone(call.caller)}",
        after={"phone": call.caller, "queue": call.queue},
    )
    return history


def _action(call: Call, kind: str, agent, *, reference: str = "", mda=None) -> CallAction:
    action = CallAction.objects.create(
        call=call, kind=kind, actor=agent, at=clock.now(), reference=reference[:80], mda=mda
    )
    audit.record(
        action=f"contact.call.{kind}",
        instance=call,
        actor=agent,
        object_repr=f"call from {mask_phone(call.caller)}",
        after={"reference": reference, "mda": getattr(mda, "code", None)},
    )
    return action


def _language(language: str) -> str:
    return language if language in ("en", "sw") else "sw"


def _sms_text(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SMS_TEXT_CHARS:
        return text
    return text[: SMS_TEXT_CHARS - 1].rsplit(" ", 1)[0] + "…"


@transaction.atomic
def call_send_article(*, agent, call_id, slug: str, language: str) -> CallAction:
    """Text the caller a public knowledge-base article: its title, the start of its text and
    its address, in the caller's language. The agent chooses the article, never the words, so
    nothing an agent types reaches a citizen's phone under Huduma's name."""
    call = call_for_agent(agent=agent, call_id=call_id)
    article = public_articles().filter(slug=slug).first()
    if article is None:
        raise NotFound(_("Choose a public article to send."), field="article")
    language = _language(language)
    title = article.title_sw if language == "sw" and article.title_sw else article.title_en
    body = article.body_sw if language == "sw" and article.body_sw else article.body_en
    title = title.strip()
    if title and title[-1] not in ".?!":
        title += "."
    url = settings.PUBLIC_URL + reverse("catalogue:article", args=[article.slug])
    sms_send(
        to=call.caller,
        template="contact_article",
        context={"title": title, "text": _sms_text(body), "url": url},
        language=language,
    )
    return _action(call, CallAction.Kind.ARTICLE_SMS, agent, reference=article.slug)


@transaction.atomic
def call_book(
    *, agent, call_id, centre, service, slot_start: dt.datetime, language: str
) -> CallAction:
    """Book an appointment for the caller, on their own number (queues' verb and rules)."""
    call = call_for_agent(agent=agent, call_id=call_id)
    appointment = appointment_book(
        centre=centre,
        service=service,
        slot_start=slot_start,
        phone=call.caller,
        language=_language(language),
    )
    return _action(call, CallAction.Kind.BOOKED, agent, reference=appointment.reference)


@transaction.atomic
def call_track(*, agent, call_id, tracking_number: str):
    """The caller's application with this number: it must have been made with the number
    calling (applications' own rule, its wrong-tries limit included)."""
    call = call_for_agent(agent=agent, call_id=call_id)
    application = application_for_citizen(tracking_number=tracking_number, phone=call.caller)
    _action(call, CallAction.Kind.TRACKED, agent, reference=application.tracking_number)
    return application


@transaction.atomic
def call_complaint(
    *, agent, call_id, category: str, text: str, centre=None, service=None, form_token: str = ""
) -> CallAction:
    """Lodge a complaint for the caller, channel "contact centre", on their number."""
    call = call_for_agent(agent=agent, call_id=call_id)
    complaint = complaint_lodge(
        channel=ComplaintChannel.CONTACT_CENTRE,
        category=category,
        text=text,
        phone=call.caller,
        centre=centre,
        service=service,
        actor=agent,
        idempotency_key=form_token or None,
        source=f"call:{call.pk}",
    )
    existing = CallAction.objects.filter(
        call=call, kind=CallAction.Kind.COMPLAINT, reference=complaint.reference
    ).first()
    return existing or _action(
        call, CallAction.Kind.COMPLAINT, agent, reference=complaint.reference
    )


@transaction.atomic
def call_transfer(*, agent, call_id, mda) -> CallAction:
    """Record that the call was passed to an MDA's desk (the PBX moves the voice)."""
    call = call_for_agent(agent=agent, call_id=call_id)
    return _action(call, CallAction.Kind.TRANSFER, agent, reference=mda.code, mda=mda)


@transaction.atomic
def call_wrap_up(*, agent, call_id, outcome: str, wrap_up: str) -> Call:
    """The agent's outcome and wrap-up code, once, during or after the call."""
    call = Call.objects.select_for_update().filter(pk=call_id, agent=agent).first()
    if call is None:
        raise NotFound(_("No call of yours has this id."), field="call")
    if outcome not in Outcome.values or outcome == Outcome.DROPPED:
        raise DomainError(_("Choose the call's outcome."), field="outcome")
    if wrap_up not in WrapUp.values:
        raise DomainError(_("Choose a wrap-up code."), field="wrap_up")
    if call.wrapped_up_at is not None:
        raise Conflict(_("This call is already wrapped up."), field="outcome")
    call.outcome, call.wrap_up, call.wrapped_up_at = outcome, wrap_up, clock.now()
    call.save(update_fields=["outcome", "wrap_up", "wrapped_up_at"])
    audit.record(
        action="contact.call.wrap_up",
        instance=call,
        actor=agent,
        object_repr=f"call from {mask_phone(call.caller)}",
        after={"outcome": outcome, "wrap_up": wrap_up},
    )
    return call


# --- tele-counselling ---------------------------------------------------------------------


def _require_counsellor(user) -> None:
    if not (user.is_authenticated and user.is_active and user.role == Role.COUNSELLOR):
        raise Forbidden(_("Counselling notes are for counsellors only."))


@transaction.atomic
def counselling_note_add(*, counsellor, call_id, text: str) -> CounsellingNote:
    """A counsellor's note on the counselling call they are on (or just ended)."""
    _require_counsellor(counsellor)
    call = Call.objects.filter(pk=call_id, agent=counsellor, queue=CallQueue.COUNSELLING).first()
    if call is None:
        raise NotFound(_("No counselling call of yours has this id."), field="call")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the note."), field="text")
    if len(text) > 4000:
        raise DomainError(_("A note has at most 4,000 characters."), field="text")
    note = CounsellingNote.objects.create(call=call, author=counsellor, at=clock.now(), text=text)
    audit.record(action="contact.counselling_note.add", instance=call, actor=counsellor)
    return note


def counselling_notes_read(*, counsellor, call_id) -> list[CounsellingNote]:
    """A counselling caller's notes (this call's and their earlier ones): counsellors only,
    every reading audited."""
    _require_counsellor(counsellor)
    call = Call.objects.filter(pk=call_id, queue=CallQueue.COUNSELLING).first()
    if call is None:
        raise NotFound(_("No counselling call has this id."), field="call")
    notes = selectors.counselling_notes(call)
    audit.record(action="contact.counselling_notes.view", instance=call, actor=counsellor)
    return notes

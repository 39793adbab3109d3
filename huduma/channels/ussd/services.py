"""The USSD session engine: one operator request in, one screen out.

Africa's Talking posts every request of a session with `text`, all the caller's inputs so far
joined by "*". We keep the session on the server (UssdSession, by sessionId): the screens
opened (a stack, for "0" Back), the language, and the text already answered, so each request
only brings its newest input. A request repeated with the same text is answered with the
stored reply (UssdExchange, unique per session and text) and acts nothing twice; the verbs
behind the END screens also take the session's idempotency key, so even two copies of one
request racing each other act once.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from huduma.accounts.services import citizen_language
from huduma.channels.ussd import journeys
from huduma.channels.ussd.flow import Ctx, Done, Go, Home, Menu, Retry, Step
from huduma.channels.ussd.journeys import answers
from huduma.channels.ussd.models import UssdExchange, UssdSession, UssdSessionEnd
from huduma.channels.ussd.screens import BACK, HOME, MAX_LABEL, MORE, Page, View, cut, paginate
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.phones import InvalidPhoneNumber, normalise_phone

logger = logging.getLogger(__name__)

# The operator's limits: a session lasts 180 s; a session cut off may be resumed from the next
# dial for 10 minutes; an answer is at most this long (a phone sends 182 characters a screen,
# so even 10 screens of free text stay far below it).
SESSION_SECONDS = 180
RESUME_WINDOW = dt.timedelta(minutes=10)
MAX_TEXT = 2000
MAX_SESSION_ID = 100


class BadRequest(DomainError):
    code = "bad_request"


@dataclass(frozen=True)
class Answer:
    reply: str  # "CON ..." or "END ..."
    repeated: bool = False

    @property
    def end(self) -> bool:
        return self.reply.startswith("END ")


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _end(text: str) -> str:
    return paginate(View(text, end=True))[0].reply


def phone_checked(raw: str) -> str:
    try:
        return normalise_phone(raw or "")
    except InvalidPhoneNumber as exc:
        raise BadRequest(str(exc), field="phoneNumber") from exc


def session_id_checked(raw: str) -> str:
    value = (raw or "").strip()
    if not value or len(value) > MAX_SESSION_ID or not value.isprintable():
        raise BadRequest(_("sessionId is missing or malformed."), field="sessionId")
    return value


def ussd_answer(
    *, session_id: str, phone: str, text: str, service_code: str = "", network_code: str = ""
) -> Answer:
    """Answer one request of Africa's Talking (raises BadRequest for a missing or malformed
    sessionId or phoneNumber)."""
    session_id = session_id_checked(session_id)
    phone = phone_checked(phone)
    text = (text or "").strip()
    if len(text) > MAX_TEXT or "\x00" in text:
        return Answer(_end(_("Sorry, that is too long. Please dial again.")))
    now = clock.now()
    digest = text_digest(text)
    session, stored = _session(session_id, phone, service_code[:40], network_code[:12], now, digest)
    if stored is not None:
        return Answer(stored, repeated=True)
    if session.phone and session.phone != phone:
        return Answer(_end(_("This session belongs to another number.")))
    with translation.override(session.language):
        engine = _Engine(session, now)
        reply = engine.answer(text)
    return _save(session, engine, text, digest, reply, now)


def _session(
    session_id, phone, service_code, network_code, now, digest
) -> tuple[UssdSession, str | None]:
    """The session, and the answer it already gave to this text if any (one query for both:
    this runs on every request)."""
    answered = UssdExchange.objects.filter(session=OuterRef("pk"), text_digest=digest)
    session = (
        UssdSession.objects.filter(session_id=session_id)
        .annotate(stored_reply=Subquery(answered.values("reply")[:1]))
        .first()
    )
    if session is not None:
        return session, session.stored_reply
    try:
        with transaction.atomic():
            session = UssdSession.objects.create(
                session_id=session_id,
                phone=phone,
                service_code=service_code,
                network_code=network_code,
                language=citizen_language(phone=phone) or settings.LANGUAGE_CODE[:2],
                started_at=now,
                updated_at=now,
            )
    except IntegrityError:  # the same first request twice at once: one row
        session = UssdSession.objects.get(session_id=session_id)
        return session, _stored_reply(session, digest)
    return session, None  # just made: nothing answered yet


def _stored_reply(session: UssdSession, digest: str) -> str | None:
    return (
        UssdExchange.objects.filter(session=session, text_digest=digest)
        .values_list("reply", flat=True)
        .first()
    )


def _save(session, engine, text, digest, reply, now) -> Answer:
    forget = engine.ctx_forget
    fields = {
        "stack": [] if engine.ended else engine.stack,
        "last_text": "" if forget else text,
        "last_reply": reply,
        "language": engine.language,
        "updated_at": now,
        "version": F("version") + 1,
    }
    if engine.ended:
        fields["ended_at"] = now
    if forget:
        # An anonymous report: nothing here may tie the caller's number to it.
        fields["phone"] = ""
        fields["service_code"] = ""
    elapsed = int((clock.now() - now).total_seconds() * 1000)
    try:
        with transaction.atomic():
            changed = UssdSession.objects.filter(pk=session.pk, version=session.version).update(
                **fields
            )
            if changed != 1:
                raise IntegrityError("the session moved on meanwhile")
            UssdExchange.objects.create(
                session=session, text_digest=digest, reply=reply, at=now, elapsed_ms=elapsed
            )
            if engine.resumed_from is not None:
                UssdSession.objects.filter(pk=engine.resumed_from).update(resumed=True)
                UssdSession.objects.filter(pk=session.pk).update(resumed_from=engine.resumed_from)
    except IntegrityError:
        # Another copy of this request (or another request) was answered first: a copy gets
        # that answer; anything else lost its place in the session.
        stored = _stored_reply(session, digest)
        if stored is not None:
            return Answer(stored, repeated=True)
        with translation.override(session.language):
            return Answer(_end(_("Sorry, we lost your place. Please dial again.")))
    return Answer(reply)


class _Engine:
    """Walks the menu table for one request."""

    def __init__(self, session: UssdSession, now: dt.datetime):
        self.session = session
        self.now = now
        self.stack: list[dict] = [dict(frame) for frame in session.stack]
        self.language = session.language
        self.ended = False
        self.ctx_forget = False
        self.resumed_from = None
        self.key = journeys.session_key(session.session_id)
        self._last_ctx: Ctx | None = None

    # --- the request ----------------------------------------------------------------------

    def answer(self, text: str) -> str:
        session = self.session
        if session.ended_at is not None:
            return self._done(_("This session has ended. Please dial again."))
        fresh = session.version == 0
        if not fresh and (self.now - session.updated_at).total_seconds() > SESSION_SECONDS:
            return self._done(_("This session timed out. Dial again to continue."))
        if fresh:
            inputs = text.split("*") if text else []
            self._start(resumable=not text)
        else:
            last = session.last_text
            if last and not text.startswith(last + "*"):
                return self._done(_("Sorry, we lost your place. Please dial again."))
            inputs = [text[len(last) + 1 :] if last else text]
        error = ""
        try:
            for value in inputs:
                error = self._input(value.strip())
                if self.ended:
                    return self.end_reply
            return self._render(error)
        except (DomainError, ObjectDoesNotExist) as exc:
            # What the caller chose has gone (a booking cancelled on the web, say), or a
            # verb refused while a screen was built: say so and end, never a server error.
            message = getattr(exc, "message", "") or _("That is no longer available.")
            return self._done(message)
        except (KeyError, IndexError, TypeError, ValueError):
            logger.exception("ussd session %s: a screen could not be built", session.pk)
            return self._done(_("Sorry, we lost your place. Please dial again."))

    def _start(self, *, resumable: bool) -> None:
        self.stack = [self._frame(journeys.HOME)]
        if not resumable:
            return
        earlier = (
            UssdSession.objects.filter(
                phone=self.session.phone,
                ended_at__isnull=True,
                resumed=False,
                updated_at__gte=self.now - RESUME_WINDOW,
            )
            .exclude(pk=self.session.pk)
            .order_by("-updated_at", "-started_at")
            .first()
        )
        # Only the caller's latest session counts: one they left at home, or ended, means
        # they have moved on from anything older.
        if earlier is not None and len(earlier.stack) > 1:
            self.stack = [self._frame("resume", {"from": str(earlier.pk)})]

    # --- one input ------------------------------------------------------------------------

    def _input(self, value: str) -> str:
        """Apply one answer; return an error line to show above the next screen, if any."""
        top = self.stack[-1]
        if value == HOME:
            self.stack = [self._frame(journeys.HOME)]
            return ""
        if value == BACK and len(self.stack) > 1:
            self.stack.pop()
            self.stack[-1]["page"] = 0
            return ""
        if value == MORE:
            if top["page"] + 1 < len(self._pages()):
                top["page"] += 1
                return ""
            return _("There is no more to show.")
        node = journeys.NODES[top["node"]]
        if isinstance(node, Menu):
            choice = answers._pick(value, len(node.items))
            if choice is None:
                return _("Choose one of the numbers shown.")
            return self._open(node.items[choice][1], {})
        if node.key == "resume":
            return self._resume(value, top)
        if node.take is None:
            return _("Choose one of the numbers shown.")
        return self._apply(node.take(self._ctx(top), value[: answers.MAX_INPUT]))

    def _apply(self, outcome) -> str:
        if isinstance(outcome, Go):
            return self._open(outcome.node, {**self.stack[-1]["data"], **outcome.data})
        if isinstance(outcome, Done):
            self._done(outcome.text)
            return ""
        if isinstance(outcome, Home):
            if outcome.language:
                self.language = outcome.language
                translation.activate(outcome.language)
            self.stack = [self._frame(journeys.HOME)]
            return ""
        if isinstance(outcome, Retry):
            return outcome.error
        raise TypeError(f"not an outcome: {outcome!r}")

    def _open(self, key: str, data: dict) -> str:
        node = journeys.NODES[key]
        frame = self._frame(key, data if isinstance(node, Step) else {})
        if isinstance(node, Step) and node.enter is not None:
            entered = node.enter(self._ctx(frame))
            if isinstance(entered, dict):
                frame["data"].update(entered)
            elif entered is not None:
                return self._apply(entered)
        self.stack.append(frame)
        return ""

    def _resume(self, value: str, top: dict) -> str:
        choice = answers._pick(value, 2)
        if choice is None:
            return _("Choose one of the numbers shown.")
        earlier = UssdSession.objects.filter(pk=top["data"]["from"], resumed=False).first()
        if choice == 1 or earlier is None or not earlier.stack:
            self.stack = [self._frame(journeys.HOME)]
            return ""
        self.stack = [dict(frame, page=0) for frame in earlier.stack]
        self.resumed_from = earlier.pk
        return ""

    # --- screens --------------------------------------------------------------------------

    def _frame(self, key: str, data: dict | None = None) -> dict:
        return {"node": key, "data": dict(data or {}), "page": 0}

    def _ctx(self, frame: dict) -> Ctx:
        ctx = Ctx(
            phone=self.session.phone, language=self.language, data=frame["data"], key=self.key
        )
        self._last_ctx = ctx
        return ctx

    def _view(self) -> View:
        top = self.stack[-1]
        node = journeys.NODES[top["node"]]
        if isinstance(node, Menu):
            labels = tuple(str(label) for label, _target in node.items)
            return View(str(node.title), labels, nav=node.key != journeys.HOME)
        return node.show(self._ctx(top))

    def _pages(self, error: str = "") -> list[Page]:
        view = self._view()
        if error:
            view = View(view.text, view.options, view.end, cut(error, MAX_LABEL * 3), view.nav)
        return paginate(view)

    def _render(self, error: str) -> str:
        pages = self._pages(error)
        page = pages[min(self.stack[-1]["page"], len(pages) - 1)]
        return page.reply

    def _done(self, text: str) -> str:
        self.ended = True
        if self._last_ctx is not None and self._last_ctx.forget_phone:
            self.ctx_forget = True
        self.end_reply = _end(text)
        return self.end_reply


# --- the end-of-session notification --------------------------------------------------------


def session_end_record(
    *,
    session_id: str,
    status: str,
    phone: str = "",
    service_code: str = "",
    network_code: str = "",
    date: str = "",
    duration_ms: int | None = None,
    hops: int | None = None,
    cost: str = "",
    input_text: str = "",
    last_response: str = "",
    error_message: str = "",
) -> UssdSessionEnd:
    """Store Africa's Talking's end-of-session notification, once per session (a repeat is
    answered with the row already stored). A session whose caller must stay anonymous keeps
    neither the number nor the inputs."""
    session_id = session_id_checked(session_id)
    existing = UssdSessionEnd.objects.filter(session_id=session_id).first()
    if existing is not None:
        return existing
    ours = UssdSession.objects.filter(session_id=session_id).first()
    if ours is not None and not ours.phone:
        phone, input_text, last_response = "", "", ""
    try:
        with transaction.atomic():
            return UssdSessionEnd.objects.create(
                session_id=session_id,
                status=status[:20],
                phone=phone[:32],
                service_code=service_code[:40],
                network_code=network_code[:12],
                date=date[:40],
                duration_ms=duration_ms,
                hops=hops,
                cost=cost[:40],
                input=input_text[:MAX_TEXT],
                last_app_response=last_response[:MAX_TEXT],
                error_message=error_message[:300],
            )
    except IntegrityError:
        return UssdSessionEnd.objects.get(session_id=session_id)


# --- keeping --------------------------------------------------------------------------------

# Sessions, their answers and the operator's notifications are kept this long: enough to answer
# a question about a session a citizen raises, no longer (they hold phone numbers).
KEEP = dt.timedelta(days=30)


def ussd_sessions_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the sessions (with their answers) and end-of-session notifications older than
    KEEP; returns how many sessions went. Safe to run twice or in two workers at once."""
    cutoff = (now or clock.now()) - KEEP
    UssdSessionEnd.objects.filter(received_at__lt=cutoff).delete()
    _total, by_model = UssdSession.objects.filter(updated_at__lt=cutoff).delete()
    return by_model.get(UssdSession._meta.label, 0)

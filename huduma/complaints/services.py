"""The verbs of complaints: lodge, take, start, resolve, escalate, confirm, reopen, sweep.

Each opens its transaction, locks the complaint row, writes a ComplaintEvent and the citizen's
SMS in that same transaction (the SMS is an outbox row; the worker only delivers it).
"""

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from huduma.complaints.models import (
    ACTIONABLE,
    MONITOR_CATEGORIES,
    NO_PHONE_CHANNELS,
    OPEN311_TEXT_MAX_LENGTH,
    PUBLIC_NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ApiClient,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Level,
    SmsStep,
    Status,
)
from huduma.complaints.permissions import can_act, is_protected
from huduma.core import clock, idempotency
from huduma.core.errors import Conflict, DomainError, Forbidden, NotFound
from huduma.core.locks import lock_names
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.core.text import shorten, written_in
from huduma.core.throttle import target_check, target_missed
from huduma.notify.services import sms_send, sms_send_many
from huduma.places.models import Centre

# No 0/O or 1/I/L: a reference is read aloud over the phone. 31^8 = 8.5e11 references.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# The same text from the same phone within this window is the same complaint sent twice
# (a double tap, an SMS resent by the phone), not a new one.
DUPLICATE_WINDOW = dt.timedelta(minutes=10)
SECRET_PHRASE_MIN = 8
# A resolution rated 1 or 2 (of 5) is not accepted: it goes on appeal to the next level.
POOR_RATING = 2
SMS_KEYWORDS = {"COMPLAINT": "en", "MALALAMIKO": "sw"}


class WrongStep(Conflict):
    code = "wrong_step"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_reference(raw: str) -> str:
    """'k7q4 m2xp', 'K7Q4-M2XP' -> 'K7Q4-M2XP' (unknown characters are kept, so nothing matches)."""
    compact = "".join(ch for ch in (raw or "").upper() if ch not in " -")[:16]
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact


def _new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def _text_hash(text: str) -> str:
    return _sha(" ".join(text.casefold().split()))


def track_url() -> str:
    return settings.PUBLIC_URL + reverse("complaints:track")


def _levels(complaint: Complaint) -> list[str]:
    """The ladder of a complaint: the Centre Manager (if about a centre), the MDA (if known),
    the Secretariat, then the Commission on Administrative Justice as independent reviewer.
    Corruption and maladministration go to the monitors, then the reviewer. A protected
    complaint (naming staff, the manager included, or anonymous) skips the centre and the MDA:
    they may be the accused or their chain of command."""
    if complaint.category in MONITOR_CATEGORIES:
        return [Level.MONITOR, Level.REVIEW]
    chain = []
    if not is_protected(complaint):
        if complaint.centre_id:
            chain.append(Level.CENTRE)
        if complaint.mda_id:
            chain.append(Level.MDA)
    chain += [Level.SECRETARIAT, Level.REVIEW]
    return chain


def _next_level(complaint: Complaint, level: str) -> str | None:
    chain = _levels(complaint)
    index = chain.index(level) if level in chain else len(chain)
    return chain[index + 1] if index + 1 < len(chain) else None


def _hours_at(level: str) -> float | None:
    """Working hours a level has before the complaint escalates (or, at the top, is flagged)."""
    return {
        Level.CENTRE: settings.COMPLAINT_CENTRE_HOURS,
        Level.MDA: settings.COMPLAINT_MDA_HOURS,
        Level.SECRETARIAT: settings.COMPLAINT_SECRETARIAT_HOURS,
        Level.MONITOR: settings.COMPLAINT_MONITOR_HOURS,
        Level.REVIEW: settings.COMPLAINT_REVIEW_HOURS,
    }.get(level)


def due_at_level(level: str, start: dt.datetime) -> dt.datetime | None:
    hours = _hours_at(level)
    return None if hours is None else clock.add_working_hours(start, hours)


def _event(
    complaint: Complaint,
    kind: str,
    *,
    actor=None,
    note: str = "",
    at: dt.datetime | None = None,
    level: str | None = None,
    save: bool = True,
) -> ComplaintEvent:
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    event = ComplaintEvent(
        complaint=complaint,
        kind=kind,
        at=at or clock.now(),
        actor=user,
        actor_label=user.get_username() if user else "",
        level=level or complaint.level,
        note=note[:1000],
    )
    if save:
        event.save()
    return event


def _sms(
    complaint: Complaint, template: str, url: str | None = None, **context
) -> tuple[str, str, dict, str]:
    values = {
        "reference": complaint.reference,
        "handler": Level(complaint.level).label,
        "url": url or track_url(),
        **context,
    }
    return complaint.phone, template, values, complaint.language


def _tell(complaint: Complaint, template: str, **context) -> None:
    """The citizen's SMS for this step, written in the caller's transaction (outbox)."""
    if not complaint.phone:
        return
    to, template, values, language = _sms(complaint, template, **context)
    try:
        sms_send(to=to, template=template, context=values, language=language)
    except InvalidPhoneNumber:
        pass  # checked when lodged; a number that no longer parses gets no SMS, the record stands


def _clean_text(text: str, channel: str) -> str:
    text = (text or "").strip()
    # GeoReport v2 makes the description optional and allows 4,000 characters.
    limit = OPEN311_TEXT_MAX_LENGTH if channel == Channel.OPEN311 else TEXT_MAX_LENGTH
    if not text and channel != Channel.OPEN311:
        raise DomainError(_("Describe what happened"), field="text")
    if "\x00" in text:
        raise DomainError(_("The description contains characters we cannot store"), field="text")
    if len(text) > limit:
        raise DomainError(
            _("Describe what happened in %(max)s characters or fewer") % {"max": limit},
            field="text",
        )
    return text


def _scope(channel: str, actor, api_client, source) -> str:
    """Whose keys these are: an Idempotency-Key only matches within its sender's scope."""
    if actor is not None and getattr(actor, "pk", None):
        return f"{channel}:user:{actor.pk}"
    if api_client is not None:
        return f"{channel}:client:{api_client.pk}"
    return f"{channel}:{(source or '')[:40]}"


def complaint_lodge(
    *,
    channel: str,
    category: str,
    text: str,
    phone: str = "",
    centre=None,
    service=None,
    ticket=None,
    mda=None,
    anonymous: bool = False,
    secret_phrase: str = "",
    names_staff: bool = False,
    actor=None,
    idempotency_key: str | None = None,
    source: str | None = None,
    api_client=None,
    location: dict | None = None,
    reporter: dict | None = None,
    language: str = "sw",
    sms_step: str = "",
) -> Complaint:
    """Record a complaint, acknowledge it by SMS and route it; returns the Complaint.

    - `channel`: a models.Channel value (web, sms, centre, contact_centre, social_media,
      low_rating, open311); `category`: a models.Category value.
    - `text`: what happened, at most 2,000 characters.
    - `phone`: the complainant's mobile (any common Kenyan form; stored in E.164). Required
      unless `anonymous` or the channel has none to give (contact centre, social media, low
      rating, Open311).
    - `anonymous`: only for bribery and maladministration; needs a `secret_phrase` (at least 8
      characters, stored hashed) with which the reporter follows the complaint.
    - `centre`, `service`, `mda`, `ticket`: what the complaint is about (the centre and service
      default to the ticket's, the MDA to the service's). `names_staff`: the report accuses a member of the centre's staff.
    - `actor`: the staff member who entered it (None for the citizen).
    - `idempotency_key`: the same key from the same sender (actor, Open311 client, or channel
      and `source`) returns the same complaint; with a different request it is a Conflict (409).
    - `source`: where it came from, e.g. "rating:<id>" for a low rating.
    - `api_client`, `location`: the Open311 client that filed it, and where it placed it;
      `reporter`: the submitter's details it sent (never published).
    - `sms_step`: an SMS complaint still waiting for its category and centre.
    The same text from the same phone within 10 minutes returns the first complaint (merged,
    with a "sent again" event) instead of a new one. Raises DomainError naming the field.
    """
    if category not in Category.values:
        raise DomainError(_("Choose what the complaint is about"), field="category")
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel"), field="channel")
    text = _clean_text(text, channel)
    phone = _reply_phone(channel, category, phone, anonymous, secret_phrase)
    key = idempotency.key_checked((idempotency_key or "").strip() or None) or ""
    if ticket is not None:  # a low rating: the complaint is about that ticket's centre and service
        centre = centre or ticket.centre
        service = service or ticket.service
    if service is not None and mda is None:
        mda = service.mda
    if language not in ("en", "sw"):
        language = "sw"
    scope = _scope(channel, actor, api_client, source) if key else ""
    request_hash = _request_hash(
        channel, category, text, phone, centre, service, mda, ticket, anonymous, names_staff
    )
    # A blank description (Open311) is "the same complaint" only about the same thing.
    text_hash = _text_hash(text or f"{category}:{getattr(centre, 'pk', '')}")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                again = _lodged_already(
                    scope=scope,
                    key=key,
                    request_hash=request_hash,
                    phone=phone,
                    text_hash=text_hash,
                    actor=actor,
                )
                if again is not None:
                    return again
                return _create(
                    channel=channel,
                    category=category,
                    text=text,
                    text_hash=text_hash,
                    phone=phone,
                    centre=centre,
                    service=service,
                    mda=mda,
                    ticket=ticket,
                    anonymous=anonymous,
                    secret_phrase=secret_phrase,
                    names_staff=names_staff,
                    actor=actor,
                    scope=scope,
                    key=key,
                    request_hash=request_hash,
                    source=source or "",
                    api_client=api_client,
                    language=language,
                    location=location or {},
                    reporter=reporter or {},
                    sms_step=sms_step,
                )
        except IntegrityError:
            # Another request with this key committed first (or, once in 10^11, the same
            # reference was drawn): look again.
            continue
    raise Conflict(_("Please try again"), field="idempotency_key")


def _reply_phone(channel, category, phone, anonymous, secret_phrase) -> str:
    """The number the complainant is answered on (E.164), or "" for an anonymous report
    (followed with its secret phrase instead) or a channel with none to give."""
    if anonymous:
        if category not in MONITOR_CATEGORIES:
            raise DomainError(
                _("Only reports of corruption or maladministration can be anonymous"),
                field="anonymous",
            )
        if len((secret_phrase or "").strip()) < SECRET_PHRASE_MIN:
            raise DomainError(
                _("Choose a secret phrase of at least %(min)s characters")
                % {"min": SECRET_PHRASE_MIN},
                field="secret_phrase",
            )
        return ""
    if phone:
        return normalise_phone(phone)  # InvalidPhoneNumber: a 400 naming the phone
    if channel not in NO_PHONE_CHANNELS:
        raise DomainError(_("Enter a mobile number so that we can reply"), field="phone")
    return ""


def _request_hash(
    channel, category, text, phone, centre, service, mda, ticket, anonymous, names_staff
) -> str:
    """What was asked, stored beside an Idempotency-Key (core.idempotency.replay_check)."""
    return _sha(
        json.dumps(
            [
                channel,
                category,
                text,
                phone,
                getattr(centre, "pk", None),
                getattr(service, "pk", None),
                getattr(mda, "pk", None),
                getattr(ticket, "pk", None) and str(ticket.pk),
                anonymous,
                names_staff,
            ],
            default=str,
        )
    )


def _lodged_already(*, scope, key, request_hash, phone, text_hash, actor) -> Complaint | None:
    """The same complaint again, if it is: the one this Idempotency-Key made (the same key
    asking otherwise is a 409), or the same text from the same phone within the window (a
    "sent again" event on the first). Call it in the transaction that would create it."""
    if key:
        lock_names(f"complaints.key:{scope}:{key}")
        existing = Complaint.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
        if existing is not None:
            idempotency.replay_check(existing.request_hash, request_hash)
            return existing
    if phone:
        # Locked per phone, so two identical submissions at once cannot both miss each other
        # (the check and the insert are one step for this phone).
        lock_names(f"complaints.phone:{phone}")
        duplicate = (
            Complaint.objects.filter(
                phone=phone,
                text_hash=text_hash,
                created_at__gte=clock.now() - DUPLICATE_WINDOW,
            )
            .order_by("created_at")
            .first()
        )
        if duplicate is not None:
            _event(duplicate, ComplaintEvent.Kind.SENT_AGAIN, actor=actor)
            return duplicate
    return None


def _create(*, secret_phrase, actor, scope, key, text_hash, **fields) -> Complaint:
    now = clock.now()
    complaint = Complaint(
        reference=_new_reference(),
        text_hash=text_hash,
        secret_hash=make_password(secret_phrase.strip()) if fields["anonymous"] else "",
        created_by=actor if actor is not None and getattr(actor, "pk", None) else None,
        idempotency_scope=scope,
        idempotency_key=key,
        status=Status.ACKNOWLEDGED,
        created_at=now,
        updated_at=now,
        **fields,
    )
    complaint.level = _levels(complaint)[0]
    complaint.due_at = due_at_level(complaint.level, now)
    complaint.save(force_insert=True)
    _event(
        complaint,
        ComplaintEvent.Kind.RECEIVED,
        actor=actor,
        at=now,
        note=Channel(complaint.channel).label,
    )
    _event(complaint, ComplaintEvent.Kind.ACKNOWLEDGED, actor=actor, at=now)
    if complaint.sms_step == SmsStep.CATEGORY:
        # The acknowledgement asks the first question; "received, with ..." follows the answers.
        _tell(complaint, "complaint_sms_ask_category")
    else:
        _tell(complaint, "complaint_received")
    return complaint


def complaints_from_kit(ids: list) -> None:
    """Complaints a field kit's batch has just stored: the citizen's SMS with the reference and
    the server's own tracking address is sent here (a kit's own text is never sent)."""
    for complaint in Complaint.objects.filter(pk__in=ids):
        # The server routes it, whatever the kit wrote: a report naming staff or of corruption
        # never lands with the centre, and every complaint has an owner and a deadline.
        level = _levels(complaint)[0]
        if complaint.status == Status.ACKNOWLEDGED and (
            complaint.level != level or complaint.due_at is None
        ):
            complaint.level = level
            complaint.due_at = due_at_level(level, complaint.created_at)
            _save(complaint, "level", "due_at")
        _tell(complaint, "complaint_received")


# --- staff steps --------------------------------------------------------------------------


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _expect(complaint: Complaint, *statuses: str) -> None:
    if complaint.status not in statuses:
        raise WrongStep(
            _("This complaint is %(status)s; that step is not possible now")
            % {"status": complaint.get_status_display()},
            field="status",
        )


def _require_holder(actor, complaint: Complaint) -> None:
    if not can_act(actor, complaint):
        raise Forbidden(_("This complaint is not yours to act on"))


def _save(complaint: Complaint, *fields: str) -> None:
    complaint.updated_at = clock.now()
    complaint.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def complaint_take(*, complaint: Complaint, actor) -> Complaint:
    """The holder of the level takes the complaint (assigned to them)."""
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, Status.ACKNOWLEDGED, Status.REOPENED)
    complaint.status = Status.ASSIGNED
    complaint.assigned_to = actor
    _save(complaint, "status", "assigned_to")
    _event(complaint, ComplaintEvent.Kind.ASSIGNED, actor=actor, note=actor.get_full_name())
    _tell(complaint, "complaint_assigned")
    return complaint


@transaction.atomic
def complaint_start(*, complaint: Complaint, actor) -> Complaint:
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, Status.ASSIGNED)
    complaint.status = Status.IN_PROGRESS
    _save(complaint, "status")
    _event(complaint, ComplaintEvent.Kind.IN_PROGRESS, actor=actor)
    _tell(complaint, "complaint_in_progress")
    return complaint


@transaction.atomic
def complaint_resolve(
    *,
    complaint: Complaint,
    actor,
    resolution: str,
    public_note: str = "",
    send_as_written: bool = True,
) -> Complaint:
    """Record what was done. The citizen then confirms (and rates) or reopens; without an
    answer the complaint closes by itself after COMPLAINT_AUTO_CLOSE_DAYS.

    `resolution` is for the complainant alone (their page and SMS: it may name staff and the
    citizen, so it is never published); `public_note` is what the public may read (Open311
    status_notes), written for that purpose, optional. The complainant reads it in their own
    language: a resolution plainly written in the other one is refused unless the officer
    chose to send it as written (`send_as_written`; the staff page asks, other callers say so)."""
    public_note = (public_note or "").strip()
    if len(public_note) > PUBLIC_NOTE_MAX_LENGTH or "\x00" in public_note:
        raise DomainError(
            _("Write the public note in %(max)s characters or fewer")
            % {"max": PUBLIC_NOTE_MAX_LENGTH},
            field="public_note",
        )
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_("Say what was done to resolve the complaint"), field="resolution")
    if len(resolution) > 1000 or "\x00" in resolution:
        raise DomainError(
            _("Write the resolution in 1,000 characters or fewer"), field="resolution"
        )
    if not send_as_written and written_in(resolution) not in (None, complaint.language):
        raise DomainError(
            _(
                "The complainant reads Kiswahili: write what was done in Kiswahili (it is sent "
                "to them by SMS), or tick 'Send it as written'"
            )
            if complaint.language == "sw"
            else _(
                "The complainant reads English: write what was done in English (it is sent "
                "to them by SMS), or tick 'Send it as written'"
            ),
            field="resolution",
        )
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, Status.ASSIGNED, Status.IN_PROGRESS)
    now = clock.now()
    complaint.status = Status.RESOLVED
    complaint.resolution = resolution
    complaint.public_note = public_note
    complaint.resolved_at = now
    complaint.due_at = now + dt.timedelta(days=settings.COMPLAINT_AUTO_CLOSE_DAYS)
    complaint.overdue_since = None
    _save(
        complaint, "status", "resolution", "public_note", "resolved_at", "due_at", "overdue_since"
    )
    _event(complaint, ComplaintEvent.Kind.RESOLVED, actor=actor, note=resolution, at=now)
    short = shorten(resolution, 70)  # cut between words, never mid-word
    _tell(complaint, "complaint_resolved", resolution=short)
    return complaint


def _move_up(complaint: Complaint, level: str, *, start: dt.datetime) -> None:
    complaint.level = level
    complaint.status = Status.ACKNOWLEDGED
    complaint.assigned_to = None
    complaint.due_at = due_at_level(level, start)
    complaint.overdue_since = None


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, actor, note: str = "") -> Complaint:
    """The holder passes on a matter they cannot address (the Centre Manager to the MDA, the
    MDA to the Secretariat)."""
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, *ACTIONABLE)
    level = _next_level(complaint, complaint.level)
    if level is None:
        raise WrongStep(_("There is no higher level for this complaint"), field="level")
    _move_up(complaint, level, start=clock.now())
    _save(complaint, "level", "status", "assigned_to", "due_at", "overdue_since")
    _event(complaint, ComplaintEvent.Kind.ESCALATED, actor=actor, note=note[:1000])
    _tell(complaint, "complaint_escalated")
    return complaint


# --- the citizen's steps ------------------------------------------------------------------


# Wrong reference + phone/phrase tries per reference, whatever the address, per window: enough
# for a citizen mistyping, far too few to guess a phrase.
TRACK_WRONG_TRIES = 5
TRACK_WINDOW_S = 3600


def complaint_for_citizen(*, reference: str, proof: str) -> Complaint:
    """The complaint with this reference, if `proof` is its phone number or secret phrase.

    One message for every failure, so the answer never tells whether a reference exists."""
    refused = NotFound(
        _("No complaint matches that reference and phone number or secret phrase"),
        field="reference",
    )
    reference = normalise_reference(reference)
    # Wrong tries are counted per reference, whatever the address they come from: a guesser
    # spreading a phrase list over many addresses is stopped after a few (throttle.py).
    target_check("complaint", reference, limit=TRACK_WRONG_TRIES)
    complaint = Complaint.objects.filter(reference=reference).first()
    proof = (proof or "").strip()
    if complaint is not None and proof and len(proof) <= 200:
        if complaint.phone:
            try:
                if secrets.compare_digest(normalise_phone(proof), complaint.phone):
                    return complaint
            except InvalidPhoneNumber:
                pass
        if complaint.secret_hash and check_password(proof, complaint.secret_hash):
            return complaint
    target_missed("complaint", reference, window_s=TRACK_WINDOW_S)
    raise refused


@transaction.atomic
def complaint_confirm(*, complaint: Complaint, rating: int) -> Complaint:
    """The citizen rates the resolution (1-5). A good rating closes the complaint; a poor one
    (1 or 2) opens an appeal to the next level instead."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise DomainError(_("Choose a rating from 1 to 5"), field="rating")
    complaint = _locked(complaint)
    _expect(complaint, Status.RESOLVED)
    now = clock.now()
    complaint.resolution_rating = rating
    if rating <= POOR_RATING:
        level = _next_level(complaint, complaint.level) or complaint.level
        _move_up(complaint, level, start=now)
        _save(
            complaint,
            "resolution_rating",
            "level",
            "status",
            "assigned_to",
            "due_at",
            "overdue_since",
        )
        _event(complaint, ComplaintEvent.Kind.APPEALED, note=f"rating {rating}/5", at=now)
        _tell(complaint, "complaint_appealed")
        return complaint
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.due_at = None
    _save(complaint, "resolution_rating", "status", "closed_at", "due_at")
    _event(complaint, ComplaintEvent.Kind.CLOSED, note=f"rating {rating}/5", at=now)
    _tell(complaint, "complaint_closed")
    return complaint


def can_reopen(complaint: Complaint, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    if complaint.status == Status.RESOLVED:
        return True
    return (
        complaint.status == Status.CLOSED
        and complaint.closed_at is not None
        and now - complaint.closed_at <= dt.timedelta(days=settings.COMPLAINT_REOPEN_DAYS)
    )


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, note: str = "") -> Complaint:
    """The citizen says it is not resolved: back to the same level, with a new due date."""
    complaint = _locked(complaint)
    now = clock.now()
    if not can_reopen(complaint, now):
        raise WrongStep(
            _("This complaint can no longer be reopened; please lodge a new one"), field="status"
        )
    complaint.status = Status.REOPENED
    complaint.closed_at = None
    complaint.resolution_rating = None
    complaint.due_at = due_at_level(complaint.level, now)
    complaint.overdue_since = None
    _save(complaint, "status", "closed_at", "resolution_rating", "due_at", "overdue_since")
    _event(complaint, ComplaintEvent.Kind.REOPENED, note=(note or "")[:1000], at=now)
    _tell(complaint, "complaint_reopened")
    return complaint


# --- the periodic sweep -------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    escalated: int
    closed: int
    flagged: int = 0


SWEEP_FIELDS = [
    "level", "status", "assigned_to", "due_at", "closed_at", "overdue_since", "updated_at"
]  # fmt: skip


_SWEPT_PG = """
    UPDATE complaints_complaint AS c
    SET level = v.level, status = v.status, assigned_to_id = v.assigned_to_id,
        due_at = v.due_at, closed_at = v.closed_at, overdue_since = v.overdue_since,
        updated_at = v.updated_at
    FROM unnest(%s::uuid[], %s::varchar[], %s::varchar[], %s::bigint[], %s::timestamptz[],
                %s::timestamptz[], %s::timestamptz[], %s::timestamptz[])
         AS v(id, level, status, assigned_to_id, due_at, closed_at, overdue_since, updated_at)
    WHERE c.id = v.id
"""
_SWEPT_ROW = """
    UPDATE complaints_complaint
    SET level = %s, status = %s, assigned_to_id = %s, due_at = %s, closed_at = %s,
        overdue_since = %s, updated_at = %s
    WHERE id = %s
"""


def _update_swept(rows: list[Complaint]) -> None:
    """Write the swept rows back in one statement on PostgreSQL (bulk_update's CASE per column
    cost seconds at 1,000 rows); SQLite runs one small UPDATE per row, in process."""
    if not rows:
        return
    fields = [Complaint._meta.get_field(name) for name in SWEEP_FIELDS]
    columns = [
        [field.get_db_prep_value(getattr(row, field.attname), connection) for row in rows]
        for field in fields
    ]
    pk = Complaint._meta.pk
    ids = [pk.get_db_prep_value(row.pk, connection) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_SWEPT_PG, [ids, *columns])
        else:
            rows_params = [[*values, id_] for *values, id_ in zip(*columns, ids, strict=True)]
            cursor.executemany(_SWEPT_ROW, rows_params)


def complaints_sweep(*, now: dt.datetime | None = None, batch_size: int = 2000) -> SweepResult:
    """Escalate every complaint whose due date has passed, close resolved ones left unanswered.

    Driven by the stored due dates, not by timers: after downtime, a complaint that fell due at
    the centre and then again at the MDA meanwhile goes straight to the Secretariat, each step
    recorded at the moment it fell due. Rows are claimed with FOR UPDATE SKIP LOCKED on
    PostgreSQL, so two sweeps (or a sweep and a staff action) never handle one complaint twice.
    """
    now = now or clock.now()
    escalated = closed = flagged = 0
    while True:
        with transaction.atomic():
            due = Complaint.objects.filter(due_at__lte=now).order_by("due_at")
            if connection.vendor == "postgresql":
                due = due.select_for_update(skip_locked=True, of=("self",))
            rows = list(due[:batch_size])
            events: list[ComplaintEvent] = []
            told: list[tuple[Complaint, str]] = []
            for complaint in rows:
                complaint.updated_at = now
                if complaint.status == Status.RESOLVED:
                    complaint.status = Status.CLOSED
                    complaint.closed_at = now
                    complaint.due_at = None
                    events.append(
                        _event(
                            complaint,
                            ComplaintEvent.Kind.CLOSED,
                            at=now,
                            note=_("closed without an answer"),
                            save=False,
                        )
                    )
                    told.append((complaint, "complaint_closed"))
                    closed += 1
                elif complaint.status in ACTIONABLE:
                    moved = False
                    while complaint.due_at is not None and complaint.due_at <= now:
                        fell_due = complaint.due_at
                        level = _next_level(complaint, complaint.level)
                        if level is None:
                            # The top let its deadline pass: flagged, shown as overdue.
                            complaint.due_at = None
                            complaint.overdue_since = fell_due
                            events.append(
                                _event(
                                    complaint,
                                    ComplaintEvent.Kind.OVERDUE,
                                    at=fell_due,
                                    note=_("not acted on in time"),
                                    save=False,
                                )
                            )
                            flagged += 1
                            break
                        _move_up(complaint, level, start=fell_due)
                        events.append(
                            _event(
                                complaint,
                                ComplaintEvent.Kind.ESCALATED,
                                at=fell_due,
                                note=_("not acted on in time"),
                                save=False,
                            )
                        )
                        moved = True
                    if moved:
                        told.append((complaint, "complaint_escalated"))
                        escalated += 1
                else:
                    complaint.due_at = None
            _update_swept(rows)
            ComplaintEvent.objects.bulk_create(events, batch_size=1000)
            url = track_url()
            sms_send_many([_sms(c, template, url) for c, template in told if c.phone])
        if len(rows) < batch_size:
            break
    return SweepResult(escalated=escalated, closed=closed, flagged=flagged)


# --- SMS keyword and its short dialogue --------------------------------------------------

# The order of the category menu sent by SMS ("Reply 1 ... 6").
SMS_CATEGORY_MENU = [
    Category.SERVICE_QUALITY,
    Category.DELAY,
    Category.BRIBERY,
    Category.DISCRIMINATION,
    Category.MALADMINISTRATION,
    Category.OTHER,
]
# How long an SMS complaint waits for its answers; after that a reply is not taken as one.
SMS_DIALOGUE_WINDOW = dt.timedelta(hours=24)
SMS_NO_CENTRE = {"0", "NONE", "HAKUNA"}


@transaction.atomic
def complaint_classify(
    *,
    complaint: Complaint,
    category: str | None = None,
    centre=None,
    no_centre: bool = False,
    names_staff: bool | None = None,
) -> Complaint:
    """Give a complaint received without them (by SMS) its category, whether it names staff,
    or its centre, and route it again while nobody has taken it: a bribery report then reaches
    the monitors, one naming staff stays away from the centre."""
    complaint = _locked(complaint)
    notes = []
    if names_staff is not None:
        complaint.names_staff = names_staff
        if names_staff:
            notes.append(_("names a member of staff"))
    if category is not None:
        if category not in Category.values:
            raise DomainError(_("Choose what the complaint is about"), field="category")
        complaint.category = category
        notes.append(str(Category(category).label))
    if centre is not None:
        complaint.centre = centre
        notes.append(centre.name)
    elif no_centre:
        notes.append(_("not about one centre"))
    fields = ["category", "centre", "names_staff"]
    if complaint.status == Status.ACKNOWLEDGED:
        level = _levels(complaint)[0]
        if level != complaint.level:
            complaint.level = level
            complaint.due_at = due_at_level(level, clock.now())
            fields += ["level", "due_at"]
    _save(complaint, *fields)
    _event(complaint, ComplaintEvent.Kind.CLASSIFIED, note="; ".join(notes))
    return complaint


def _sms_dialogue(phone: str) -> Complaint | None:
    """The SMS complaint from this phone still waiting for an answer, if any."""
    return (
        Complaint.objects.filter(
            phone=phone,
            channel=Channel.SMS,
            created_at__gte=clock.now() - SMS_DIALOGUE_WINDOW,
        )
        .exclude(sms_step=SmsStep.NONE)
        .order_by("-created_at")
        .first()
    )


def _sms_centre(answer: str):
    """The one open centre an SMS answer names ("GPO", "kisumu", "Huduma Centre Kisumu")."""
    answer = " ".join(answer.split())[:80]
    if len(answer) < 3:
        return None
    exact = list(Centre.objects.filter(Q(code__iexact=answer) | Q(name__iexact=answer))[:2])
    if len(exact) == 1:
        return exact[0]
    matches = list(
        Centre.objects.filter(
            Q(code__istartswith=answer) | Q(name__icontains=answer),
            status=Centre.Status.OPEN,
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


def _sms_answer(complaint: Complaint, answer: str) -> str | None:
    """Take `answer` as the reply to the question asked; a wrong short reply gets the question
    again, a longer SMS that is no answer is left to the other keywords (JOIN GPO ...)."""
    ask = {"reference": complaint.reference}
    short = len(answer.split()) <= 2
    if complaint.sms_step == SmsStep.CATEGORY:
        choice = answer.strip().rstrip(".")
        if not (choice.isdigit() and 1 <= int(choice) <= len(SMS_CATEGORY_MENU)):
            if not short:
                return None
            _sms_to(complaint, "complaint_sms_ask_category", ask)
            return f"complaint {complaint.reference}: asked the category again"
        complaint = complaint_classify(
            complaint=complaint, category=SMS_CATEGORY_MENU[int(choice) - 1]
        )
        # Corruption and maladministration are the monitors' whoever they name; any other
        # complaint is asked whether it names staff before the centre is known, so it never
        # sits with that centre's manager while the answer is awaited.
        if complaint.category in MONITOR_CATEGORIES:
            complaint.sms_step = SmsStep.CENTRE
            template = "complaint_sms_ask_centre"
        else:
            complaint.sms_step = SmsStep.STAFF
            template = "complaint_sms_ask_staff"
        _save(complaint, "sms_step")
        _sms_to(complaint, template, ask)
        return f"complaint {complaint.reference}: category {complaint.category}"
    if complaint.sms_step == SmsStep.STAFF:
        choice = answer.strip().rstrip(".")
        if choice not in ("1", "2"):
            if not short:
                return None
            _sms_to(complaint, "complaint_sms_ask_staff", ask)
            return f"complaint {complaint.reference}: asked about staff again"
        complaint = complaint_classify(complaint=complaint, names_staff=choice == "1")
        complaint.sms_step = SmsStep.CENTRE
        _save(complaint, "sms_step")
        _sms_to(complaint, "complaint_sms_ask_centre", ask)
        return f"complaint {complaint.reference}: names staff {complaint.names_staff}"
    centre = None
    if answer.strip().upper() not in SMS_NO_CENTRE:
        centre = _sms_centre(answer)
        if centre is None:
            if not short:
                return None
            _sms_to(complaint, "complaint_sms_ask_centre", ask)
            return f"complaint {complaint.reference}: asked the centre again"
    complaint = complaint_classify(complaint=complaint, centre=centre, no_centre=centre is None)
    complaint.sms_step = SmsStep.NONE
    _save(complaint, "sms_step")
    _tell(complaint, "complaint_received")
    return f"complaint {complaint.reference}: with {complaint.level}"


def _sms_to(complaint: Complaint, template: str, context: dict) -> None:
    sms_send(to=complaint.phone, template=template, context=context, language=complaint.language)


def complaint_from_sms(*, phone: str, text: str) -> str | None:
    """ "COMPLAINT <what happened>" or "MALALAMIKO <...>" by SMS, then two short questions:
    what it is about (a number from a menu) and which centre. The complaint is recorded at
    once, with the Secretariat and a deadline; each answer routes it again (a bribery report
    goes to the monitors). Without answers it stays with the Secretariat.

    None if the SMS is neither a complaint nor an answer we wait for (the caller then tries
    its other keywords); else what was done, for the log."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return None
    if words[0].upper() not in SMS_KEYWORDS:
        try:
            waiting = _sms_dialogue(normalise_phone(phone))
        except InvalidPhoneNumber:
            return None
        return None if waiting is None else _sms_answer(waiting, text)
    language = SMS_KEYWORDS[words[0].upper()]
    body = words[1].strip() if len(words) > 1 else ""
    try:
        if body:
            complaint = complaint_lodge(
                channel=Channel.SMS,
                category=Category.OTHER,
                text=body[:TEXT_MAX_LENGTH],
                phone=phone,
                language=language,
                sms_step=SmsStep.CATEGORY,
            )
            return f"complaint {complaint.reference}"
        sms_send(
            to=phone, template="complaint_sms_help", context={"url": track_url()}, language=language
        )
    except (DomainError, InvalidPhoneNumber):
        return "ignored: bad sender number or text"
    return "sent complaint instructions"


# --- Open311 API keys ---------------------------------------------------------------------


def _key_hash(key: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return _sha(key)


def new_api_key() -> tuple[str, str, str]:
    """(key, prefix shown in the admin, hash stored)."""
    key = "o311_" + secrets.token_urlsafe(32)
    return key, key[5:13], _key_hash(key)


def api_client_create(*, name: str) -> tuple[ApiClient, str]:
    """A new Open311 client and its key. Only the hash is stored: show the key once."""
    key, prefix, digest = new_api_key()
    client = ApiClient.objects.create(name=name, key_prefix=prefix, key_hash=digest)
    return client, key


def api_client_rekey(*, client: ApiClient) -> str:
    key, prefix, digest = new_api_key()
    client.key_prefix, client.key_hash, client.revoked_at = prefix, digest, None
    client.save(update_fields=["key_prefix", "key_hash", "revoked_at"])
    return key


def api_client_for_key(key: str) -> ApiClient | None:
    """The active client holding this key, or None (unknown or revoked)."""
    if not key or len(key) > 200:
        return None
    return ApiClient.objects.filter(key_hash=_key_hash(key), revoked_at__isnull=True).first()


def open311_demo_key() -> str:
    """A fresh key for the demo's Open311 client (created on first use). Demo only."""
    client = ApiClient.objects.filter(name="Demo civic app").first()
    if client is None:
        return api_client_create(name="Demo civic app")[1]
    return api_client_rekey(client=client)


def open311_demo_lines() -> list[str]:
    """The demo's Open311 line (`load_demo`): a fresh key on every run (only its hash is
    stored, so the old one cannot be shown)."""
    return [f"Open311 API key: {open311_demo_key()}"]


# --- holiday list changes -------------------------------------------------------------------

# The events that start a level's clock: its due time is counted in working hours from there.
LEVEL_STARTS = (
    ComplaintEvent.Kind.RECEIVED,
    ComplaintEvent.Kind.ESCALATED,
    ComplaintEvent.Kind.APPEALED,
    ComplaintEvent.Kind.REOPENED,
)


def complaints_due_recompute() -> int:
    """After the holiday list changed: every complaint waiting on a level gets that level's due
    time again, counted from when it reached the level. Returns how many moved."""
    moved = 0
    waiting = Complaint.objects.filter(status__in=ACTIONABLE, due_at__isnull=False)
    for pk in waiting.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().filter(pk=pk).first()
            if complaint is None or complaint.status not in ACTIONABLE or complaint.due_at is None:
                continue
            start = (
                complaint.events.filter(kind__in=LEVEL_STARTS)
                .order_by("-at", "-pk")
                .values_list("at", flat=True)
                .first()
            ) or complaint.created_at
            due = due_at_level(complaint.level, start)
            if due is not None and due != complaint.due_at:
                Complaint.objects.filter(pk=pk).update(due_at=due)
                moved += 1
    return moved

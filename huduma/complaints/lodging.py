"""Lodging a complaint, from any channel (web, kiosk, SMS, USSD, Open311, a field kit): the
text checked, the reply phone or secret phrase, the same complaint sent again found (by its
Idempotency-Key, or the same text from the same phone within minutes) under a named lock, the
first level and its due time, the acknowledgement SMS."""

import datetime as dt
import json

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.complaints.ladder import _levels, due_at_level
from huduma.complaints.models import (
    MONITOR_CATEGORIES,
    NO_PHONE_CHANNELS,
    OPEN311_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    SmsStep,
    Status,
)
from huduma.complaints.records import _event, _new_reference, _save, _sha, _tell, _text_hash
from huduma.core import clock, idempotency
from huduma.core.errors import Conflict, DomainError
from huduma.core.locks import lock_names
from huduma.core.phones import normalise_phone

# The same text from the same phone within this window is the same complaint sent twice
# (a double tap, an SMS resent by the phone), not a new one.
DUPLICATE_WINDOW = dt.timedelta(minutes=10)
SECRET_PHRASE_MIN = 8


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

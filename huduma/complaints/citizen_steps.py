"""What the citizen does with their complaint: find it (reference and phone or secret phrase,
wrong tries counted per reference), confirm and rate the resolution (a poor rating is an
appeal to the next level), or reopen it."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils.translation import gettext as _

from huduma.complaints.ladder import _move_up, _next_level, due_at_level
from huduma.complaints.models import (
    Complaint,
    ComplaintEvent,
    Status,
)
from huduma.complaints.records import (
    WrongStep,
    _event,
    _expect,
    _locked,
    _save,
    _tell,
    normalise_reference,
)
from huduma.core import clock
from huduma.core.errors import DomainError, NotFound
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.core.throttle import target_check, target_missed

# A resolution rated 1 or 2 (of 5) is not accepted: it goes on appeal to the next level.
POOR_RATING = 2


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

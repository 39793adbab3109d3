"""What every step on a complaint shares: its reference, the row lock and the status check a
step takes, the ComplaintEvent it writes and the citizen's SMS (an outbox row written in the
step's transaction; the worker only delivers it)."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from huduma.complaints.models import (
    Complaint,
    ComplaintEvent,
    Level,
)
from huduma.complaints.permissions import can_act
from huduma.core import clock
from huduma.core.errors import Conflict, Forbidden
from huduma.core.phones import InvalidPhoneNumber
from huduma.notify.services import sms_send

# No 0/O or 1/I/L: a reference is read aloud over the phone. 31^8 = 8.5e11 references.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


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

"""Making a complaint, reporting a bribe (anonymously, with a secret phrase) and following one."""

from django.utils.translation import gettext as _

from huduma.channels.ussd.flow import Ctx, Done, Go, Outcome
from huduma.channels.ussd.journeys.answers import (
    MAX_INPUT,
    _pick,
    _refused,
    _wrong,
)
from huduma.channels.ussd.screens import View
from huduma.complaints.models import Category, Channel, Complaint, Level
from huduma.complaints.services import complaint_for_citizen, complaint_lodge
from huduma.core.errors import DomainError

# --- complaints -----------------------------------------------------------------------------

CATEGORIES = (
    Category.SERVICE_QUALITY,
    Category.DELAY,
    Category.DISCRIMINATION,
    Category.MALADMINISTRATION,
    Category.OTHER,
)


def complaint_category_show(ctx: Ctx) -> View:
    labels = {
        Category.SERVICE_QUALITY: _("Poor service"),
        Category.DELAY: _("Delay"),
        Category.DISCRIMINATION: _("Discrimination"),
        Category.MALADMINISTRATION: _("Maladministration"),
        Category.OTHER: _("Something else"),
    }
    return View(_("What is it about?"), tuple(labels[c] for c in CATEGORIES))


def complaint_category_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(CATEGORIES))
    return _wrong() if i is None else Go("complaint_text", {"category": CATEGORIES[i].value})


def complaint_text_take(ctx: Ctx, answer: str) -> Outcome:
    if ctx.data.get("anonymous"):
        return Go("complaint_phrase", {"text": answer[:MAX_INPUT]})
    try:
        complaint = complaint_lodge(
            channel=Channel.USSD,
            category=ctx.data["category"],
            text=answer[:MAX_INPUT],
            phone=ctx.phone,
            language=ctx.language,
            idempotency_key=ctx.key,
            source=f"ussd:{ctx.phone}",
        )
    except DomainError as exc:
        return _refused(exc)
    return Done(
        _("Complaint %(reference)s received. We sent you an SMS; we will text you each step.")
        % {"reference": complaint.reference}
    )


def bribe_who_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, 2)
    if i is None:
        return _wrong()
    return Go("complaint_text", {"category": Category.BRIBERY.value, "anonymous": i == 1})


def complaint_phrase_take(ctx: Ctx, answer: str) -> Outcome:
    # The phrase is the last answer of the journey, so it is never kept in the session.
    try:
        complaint = complaint_lodge(
            channel=Channel.USSD,
            category=Category.BRIBERY,
            text=ctx.data["text"],
            anonymous=True,
            secret_phrase=answer[:MAX_INPUT],
            language=ctx.language,
            idempotency_key=ctx.key,
            source="ussd",
        )
    except DomainError as exc:
        return _refused(exc)
    ctx.forget_phone = True
    # No SMS: a message to this phone would tie it to the report.
    return Done(
        _("Report %(reference)s received. Keep the reference and your phrase to follow it.")
        % {"reference": complaint.reference}
    )


def track_ref_take(ctx: Ctx, answer: str) -> Outcome:
    if not answer.strip():
        return _wrong()
    return Go("track_how", {"reference": answer.strip()[:30]})


def _complaint_status(complaint: Complaint) -> Done:
    return Done(
        _("%(reference)s: %(status)s. It is with %(handler)s.")
        % {
            "reference": complaint.reference,
            "status": complaint.get_status_display(),
            "handler": Level(complaint.level).label,
        }
    )


def track_how_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, 2)
    if i is None:
        return _wrong()
    if i == 1:
        return Go("track_phrase")
    try:
        complaint = complaint_for_citizen(reference=ctx.data["reference"], proof=ctx.phone)
    except DomainError as exc:
        return _refused(exc)
    return _complaint_status(complaint)


def track_phrase_take(ctx: Ctx, answer: str) -> Outcome:
    try:
        complaint = complaint_for_citizen(reference=ctx.data["reference"], proof=answer[:200])
    except DomainError as exc:
        return _refused(exc)
    ctx.forget_phone = True  # an anonymous report's phrase: forget who asked
    return _complaint_status(complaint)

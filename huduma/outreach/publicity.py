"""Publicity of an outreach: the SMS announcement to those who opted in, opting in and out
(also by SMS keyword), and citizens' suggestions."""

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.core import audit, clock
from huduma.core.errors import Conflict
from huduma.core.i18n import localized
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.notify.services import sms_send, sms_send_many
from huduma.outreach.plan_base import (
    TEXT_MAX,
    OutreachError,
    Status,
    clean_text,
    lock_outreach,
    outreach_dates,
)
from huduma.outreach.plan_models import (
    Announcement,
    OptIn,
    Outreach,
    Suggestion,
)
from huduma.places.models import SubCounty

# --- publicity ----------------------------------------------------------------------------


def announcement_context(outreach: Outreach, language: str) -> dict:
    dates = outreach_dates(outreach)
    services = ", ".join(
        localized(row.service, "name", language)
        for row in outreach.services.select_related("service").order_by("service__name_en")
    )
    return {
        "dates": " & ".join(day.strftime("%d/%m/%Y") for day in dates),
        "hours": f"{outreach.opens_at:%H:%M}-{outreach.closes_at:%H:%M}",
        "venue": f"{outreach.venue_name}, {outreach.venue_ward}",
        "services": services[:200],
    }


def outreach_announce(*, outreach: Outreach, actor) -> Announcement:
    """Text everyone who opted in for the sub-county, once. The announcement row is unique per
    outreach and written with the messages in one transaction: a second call (or a double
    click) finds the row and sends nothing."""
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        existing = Announcement.objects.filter(outreach=outreach).first()
        if existing is not None:
            return existing
        if outreach.status != Status.AGREED:
            raise Conflict(
                _("Agree the venue and dates with the local administration before announcing."),
                field="status",
            )
        subscribers = OptIn.objects.filter(
            sub_county=outreach.sub_county, opted_out_at__isnull=True
        ).order_by("pk")
        contexts = {lang: announcement_context(outreach, lang) for lang in ("en", "sw")}
        messages = [
            (row.phone, "outreach_announcement", contexts[row.language], row.language)
            for row in subscribers
        ]
        sent = sms_send_many(messages)
        announcement = Announcement.objects.create(
            outreach=outreach, recipients=len(sent), announced_by=actor, announced_at=clock.now()
        )
        outreach.status = Status.ANNOUNCED
        outreach.save(update_fields=["status", "updated_at"])
        audit.record(action="outreach.announced", instance=outreach, actor=actor)
    return announcement


def opt_in(*, phone: str, sub_county: SubCounty, language: str, source: str) -> OptIn:
    """A citizen asks to hear of outreaches in their sub-county (again, if they had left)."""
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber as exc:
        raise OutreachError(str(exc), field="phone") from exc
    language = language if language in ("en", "sw") else "sw"
    with transaction.atomic():
        row, _created = OptIn.objects.update_or_create(
            phone=phone,
            sub_county=sub_county,
            defaults={
                "language": language,
                "source": source,
                "opted_in_at": clock.now(),
                "opted_out_at": None,
            },
        )
    return row


def opt_out(*, phone: str) -> int:
    return OptIn.objects.filter(phone=phone, opted_out_at__isnull=True).update(
        opted_out_at=clock.now()
    )


SMS_KEYWORD = "MASHINANI"
SMS_STOP = {"STOP", "ACHA"}


def opt_in_from_sms(*, phone: str, text: str) -> str | None:
    """ "MASHINANI <sub-county>" opts in; "MASHINANI STOP" (or ACHA) opts out of every one.
    None when the SMS is not ours."""
    words = (text or "").strip().split(maxsplit=1)
    if not words or words[0].upper() != SMS_KEYWORD:
        return None
    rest = " ".join(words[1].split()) if len(words) > 1 else ""
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber:
        return "ignored: bad sender number"
    if rest.upper() in SMS_STOP:
        opt_out(phone=phone)
        sms_send(to=phone, template="outreach_opted_out", context={}, language="sw")
        return "opted out of outreach announcements"
    matches = list(SubCounty.objects.filter(name__iexact=rest[:80]).select_related("county"))
    if len(matches) != 1:
        sms_send(to=phone, template="outreach_opt_in_help", context={}, language="sw")
        return "sent outreach opt-in instructions"
    sub_county = matches[0]
    opt_in(phone=phone, sub_county=sub_county, language="sw", source=OptIn.Source.SMS)
    sms_send(
        to=phone,
        template="outreach_opted_in",
        context={"sub_county": sub_county.name},
        language="sw",
    )
    return f"opted in to {sub_county.name}"


def suggestion_submit(*, sub_county: SubCounty, venue: str, services: str) -> Suggestion:
    venue = clean_text(venue, field="venue", max_length=120)
    services = clean_text(services, field="services", max_length=TEXT_MAX)
    if not venue and not services:
        raise OutreachError(_("Suggest a venue, a service, or both."), field="venue")
    return Suggestion.objects.create(
        sub_county=sub_county, venue=venue, services=services, created_at=clock.now()
    )

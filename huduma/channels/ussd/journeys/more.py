"""Rating the last visit, checking a receipt, Huduma Mashinani near me, the language, resuming."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huduma.accounts.services import citizen_language_set
from huduma.channels.ussd import selectors
from huduma.channels.ussd.flow import Ctx, Done, Go, Home, Outcome, Retry
from huduma.channels.ussd.journeys.answers import (
    MAX_MATCHES,
    _fee,
    _name,
    _pick,
    _sms,
    _wrong,
)
from huduma.channels.ussd.screens import View
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.feedback.services import invitation_for_phone, rating_by_phone
from huduma.ledger.services import receipt_check
from huduma.outreach.selectors import upcoming_outreaches
from huduma.places.models import SubCounty

# --- rating, receipts, outreach, language ------------------------------------------------------

SCORES = (
    (1, gettext_lazy("Very poor")),
    (2, gettext_lazy("Poor")),
    (3, gettext_lazy("Fair")),
    (4, gettext_lazy("Good")),
    (5, gettext_lazy("Very good")),
)


def rate_enter(ctx: Ctx) -> Outcome | dict:
    try:
        invitation = invitation_for_phone(ctx.phone)
    except DomainError as exc:
        return Done(exc.message)
    return {"invitation": str(invitation.pk)}


def rate_show(ctx: Ctx) -> View:
    invitation = selectors.invitation(ctx.data["invitation"])
    text = _("Rate your visit to %(centre)s (ticket %(number)s)") % {
        "centre": invitation.visit.centre.name,
        "number": invitation.visit.number,
    }
    return View(text, tuple(str(label) for _score, label in SCORES))


def rate_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(SCORES))
    if i is None:
        return _wrong()
    invitation = selectors.invitation(ctx.data["invitation"])
    try:
        rating_by_phone(
            invitation=invitation, phone=ctx.phone, score=SCORES[i][0], language=ctx.language
        )
    except DomainError as exc:
        return Done(exc.message)
    _sms(ctx, "ussd_rating_thanks", centre=invitation.visit.centre.name)
    return Done(_("Thank you. Your rating helps us serve you better."))


def receipt_take(ctx: Ctx, answer: str) -> Outcome:
    number = answer.strip()[:40]
    if not number:
        return _wrong()
    check = receipt_check(number=number)
    if check.receipt is None:
        return Done(
            _("No receipt %(number)s was issued. Do not accept it as proof of payment.")
            % {"number": number.upper()}
        )
    if selectors.payments_sandbox():
        return Done(_("This is a test installation: nothing it issues is proof of payment."))
    entry = check.receipt.entry
    values = {
        "number": check.receipt.number,
        "amount": _fee(check.receipt.amount),
        "service": _name(entry.service, ctx),
        "centre": entry.centre.name,
        "date": f"{check.receipt.paid_at.astimezone(clock.NAIROBI):%d/%m/%Y}",
    }
    if check.fully_refunded:
        return Done(_("Receipt %(number)s was refunded: it is no longer proof.") % values)
    return Done(
        _("Receipt %(number)s is genuine: %(amount)s for %(service)s at %(centre)s, %(date)s.")
        % values
    )


def outreach_q_take(ctx: Ctx, answer: str) -> Outcome:
    found = selectors.sub_counties_matching(answer[:60])[:MAX_MATCHES]
    if not found:
        return Retry(_("No sub-county matches. Type its name, e.g. Kibra."))
    return Go("outreach_pick", {"sub_counties": [s.pk for s in found]})


def _sub_counties(ids: list[int]) -> list[SubCounty]:
    by_id = SubCounty.objects.select_related("county").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def outreach_pick_show(ctx: Ctx) -> View:
    options = tuple(f"{s.name} ({s.county.name})" for s in _sub_counties(ctx.data["sub_counties"]))
    return View(_("Choose a sub-county"), options)


def outreach_pick_take(ctx: Ctx, answer: str) -> Outcome:
    found = _sub_counties(ctx.data["sub_counties"])
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    outreach = upcoming_outreaches(sub_county_id=found[i].pk).first()
    if outreach is None:
        return Done(
            _("No Huduma Mashinani is announced yet in %(place)s. Dial again next month.")
            % {"place": found[i].name}
        )
    days = " & ".join(f"{d.date:%d/%m}" for d in outreach.days.all())
    return Done(
        _("Huduma Mashinani in %(place)s: %(days)s, %(hours)s at %(venue)s.")
        % {
            "place": found[i].name,
            "days": days,
            "hours": f"{outreach.opens_at:%H:%M}-{outreach.closes_at:%H:%M}",
            "venue": f"{outreach.venue_name}, {outreach.venue_ward}",
        }
    )


def language_enter(ctx: Ctx) -> Outcome:
    language = "sw" if ctx.language == "en" else "en"
    citizen_language_set(phone=ctx.phone, language=language)
    return Home(language=language)


def resume_show(ctx: Ctx) -> View:
    return View(
        _("You were cut off. Continue where you stopped?"), (_("Continue"), _("Start again"))
    )

"""Find a service, and a Huduma Centre (by its town), then what to do there."""

from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.catalogue.selectors import ServiceFilters, service_centres, services_search
from huduma.channels.ussd import selectors
from huduma.channels.ussd.flow import Ctx, Go, Outcome, Retry
from huduma.channels.ussd.journeys.answers import (
    MAX_MATCHES,
    _fee,
    _name,
    _pick,
    _refused,
    _service,
    _wrong,
)
from huduma.channels.ussd.screens import View
from huduma.core.errors import DomainError
from huduma.core.i18n import localized
from huduma.places.models import Centre

# --- find a service ---------------------------------------------------------------------------


def find_take(ctx: Ctx, answer: str) -> Outcome:
    # The one search of the web and the kiosk (synonyms, typos, both languages).
    try:
        found = services_search(ServiceFilters(q=answer[:100]))
    except DomainError as exc:
        return _refused(exc)
    ids = [s.pk for s in found[:MAX_MATCHES]] if answer.strip() else []
    if not ids:
        return Retry(_("No service matches. Try another word, e.g. ID, NHIF, KRA."))
    return Go("find_pick", {"ids": ids})


def _services(ids: list[int]) -> list[Service]:
    by_id = Service.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def find_pick_show(ctx: Ctx) -> View:
    return View(_("Choose a service"), tuple(_name(s, ctx) for s in _services(ctx.data["ids"])))


def find_pick_take(ctx: Ctx, answer: str) -> Outcome:
    found = _services(ctx.data["ids"])
    i = _pick(answer, len(found))
    return _wrong() if i is None else Go("service_info", {"service": found[i].pk})


def service_info_show(ctx: Ctx) -> View:
    service = _service(ctx)
    requirements = "; ".join(
        localized(r, "text", ctx.language) for r in service.requirements.order_by("position")
    )
    days = service.turnaround_days or 0
    ready = _("same day") if days == 0 else _("%(n)s working days") % {"n": days}
    centres = [c for c in service_centres(service) if c.status == Centre.Status.OPEN][:3]
    where = ", ".join(c.name for c in centres) or _("Ask the contact centre")
    lines = [
        _name(service, ctx),
        _("Fee: %(fee)s") % {"fee": _fee(service.fee_kes) if service.fee_kes else _("free")},
        _("Ready: %(ready)s") % {"ready": ready},
        _("Bring: %(list)s") % {"list": requirements or _("nothing")},
        _("Where: %(centres)s") % {"centres": where},
    ]
    return View("\n".join(lines), (_("Join a queue"), _("Book an appointment")))


def service_info_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, 2)
    if i is None:
        return _wrong()
    return Go("centre_q", {"then": "join" if i == 0 else "book"})


# --- centres ------------------------------------------------------------------------------------


def centre_q_take(ctx: Ctx, answer: str) -> Outcome:
    service = ctx.data.get("service")
    centres = selectors.open_centres_matching(answer[:60], service_id=service)
    if not centres:
        return Retry(_("No open Huduma Centre matches. Type a town, e.g. Kisumu."))
    return Go("centre_pick", {"centres": [c.pk for c in centres[:MAX_MATCHES]]})


def _centres(ids: list[int]) -> list[Centre]:
    by_id = Centre.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def centre_pick_show(ctx: Ctx) -> View:
    return View(_("Choose a centre"), tuple(c.name for c in _centres(ctx.data["centres"])))


def centre_pick_take(ctx: Ctx, answer: str) -> Outcome:
    found = _centres(ctx.data["centres"])
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    centre = found[i]
    data = {"centre": centre.pk}
    if ctx.data.get("service"):
        return Go("join_confirm" if ctx.data["then"] == "join" else "book_day", data)
    data["services"] = [s.pk for s in selectors.charter(centre, ctx.language)]
    return Go("centre_service", data)


def centre_service_show(ctx: Ctx) -> View:
    services = _services(ctx.data["services"])
    return View(_("Choose a service"), tuple(_name(s, ctx) for s in services))


def centre_service_take(ctx: Ctx, answer: str) -> Outcome:
    found = _services(ctx.data["services"])
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    then = "join_confirm" if ctx.data["then"] == "join" else "book_day"
    return Go(then, {"service": found[i].pk})

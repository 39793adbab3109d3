"""The ticket kiosk in the hall (a paired device of its own centre): an attract screen, the
choice of services (most used here, search, agencies), a check before queuing, the printed ticket.

The choice in progress lives in the address (`s`, one per service, in the order picked), not in
a session: the language switch keeps it, going back to the attract screen drops it, and nothing
is left behind for the next person."""

from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huduma.accounts.devices import device_required
from huduma.accounts.models import Device
from huduma.catalogue.models import MDA, Service
from huduma.catalogue.selectors import (
    MAX_QUERY_LENGTH,
    ServiceFilters,
    mdas_by_sector,
    services_search,
)
from huduma.core.errors import DomainError
from huduma.core.i18n import sorted_by_name
from huduma.core.phones import InvalidPhoneNumber
from huduma.core.throttle import per_device, throttle_writes
from huduma.places.models import Centre
from huduma.queues import appointments, holders, selectors, services
from huduma.queues.errors import RequirementsNotConfirmed
from huduma.queues.forms import CheckInForm, IssueForm
from huduma.queues.models import IssueChannel, Priority, Visit
from huduma.queues.views.common import checklists, open_centre, page_key, ticket_context

MAX_CHOSEN = services.MAX_SERVICES_PER_VISIT
MAX_RESULTS = 8  # one screen of tiles; a longer list means the words need refining
MIN_QUERY = 2  # fewer letters match half the catalogue


def _kiosk_centre(request, code: str) -> Centre:
    """The open centre of this kiosk page, which must be the paired kiosk's own centre."""
    centre = open_centre(code)
    if request.device.centre_id != centre.pk:
        raise KioskElsewhere(request.device.centre)
    return centre


class KioskElsewhere(Exception):
    def __init__(self, centre):
        self.centre = centre


def _kiosk_page(view):
    """A kiosk page: a registered kiosk, at its own centre (else a page saying where it is)."""

    @device_required(kind=Device.Kind.KIOSK)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except KioskElsewhere as exc:
            reason = _("This kiosk is registered at %(centre)s.") % {"centre": exc.centre.name}
            return render(request, "accounts/device_refused.html", {"reason": reason}, status=403)

    return wrapper


@dataclass
class Choice:
    """Where a citizen is on the choose screen: the services picked (in order), the words typed,
    the agency opened."""

    centre: Centre
    services: list[Service] = field(default_factory=list)
    q: str = ""
    mda: MDA | None = None

    def url(self, *, step: str = "", **change) -> str:
        services_ = change.get("services", self.services)
        q = change.get("q", self.q)
        mda = change.get("mda", self.mda)
        params = [("s", s.pk) for s in services_]
        params += [("q", q)] if q else []
        params += [("mda", mda.code)] if mda else []
        params += [("step", step)] if step else []
        base = reverse("queues:kiosk", args=[self.centre.code])
        return f"{base}?{urlencode(params)}" if params else base

    def toggled(self, service: Service) -> list[Service]:
        if service in self.services:
            return [s for s in self.services if s != service]
        return [*self.services, service]


def _choice(request, centre: Centre) -> Choice:
    """The choice carried in the address; unknown or repeated ids are dropped, never a 500."""
    offered = selectors.services_at(centre)
    ids = []
    for value in request.GET.getlist("s")[: MAX_CHOSEN * 2]:
        if value.isascii() and value.isdigit() and len(value) < 19 and int(value) not in ids:
            ids.append(int(value))
    chosen = selectors.offered_services_by_ids(centre, ids)[:MAX_CHOSEN]
    code = request.GET.get("mda", "")[:20]
    mda = MDA.objects.filter(code=code, services__in=offered).first() if code else None
    return Choice(centre, chosen, request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH], mda)


def _base_context(request, centre: Centre, *, idle: int | None) -> dict:
    return {
        "centre": centre,
        "attract_url": reverse("queues:kiosk_attract", args=[centre.code]),
        "idle_seconds": settings.KIOSK_IDLE_SECONDS if idle is None else idle,
        "here": request.get_full_path(),
    }


def _matches(choice: Choice) -> list[Service] | None:
    """Services of this centre matching the typed words (None when too few letters)."""
    if len(choice.q) < MIN_QUERY:
        return None
    found = services_search(ServiceFilters(q=choice.q, centre=choice.centre.code))
    return list(found[:MAX_RESULTS])


def _choose_context(request, choice: Choice) -> dict:
    centre = choice.centre
    context = _base_context(request, centre, idle=None)
    offered = selectors.services_at(centre)
    context.update(
        choice=choice,
        chosen_ids=[s.pk for s in choice.services],
        popular=selectors.most_used_services(centre),
        matches=_matches(choice),
        mdas=sorted_by_name(selectors.mdas_at(centre)),
        mda_services=sorted_by_name(offered.filter(mda=choice.mda)) if choice.mda else None,
        confirm_url=choice.url(step="confirm"),
        start_over_url=context["attract_url"],
        search_url=reverse("queues:kiosk_search", args=[centre.code]),
        max_chosen=MAX_CHOSEN,
    )
    # The agencies as icons, grouped by what they do (the kiosk shows them above the fold).
    context["sectors"] = [
        (group, [(m, choice.url(mda=m)) for m in group.mdas])
        for group in mdas_by_sector(context["mdas"])
    ]
    context["all_mdas_url"] = choice.url(mda=None)
    return context


def _confirm_context(request, centre: Centre, chosen: list[Service], **extra) -> dict:
    context = _base_context(request, centre, idle=None)
    choice = Choice(centre, chosen)
    context.update(
        chosen=chosen,
        checklists=checklists(chosen),
        needs_documents=any(s.needs_documents for s in chosen),
        priorities=Priority.choices,
        chosen_priority=request.POST.get("priority", ""),
        posted=request.POST,
        back_url=choice.url(),
        # The language switch comes back to this step, even after a failed post.
        here=choice.url(step="confirm"),
        language=get_language() if get_language() in ("en", "sw") else "sw",
        **extra,
    )
    page_key(request, context)
    if "errors" in extra:  # a failed key check must not hide the error that brought us here
        context["errors"] = extra["errors"]
    return context


@_kiosk_page
@require_GET
def kiosk_attract(request, code: str):
    """The screen a kiosk rests on: touch (in English or Kiswahili) to start."""
    centre = _kiosk_centre(request, code)
    context = _base_context(request, centre, idle=0)
    context["start_url"] = reverse("queues:kiosk", args=[centre.code])
    return render(request, "queues/kiosk_attract.html", context)


# A kiosk is a registered device (paired by the Centre Manager, see accounts/devices.py): a
# browser that is not one gets a page saying so, never the ticket machine. It serves a whole
# hall: its limit, counted per kiosk (not per address: a centre's kiosks share one), is a
# busy hour's worth of tickets.
@_kiosk_page
@throttle_writes("kiosk", limit=600, window_s=600, key=per_device)
def kiosk(request, code: str):
    """GET: the choose screen (or, with step=confirm, the check before queuing); a tile's
    `toggle` adds or removes a service and comes back to the clean address. POST: issue."""
    centre = _kiosk_centre(request, code)
    if request.method == "POST":
        return _issue(request, centre)
    choice = _choice(request, centre)
    toggle = request.GET.get("toggle", "")
    if toggle:
        service = _offered(centre, toggle)
        picked = choice.toggled(service) if service else choice.services
        if len(picked) > MAX_CHOSEN:
            messages.error(
                request, _("One visit can have at most %(n)s services.") % {"n": MAX_CHOSEN}
            )
            picked = choice.services
        return redirect(choice.url(services=picked))
    if request.GET.get("step") == "confirm":
        if choice.services:
            return render(
                request,
                "queues/kiosk_confirm.html",
                _confirm_context(request, centre, choice.services),
            )
        context = _choose_context(request, choice)
        context["errors"] = {"search": _("Choose at least one service")}
        return render(request, "queues/kiosk.html", context)
    return render(request, "queues/kiosk.html", _choose_context(request, choice))


@_kiosk_page
@require_GET
def kiosk_search(request, code: str):
    """The search results alone, for htmx to put under the box as the citizen types."""
    centre = _kiosk_centre(request, code)
    choice = _choice(request, centre)
    context = {
        "choice": choice,
        "chosen_ids": [s.pk for s in choice.services],
        "matches": _matches(choice),
    }
    response = render(request, "queues/_kiosk_results.html", context)
    # The address follows the words typed, so the language switch keeps them too.
    response["HX-Replace-Url"] = choice.url()
    return response


def _offered(centre: Centre, value: str) -> Service | None:
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        return None
    return selectors.services_at(centre).filter(pk=int(value)).first()


def _issue(request, centre: Centre):
    """The check page posts here: issue the ticket in the order the services were picked."""
    form = IssueForm(request.POST, centre=centre)
    if not form.is_valid():
        errors = {name: errs[0] for name, errs in form.errors.items()}
        if "services" in errors:
            context = _choose_context(request, Choice(centre))
            context["errors"] = {"search": errors["services"]}
            return render(request, "queues/kiosk.html", context, status=400)
        # In the order the citizen picked them (ServicesField.clean keeps the posted order).
        chosen = form.cleaned_data.get("services") or []
        if _documents_unconfirmed(request, chosen):
            # Both at once, in the order of the page (the box comes before the number).
            errors = {"requirements_confirmed": _tick_the_box(), **errors}
        context = _confirm_context(request, centre, chosen, errors=errors)
        return render(request, "queues/kiosk_confirm.html", context, status=400)
    chosen = form.cleaned_data["services"]
    context = _confirm_context(request, centre, chosen)
    key = page_key(request, context)
    if key is None or "confirm" not in request.POST:
        return render(
            request, "queues/kiosk_confirm.html", context, status=400 if key is None else 200
        )
    try:
        visit = services.visit_issue(
            centre=centre,
            services=chosen,
            channel=IssueChannel.KIOSK,
            requirements_confirmed=request.POST.get("requirements_confirmed") == "yes",
            # A request for priority: staff confirm it when they call (queues/services.py).
            priority=form.cleaned_data["priority"],
            phone=form.cleaned_data["phone"],
            # The kiosk asks for a number only to text when it is nearly their turn.
            near_front_sms=bool(form.cleaned_data["phone"]),
            language=form.cleaned_data["language"],
            idempotency_key=key,
        )
    except (DomainError, InvalidPhoneNumber) as exc:
        field_name = getattr(exc, "field", None) or "phone"
        message = getattr(exc, "message", str(exc))
        if isinstance(exc, RequirementsNotConfirmed) and field_name == "requirements_confirmed":
            message = _tick_the_box()  # the service's wording speaks to staff
        context["errors"] = {field_name: message}
        if field_name != "requirements_confirmed" and _documents_unconfirmed(request, chosen):
            context["errors"] = {"requirements_confirmed": _tick_the_box(), field_name: message}
        return render(request, "queues/kiosk_confirm.html", context, status=400)
    return redirect("queues:kiosk_ticket", visit.pk)


def _documents_unconfirmed(request, chosen: list[Service]) -> bool:
    needed = any(s.needs_documents for s in chosen)
    return needed and request.POST.get("requirements_confirmed") != "yes"


def _tick_the_box() -> str:
    """The kiosk speaks to the citizen in front of it, as the join page does."""
    return _("Tick the box if you have every document on the list")


@_kiosk_page
@throttle_writes("kiosk", limit=600, window_s=600, key=per_device)
@require_POST
def kiosk_check_in(request, code: str):
    """A citizen with an appointment checks in at the kiosk and gets their printed ticket."""
    centre = _kiosk_centre(request, code)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            visit = appointments.appointment_check_in(
                reference=form.cleaned_data["reference"], centre=centre
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("queues:kiosk_ticket", visit.pk)
    else:
        messages.error(request, _("Enter the appointment reference"))
    return redirect("queues:kiosk", centre.code)


@_kiosk_page
def kiosk_ticket(request, visit_id):
    """The printed ticket: services in order, what to bring, the counters to wait near; it
    prints itself and gives way to the attract screen soon after."""
    visit = get_object_or_404(
        Visit.objects.select_related("centre"),
        pk=visit_id,
        centre=request.device.centre_id,
        channel__in=[IssueChannel.KIOSK, IssueChannel.APPOINTMENT],
    )
    context = ticket_context(request, visit)
    # Printed, never in the QR code: whoever holds the paper can cancel, not whoever has the link.
    context["holder_code"] = holders.visit_holder_code(visit)
    chosen = [t.service for t in context["tickets"]]
    counters = selectors.counters_by_service(visit.centre, chosen)
    requirements = dict(checklists(chosen))
    context["lines"] = [
        (t, requirements.get(t.service, []), counters.get(t.service_id, []))
        for t in context["tickets"]
    ]
    context.update(_base_context(request, visit.centre, idle=settings.KIOSK_TICKET_SECONDS))
    return render(request, "queues/kiosk_ticket.html", context)

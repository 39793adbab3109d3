"""Queue pages: reception, kiosk, counter console, hall display, live view, virtual tickets.

Every staff view checks role and centre scope through accounts.permissions; every action calls
one service and turns its refusal into a message on the page.
"""

import datetime as dt
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.devices import device_required
from huduma.accounts.models import Device, Role
from huduma.accounts.permissions import require_centre, require_centre_view
from huduma.catalogue.models import Requirement, Service
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.core.phones import InvalidPhoneNumber
from huduma.core.qr import qr_svg
from huduma.core.throttle import throttle_writes
from huduma.places.models import Centre, Counter
from huduma.queues import appointments, selectors, services
from huduma.queues.forms import CheckInForm, IssueForm, JoinForm
from huduma.queues.models import Appointment, IssueChannel, Ticket, Visit

ISSUERS = (Role.RECEPTION, Role.CENTRE_MANAGER, Role.COUNTER_OFFICER)
SERVERS = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)
MAX_ID = 2**63 - 1  # the largest primary key either database stores


def _open_centre(code: str) -> Centre:
    return get_object_or_404(Centre, code=code, status=Centre.Status.OPEN)


def _checklists(services_chosen) -> list[tuple[Service, list[Requirement]]]:
    return [(s, list(s.requirements.order_by("position"))) for s in services_chosen]


def _ticket_context(request, visit: Visit) -> dict:
    url = request.build_absolute_uri(reverse("queues:ticket", args=[visit.pk]))
    tickets = list(visit.tickets.select_related("service").order_by("position"))
    waiting = next((t for t in tickets if t.status == Ticket.Status.WAITING), None)
    return {
        "visit": visit,
        "tickets": tickets,
        "estimate": selectors.visit_estimate_minutes(visit),
        "ahead": selectors.places_ahead(waiting) if waiting else None,
        "qr": qr_svg(url),
        "url": url,
    }


def _issue_flow(request, centre: Centre, *, channel: str, template: str, done_url: str):
    """Two steps, one thing per page: choose services, then confirm their checklists."""
    # The kiosk groups services by MDA: citizens look for the office they know.
    form = IssueForm(request.POST or None, centre=centre, by_mda=channel == IssueChannel.KIOSK)
    # One key per confirmation page: pressing "Issue ticket" twice gives one ticket.
    context = {"centre": centre, "form": form}
    key = _page_key(request, context)
    if key is None:
        return render(request, template, context, status=400)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["services"])
        if "confirm" not in request.POST:
            context["checklists"] = _checklists(chosen)
            return render(request, template, context)
        try:
            visit = services.visit_issue(
                centre=centre,
                services=chosen,
                channel=channel,
                requirements_confirmed=request.POST.get("requirements_confirmed") == "yes",
                priority=form.cleaned_data["priority"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
                idempotency_key=key,
                actor=request.user,
            )
        except (DomainError, InvalidPhoneNumber) as exc:
            field = getattr(exc, "field", None) or "phone"
            context["errors"] = {field: getattr(exc, "message", str(exc))}
            context["checklists"] = _checklists(chosen)
            return render(request, template, context, status=400)
        return redirect(done_url, visit.pk)
    if request.method == "POST":
        context["errors"] = {name: errs[0] for name, errs in form.errors.items()}
    return render(request, template, context, status=400 if context.get("errors") else 200)


def _page_key(request, context: dict) -> str | None:
    """The idempotency key a form page carries in a hidden field (a fresh one if none was
    posted), checked by the rule every endpoint uses, and put in `context` for the next step.
    None, with the error in `context`, if the posted key breaks the rule."""
    context["idempotency_key"] = request.POST.get("idempotency_key") or uuid.uuid4().hex
    try:
        return services.idempotency_key_checked(context["idempotency_key"])
    except DomainError as exc:
        context["idempotency_key"] = uuid.uuid4().hex
        context["errors"] = {exc.field: exc.message}
        return None


# --- reception (staff) -------------------------------------------------------------------


@login_required
def reception(request, code: str):
    centre = _open_centre(code)
    require_centre(request.user, centre, *ISSUERS)
    return _issue_flow(
        request,
        centre,
        channel=IssueChannel.RECEPTION,
        template="queues/reception.html",
        done_url="queues:issued",
    )


@login_required
def issued(request, visit_id):
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    require_centre(request.user, visit.centre, *ISSUERS)
    return render(request, "queues/issued.html", _ticket_context(request, visit))


@login_required
@require_POST
def check_in(request, code: str):
    centre = _open_centre(code)
    require_centre(request.user, centre, *ISSUERS)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            visit = appointments.appointment_check_in(
                reference=form.cleaned_data["reference"], centre=centre, actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("queues:issued", visit.pk)
    else:
        messages.error(request, _("Enter the appointment reference"))
    return redirect("queues:reception", centre.code)


# --- kiosk (public, in the hall) -----------------------------------------------------------


def _kiosk_centre(request, code: str) -> Centre:
    """The open centre of this kiosk page, which must be the paired kiosk's own centre."""
    centre = _open_centre(code)
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


# A kiosk is a registered device (paired by the Centre Manager, see accounts/devices.py): a
# browser that is not one gets a page saying so, never the ticket machine. It serves a whole
# hall from one address: its limit is a busy hour's worth of tickets.
@_kiosk_page
@throttle_writes("kiosk", limit=600, window_s=600)
def kiosk(request, code: str):
    centre = _kiosk_centre(request, code)
    return _issue_flow(
        request,
        centre,
        channel=IssueChannel.KIOSK,
        template="queues/kiosk.html",
        done_url="queues:kiosk_ticket",
    )


@_kiosk_page
@throttle_writes("kiosk", limit=600, window_s=600)
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
    visit = get_object_or_404(
        Visit.objects.select_related("centre"),
        pk=visit_id,
        centre=request.device.centre_id,
        channel__in=[IssueChannel.KIOSK, IssueChannel.APPOINTMENT],
    )
    return render(request, "queues/kiosk_ticket.html", _ticket_context(request, visit))


# --- virtual tickets (public) --------------------------------------------------------------


@throttle_writes("join", limit=20, window_s=600)
def join(request, code: str):
    centre = _open_centre(code)
    form = JoinForm(request.POST or None, centre=centre)
    context = {"centre": centre, "form": form}
    # One key per confirmation page: pressing "Get my ticket" twice gives one ticket.
    key = _page_key(request, context)
    if key is None:
        return render(request, "queues/join.html", context, status=400)
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"]
        if "confirm" not in request.POST:
            context["checklists"] = _checklists([service])
            return render(request, "queues/join.html", context)
        try:
            visit = services.visit_issue(
                centre=centre,
                services=[service],
                channel=IssueChannel.WEB,
                requirements_confirmed=request.POST.get("requirements_confirmed") == "yes",
                phone=form.cleaned_data["phone"],
                language=request.LANGUAGE_CODE[:2],
                idempotency_key=key,
            )
        except (DomainError, InvalidPhoneNumber) as exc:
            field = getattr(exc, "field", None) or "phone"
            context["errors"] = {field: getattr(exc, "message", str(exc))}
            context["checklists"] = _checklists([service])
            return render(request, "queues/join.html", context, status=400)
        return redirect("queues:ticket", visit.pk)
    if request.method == "POST":
        context["errors"] = {name: errs[0] for name, errs in form.errors.items()}
    return render(
        request, "queues/join.html", context, status=400 if context.get("errors") else 200
    )


def ticket(request, visit_id):
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    template = (
        "queues/_ticket_status.html"
        if request.headers.get("HX-Request")
        else ("queues/ticket.html")
    )
    return render(request, template, _ticket_context(request, visit))


# --- counter console (staff) ------------------------------------------------------------


def _counter_for(request, counter_id: int) -> Counter:
    counter = get_object_or_404(Counter.objects.select_related("centre"), pk=counter_id)
    require_centre(request.user, counter.centre, *SERVERS)
    return counter


@login_required
def console(request, counter_id: int):
    counter = _counter_for(request, counter_id)
    session = services.live_session(counter)
    current = services.current_ticket(counter)
    skills = Service.objects.filter(counters__counter=counter).order_by("name_en")
    estimates = selectors.wait_estimates(counter.centre)
    return render(
        request,
        "queues/console.html",
        {
            "counter": counter,
            "session": session,
            "mine": session is not None and session.officer_id == request.user.pk,
            "current": current,
            "skills": [(s, estimates.get(s.pk)) for s in skills],
            "services": Service.objects.filter(
                offered_at__centre=counter.centre, is_active=True
            ).order_by("name_en"),
            "counters": counter.centre.counters.filter(is_active=True).exclude(pk=counter.pk),
            "checklist": list(current.service.requirements.order_by("position")) if current else [],
        },
    )


@login_required
@require_POST
def console_action(request, counter_id: int, action: str):
    counter = _counter_for(request, counter_id)
    officer = request.user
    try:
        if action == "open":
            services.counter_open(counter=counter, officer=officer)
        elif action == "pause":
            services.counter_pause(counter=counter, officer=officer)
        elif action == "close":
            services.counter_close(counter=counter, officer=officer)
        elif action == "call":
            if services.ticket_call_next(counter=counter, officer=officer) is None:
                messages.info(request, _("Nobody is waiting for this counter's services."))
        elif action in ("recall", "start", "finish", "no-show", "transfer", "add"):
            ticket = get_object_or_404(
                Ticket, pk=_posted(request, "ticket", uuid.UUID), centre=counter.centre
            )
            _ticket_action(request, action, ticket, counter)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("queues:console", counter.pk)


def _posted(request, name: str, kind):
    """A posted id parsed as `kind` (int or UUID), or None when absent or malformed."""
    value = request.POST.get(name, "")
    if kind is int:
        return ascii_int(value, minimum=1, maximum=MAX_ID)
    try:
        return kind(value)
    except ValueError:
        return None


def _ticket_action(request, action: str, ticket: Ticket, counter: Counter) -> None:
    officer = request.user
    if action == "recall":
        services.ticket_recall(ticket=ticket, counter=counter, officer=officer)
    elif action == "start":
        services.ticket_start(ticket=ticket, counter=counter, officer=officer)
    elif action == "finish":
        services.ticket_finish(ticket=ticket, counter=counter, officer=officer)
    elif action == "no-show":
        services.ticket_no_show(ticket=ticket, counter=counter, officer=officer)
    elif action == "transfer":
        to_service = Service.objects.filter(pk=_posted(request, "service", int)).first()
        to_counter = Counter.objects.filter(pk=_posted(request, "to_counter", int)).first()
        services.ticket_transfer(
            ticket=ticket, actor=officer, to_service=to_service, to_counter=to_counter
        )
        messages.success(
            request, _("Ticket %(number)s transferred.") % {"number": ticket.visit.number}
        )
    elif action == "add":
        service = get_object_or_404(Service, pk=_posted(request, "service", int))
        services.visit_add_service(visit=ticket.visit, service=service, actor=officer)
        messages.success(request, _("Service added to the visit."))


# --- hall display (public) and live view (managers) -------------------------------------------


def display(request, code: str):
    centre = _open_centre(code)
    return render(request, "queues/display.html", {"centre": centre})


def display_calls(request, code: str):
    centre = _open_centre(code)
    calls = selectors.display_calls(centre)
    return render(
        request,
        "queues/_display_calls.html",
        {"centre": centre, "calls": calls, "latest": calls[0] if calls else None},
    )


@login_required
def live(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    context = {"centre": centre, **selectors.live_view(centre)}
    template = "queues/_live.html" if request.headers.get("HX-Request") else "queues/live.html"
    return render(request, template, context)


# --- appointments (public) -----------------------------------------------------------------


@throttle_writes("book", limit=20, window_s=600)
def book(request, code: str):
    """Book a slot: choose service and day, then a time and a phone number."""
    centre = _open_centre(code)
    offered = Service.objects.filter(offered_at__centre=centre, is_active=True).order_by("name_en")
    service_id = request.GET.get("service") or request.POST.get("service") or ""
    service_pk = ascii_int(service_id, minimum=1, maximum=MAX_ID)
    service = offered.filter(pk=service_pk).first() if service_pk is not None else None
    day_text = request.GET.get("date") or request.POST.get("date") or ""
    try:
        day = dt.date.fromisoformat(day_text) if day_text else None
    except ValueError:
        day = None
    errors = {}
    if request.method == "GET" and "service" in request.GET:
        if service is None:
            errors["service"] = _("Choose a service")
        if day is None:
            errors["date"] = _("Enter a date like 2026-12-01")
    context = {
        "centre": centre,
        "services": offered,
        "service": service,
        "day": day,
        "errors": errors,
        "today": clock.local_date(),
    }
    if request.method == "POST" and service is not None and day is not None:
        slot_text = request.POST.get("slot", "")
        try:
            slot = dt.datetime.fromisoformat(slot_text)
            appointment = appointments.appointment_book(
                centre=centre,
                service=service,
                slot_start=slot,
                phone=request.POST.get("phone", ""),
                language=request.LANGUAGE_CODE[:2],
            )
        except ValueError as exc:
            field = "phone" if isinstance(exc, InvalidPhoneNumber) else "slot"
            errors[field] = str(exc) if field == "phone" else _("Choose a time")
        except DomainError as exc:
            errors[exc.field or "slot"] = exc.message
        else:
            # Post/redirect/get: reloading the confirmation shows it again, never books again.
            return redirect("queues:booked", code=centre.code, reference=appointment.reference)
    if service is not None and day is not None:
        context["slots"] = appointments.available_slots(centre, service, day)
    status = 400 if errors else 200
    return render(request, "queues/book.html", context, status=status)


def booked(request, code: str, reference: str):
    """The confirmation of a booking, at its own address (it shows no phone number)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("service", "centre"),
        centre__code=code,
        reference=reference.upper()[:12],
    )
    return render(
        request, "queues/booked.html", {"appointment": appointment, "centre": appointment.centre}
    )

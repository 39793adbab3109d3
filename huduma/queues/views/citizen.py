"""A citizen's own phone: join remotely, the virtual ticket, book an appointment."""

import datetime as dt

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.core.phones import InvalidPhoneNumber
from huduma.core.throttle import throttle_writes
from huduma.queues import appointments, services
from huduma.queues.forms import JoinForm
from huduma.queues.models import Appointment, IssueChannel, Visit
from huduma.queues.views.common import (
    MAX_ID,
    checklists,
    open_centre,
    page_key,
    ticket_context,
)

# --- virtual tickets (public) --------------------------------------------------------------


@throttle_writes("join", limit=20, window_s=600)
def join(request, code: str):
    centre = open_centre(code)
    form = JoinForm(request.POST or None, centre=centre)
    context = {"centre": centre, "form": form}
    # One key per confirmation page: pressing "Get my ticket" twice gives one ticket.
    key = page_key(request, context)
    if key is None:
        return render(request, "queues/join.html", context, status=400)
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"]
        if "confirm" not in request.POST:
            context["checklists"] = checklists([service])
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
            context["checklists"] = checklists([service])
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
    return render(request, template, ticket_context(request, visit))


# --- appointments (public) -----------------------------------------------------------------


@throttle_writes("book", limit=20, window_s=600)
def book(request, code: str):
    """Book a slot: choose service and day, then a time and a phone number."""
    centre = open_centre(code)
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

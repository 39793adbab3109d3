"""A citizen's own phone: join remotely, the virtual ticket, book, move or cancel a booking."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huduma.core.errors import DomainError
from huduma.core.i18n import sorted_by_name
from huduma.core.inputs import ascii_int
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.core.throttle import throttle_writes
from huduma.places.models import Centre
from huduma.queues import appointments, holders, selectors, services
from huduma.queues.errors import RequirementsNotConfirmed
from huduma.queues.forms import BookingFindForm, JoinForm
from huduma.queues.models import Appointment, IssueChannel, Visit
from huduma.queues.views.common import (
    MAX_ID,
    checklists,
    open_centre,
    page_key,
    ticket_context,
)

# --- virtual tickets (public) --------------------------------------------------------------

# The fields on the second page of joining; a refusal about any other field (the phone's
# ticket limit, say) sends the citizen back to the first page, where that field is.
JOIN_CONFIRM_FIELDS = {"requirements_confirmed"}


@throttle_writes("join", limit=20, window_s=600)
def join(request, code: str):
    centre = open_centre(code)
    # ?service=<id> (a service page's "Join the queue" link) preselects the service.
    chosen = ascii_int(request.GET.get("service", ""), minimum=1, maximum=MAX_ID)
    form = JoinForm(request.POST or None, centre=centre, initial={"service": chosen})
    context = {"centre": centre, "form": form, "services": sorted_by_name(form.offered)}
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
            if isinstance(exc, RequirementsNotConfirmed) and field == "requirements_confirmed":
                # The service speaks to staff; on the citizen's own phone, speak to them.
                message = _("Tick the box if you have every document on the list")
            else:
                message = getattr(exc, "message", str(exc))
            if field in JOIN_CONFIRM_FIELDS:
                context["checklists"] = checklists([service])
            elif field not in ("service", "phone"):
                field = "join"  # nothing on the page to point at: the form itself
            context["errors"] = {field: message}
            return render(request, "queues/join.html", context, status=400)
        holders.hold(request, visit)
        return redirect("queues:ticket", visit.pk)
    if request.method == "POST":
        # Shape errors are about the first page's fields, so the first page shows them.
        context["errors"] = {name: errs[0] for name, errs in form.errors.items()}
    return render(
        request, "queues/join.html", context, status=400 if context.get("errors") else 200
    )


def ticket(request, visit_id):
    """The virtual ticket. Its status part polls itself (htmx) with a fingerprint of what it
    shows; an unchanged status answers 204, and a finished visit stops polling."""
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    if request.headers.get("HX-Request"):
        progress = selectors.visit_progress(visit)
        if request.GET.get("v") == progress.fingerprint:
            return HttpResponse(status=204)
        context = {"visit": visit, "progress": progress, "poll_seconds": _poll_seconds()}
        return render(request, "queues/_ticket_status.html", context)
    context = ticket_context(request, visit)
    context["poll_seconds"] = _poll_seconds()
    return render(request, "queues/ticket.html", context)


def _poll_seconds() -> int:
    return max(int(settings.QMS_TICKET_POLL_SECONDS), 1)


@throttle_writes("ticket_cancel", limit=20, window_s=600)
@require_http_methods(["GET", "POST"])
def ticket_cancel(request, visit_id):
    """Leave the queue: a page that asks first, then one POST. Cancelling again changes
    nothing."""
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    # The link (the ticket's QR code) is not the ticket: only its holder cancels (holders.py).
    held = holders.holds(request, visit)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            if held:
                services.visit_cancel(visit=visit)
            else:
                holders.visit_cancel_by_holder(visit=visit, code=request.POST.get("code", "")[:20])
        except DomainError as exc:
            errors, status = {exc.field or "code": exc.message}, exc.status
        else:
            return redirect("queues:ticket", visit.pk)
    progress = selectors.visit_progress(visit)
    context = {"visit": visit, "progress": progress, "held": held, "errors": errors}
    return render(request, "queues/ticket_cancel.html", context, status=status)


# --- appointments (public) -----------------------------------------------------------------


def _chosen_day(request) -> tuple[dt.date | None, bool]:
    """The day asked for (GET or POST), and whether something unreadable was sent."""
    text = (request.GET.get("date") or request.POST.get("date") or "")[:10]
    if not text:
        return None, False
    try:
        return dt.date.fromisoformat(text), False
    except ValueError:
        return None, True


def _day_context(centre: Centre) -> dict:
    return {
        "days": appointments.bookable_days(centre),
        "opening": appointments.opening_summary(centre),
    }


def _slot_from(request) -> dt.datetime | None:
    try:
        slot = dt.datetime.fromisoformat(request.POST.get("slot", "")[:40])
    except ValueError:
        return None
    return slot if slot.tzinfo is not None else None


@throttle_writes("book", limit=20, window_s=600)
def book(request, code: str):
    """Book a slot: choose service and day (open days only), then a time and a phone number."""
    centre = open_centre(code)
    offered = selectors.services_at(centre)
    service_id = request.GET.get("service") or request.POST.get("service") or ""
    service_pk = ascii_int(service_id, minimum=1, maximum=MAX_ID)
    service = offered.filter(pk=service_pk).first() if service_pk is not None else None
    day, unreadable = _chosen_day(request)
    errors = {}
    # "See free times" (or a date in the address) asks; a bare ?service= only preselects it.
    asked = request.method == "POST" or "date" in request.GET or "step" in request.GET
    if asked:
        if service is None:
            errors["service"] = _("Choose a service")
        if day is None:
            errors["date"] = _("Enter a date like 2026-12-01") if unreadable else _("Choose a day")
        elif refused := appointments.day_refused(centre, day):
            errors["date"] = refused
    context = {
        "centre": centre,
        "services": sorted_by_name(offered),
        "service": service,
        "day": day,
        "errors": errors,
        **_day_context(centre),
    }
    if errors:
        return render(request, "queues/book.html", context, status=400)
    if request.method == "POST":
        slot = _slot_from(request)
        try:
            if slot is None:
                raise DomainError(_("Choose a time"), field="slot")
            appointment = appointments.appointment_book(
                centre=centre,
                service=service,
                slot_start=slot,
                phone=request.POST.get("phone", ""),
                language=request.LANGUAGE_CODE[:2],
            )
        except InvalidPhoneNumber as exc:
            errors["phone"] = str(exc)
        except DomainError as exc:
            # Only the time and the phone are on this page.
            errors["phone" if exc.field == "phone" else "slot"] = exc.message
            if slot is None:
                # Say what is wrong with the number too, not only on the next try.
                try:
                    normalise_phone(request.POST.get("phone", ""))
                except InvalidPhoneNumber as phone_exc:
                    errors["phone"] = str(phone_exc)
        else:
            # Post/redirect/get: reloading the confirmation shows it again, never books again.
            return redirect("queues:booked", code=centre.code, reference=appointment.reference)
    if asked:
        context["slots"] = appointments.available_slots(centre, service, day)
    return render(request, "queues/book.html", context, status=400 if errors else 200)


def booked(request, code: str, reference: str):
    """The confirmation of a booking, at its own address (it shows no phone number)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("service", "centre"),
        centre__code=code,
        reference=reference.upper()[:12],
    )
    return render(
        request,
        "queues/booked.html",
        {
            "appointment": appointment,
            "centre": appointment.centre,
            "requirements": list(appointment.service.requirements.order_by("position")),
        },
    )


# A booking is changed only from the browser that proved it holds the booking's phone: the
# proof is kept in the session (a few bookings at most).
SESSION_KEY = "bookings_proven"


def _proven(request, code: str, reference: str) -> Appointment | None:
    appointment = (
        Appointment.objects.select_related("centre", "service")
        .filter(centre__code=code, reference=reference.upper()[:12])
        .first()
    )
    if appointment is None or str(appointment.pk) not in request.session.get(SESSION_KEY, []):
        return None
    return appointment


def _find_again(code: str, reference: str):
    url = reverse("queues:booking_find", args=[code])
    return redirect(f"{url}?reference={reference.upper()[:12]}")


@throttle_writes("booking_find", limit=10, window_s=600)
def booking_find(request, code: str):
    """Manage a booking: the reference and the mobile number it was booked with. A wrong one
    gets the same answer whether or not the reference exists."""
    centre = open_centre(code)
    if request.method == "GET" and request.GET.get("reference"):
        # Already proven in this browser (coming back from the confirmation): no need to ask.
        appointment = _proven(request, code, request.GET["reference"])
        if appointment is not None:
            return redirect("queues:booking_manage", code, appointment.reference)
    initial = {"reference": request.GET.get("reference", "")[:12]}
    form = BookingFindForm(request.POST or None, initial=initial)
    context = {"centre": centre, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                appointment = appointments.appointment_for_citizen(
                    centre=centre,
                    reference=form.cleaned_data["reference"],
                    phone=form.cleaned_data["phone"],
                )
            except DomainError as exc:
                context["errors"] = {exc.field or "reference": exc.message}
            else:
                proven = request.session.get(SESSION_KEY, [])
                proven = [p for p in proven if p != str(appointment.pk)][-4:]
                request.session[SESSION_KEY] = [*proven, str(appointment.pk)]
                return redirect("queues:booking_manage", code, appointment.reference)
        else:
            context["errors"] = {name: errs[0] for name, errs in form.errors.items()}
    status = 400 if context.get("errors") else 200
    return render(request, "queues/booking_find.html", context, status=status)


def booking_manage(request, code: str, reference: str):
    """What can be done with a booking: move it or cancel it."""
    appointment = _proven(request, code, reference)
    if appointment is None:
        return _find_again(code, reference)
    return render(
        request,
        "queues/booking_manage.html",
        {"appointment": appointment, "centre": appointment.centre},
    )


@throttle_writes("booking_change", limit=20, window_s=600)
def booking_move(request, code: str, reference: str):
    """Choose a new day, then a new time; the old time is freed as the new one is taken."""
    appointment = _proven(request, code, reference)
    if appointment is None:
        return _find_again(code, reference)
    centre = appointment.centre
    day, unreadable = _chosen_day(request)
    errors = {}
    if request.method == "POST" or "date" in request.GET:
        if day is None:
            errors["date"] = _("Enter a date like 2026-12-01") if unreadable else _("Choose a day")
        elif refused := appointments.day_refused(centre, day):
            errors["date"] = refused
    context = {
        "appointment": appointment,
        "centre": centre,
        "day": day,
        "errors": errors,
        **_day_context(centre),
    }
    if errors or day is None:
        return render(request, "queues/booking_move.html", context, status=400 if errors else 200)
    if request.method == "POST":
        slot = _slot_from(request)
        try:
            if slot is None:
                raise DomainError(_("Choose a time"), field="slot")
            appointments.appointment_move(appointment=appointment, slot_start=slot)
        except DomainError as exc:
            errors["slot"] = exc.message
        else:
            messages.success(request, _("Your appointment is moved. We sent you an SMS."))
            return redirect("queues:booked", code=centre.code, reference=appointment.reference)
    context["slots"] = appointments.available_slots(
        centre, appointment.service, day, ignore=appointment
    )
    return render(request, "queues/booking_move.html", context, status=400 if errors else 200)


@throttle_writes("booking_change", limit=20, window_s=600)
@require_http_methods(["GET", "POST"])
def booking_cancel(request, code: str, reference: str):
    """Ask first, then cancel with one POST; cancelling again changes nothing."""
    appointment = _proven(request, code, reference)
    if appointment is None:
        return _find_again(code, reference)
    context = {"appointment": appointment, "centre": appointment.centre}
    if request.method == "POST":
        try:
            appointments.appointment_cancel(appointment=appointment)
        except DomainError as exc:
            context["errors"] = {"cancel": exc.message}
            return render(request, "queues/booking_cancel.html", context, status=409)
        messages.success(request, _("Your appointment is cancelled. We sent you an SMS."))
        return redirect("queues:booked", code=code, reference=appointment.reference)
    return render(request, "queues/booking_cancel.html", context)

"""Booking an appointment, and moving or cancelling one's bookings."""

import datetime as dt

from django.utils.translation import gettext as _

from huduma.channels.ussd import selectors
from huduma.channels.ussd.flow import Ctx, Done, Go, Outcome, Retry
from huduma.channels.ussd.journeys.answers import (
    MAX_MATCHES,
    _centre,
    _day,
    _name,
    _pick,
    _refused,
    _service,
    _when,
    _wrong,
)
from huduma.channels.ussd.screens import View
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.queues import appointments
from huduma.queues.models import Appointment

# --- appointments ----------------------------------------------------------------------------


def book_day_enter(ctx: Ctx) -> Outcome | dict:
    days = appointments.bookable_days(_centre(ctx))[:MAX_MATCHES]
    if not days:
        return Done(_("No day can be booked at this centre. Try another centre."))
    return {"days": [d.isoformat() for d in days]}


def book_day_show(ctx: Ctx) -> View:
    days = [dt.date.fromisoformat(d) for d in ctx.data["days"]]
    return View(_("Choose a day"), tuple(_day(d) for d in days))


def book_day_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(ctx.data["days"]))
    if i is None:
        return _wrong()
    day = dt.date.fromisoformat(ctx.data["days"][i])
    moving = _appointment(ctx) if ctx.data.get("appointment") else None
    slots = appointments.available_slots(_centre(ctx), _service(ctx), day, ignore=moving)
    if not slots:
        return Retry(_("That day is full. Choose another day."))
    return Go("book_slot", {"slots": [s.isoformat() for s in slots[:MAX_MATCHES]]})


def book_slot_show(ctx: Ctx) -> View:
    slots = [dt.datetime.fromisoformat(s) for s in ctx.data["slots"]]
    return View(_("Choose a time"), tuple(f"{s.astimezone(clock.NAIROBI):%H:%M}" for s in slots))


def book_slot_take(ctx: Ctx, answer: str) -> Outcome:
    i = _pick(answer, len(ctx.data["slots"]))
    if i is None:
        return _wrong()
    return Go("book_confirm", {"slot": ctx.data["slots"][i]})


def book_confirm_show(ctx: Ctx) -> View:
    slot = dt.datetime.fromisoformat(ctx.data["slot"])
    values = {
        "service": _name(_service(ctx), ctx),
        "centre": _centre(ctx).name,
        "when": _when(slot),
    }
    if ctx.data.get("appointment"):
        text = _("Move %(service)s at %(centre)s to %(when)s?") % values
    else:
        text = _("Book %(service)s at %(centre)s on %(when)s?") % values
    return View(text, (_("Yes"),))


def book_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    slot = dt.datetime.fromisoformat(ctx.data["slot"])
    try:
        if ctx.data.get("appointment"):
            booking = appointments.appointment_move(appointment=_appointment(ctx), slot_start=slot)
        else:
            booking = appointments.appointment_book(
                centre=_centre(ctx),
                service=_service(ctx),
                slot_start=slot,
                phone=ctx.phone,
                language=ctx.language,
            )
    except DomainError as exc:
        return _refused(exc)
    return Done(
        _("Booked: %(reference)s, %(when)s at %(centre)s. We sent it by SMS.")
        % {
            "reference": booking.reference,
            "when": _when(booking.slot_start),
            "centre": booking.centre.name,
        }
    )


def _appointment(ctx: Ctx) -> Appointment:
    """The caller's own booking, found as the web finds it: by reference and phone."""
    booking = Appointment.objects.select_related("centre").get(pk=ctx.data["appointment"])
    return appointments.appointment_for_citizen(
        centre=booking.centre, reference=booking.reference, phone=ctx.phone
    )


def my_bookings_enter(ctx: Ctx) -> Outcome | dict:
    bookings = selectors.bookings_ahead(ctx.phone)[:MAX_MATCHES]
    if not bookings:
        return Done(_("This number has no booking to change."))
    return {"bookings": [str(b.pk) for b in bookings]}


def _bookings(ctx: Ctx) -> list[Appointment]:
    found = Appointment.objects.select_related("centre", "service").in_bulk(ctx.data["bookings"])
    by_id = {str(pk): booking for pk, booking in found.items()}
    return [by_id[pk] for pk in ctx.data["bookings"] if pk in by_id]


def my_bookings_show(ctx: Ctx) -> View:
    return View(
        _("Choose a booking"),
        tuple(f"{_when(b.slot_start)} {_name(b.service, ctx)}" for b in _bookings(ctx)),
    )


def my_bookings_take(ctx: Ctx, answer: str) -> Outcome:
    found = _bookings(ctx)
    i = _pick(answer, len(found))
    if i is None:
        return _wrong()
    booking = found[i]
    data = {
        "appointment": str(booking.pk),
        "centre": booking.centre_id,
        "service": booking.service_id,
    }
    return Go("book_day" if ctx.data["then"] == "move" else "cancel_confirm", data)


def cancel_confirm_show(ctx: Ctx) -> View:
    booking = _appointment(ctx)
    text = _("Cancel %(reference)s, %(when)s at %(centre)s?") % {
        "reference": booking.reference,
        "when": _when(booking.slot_start),
        "centre": booking.centre.name,
    }
    return View(text, (_("Yes, cancel it"),))


def cancel_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    try:
        booking = appointments.appointment_cancel(appointment=_appointment(ctx))
    except DomainError as exc:
        return _refused(exc)
    return Done(
        _("Booking %(reference)s is cancelled. We sent you an SMS.")
        % {"reference": booking.reference}
    )

"""Appointments: book a slot online, check in on arrival to join the queue near the slot."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from huduma.catalogue.models import CounterService, Service
from huduma.core import clock
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.notify.services import sms_send
from huduma.places import hours
from huduma.places.models import Centre
from huduma.queues import services
from huduma.queues.errors import OtherCentre, SlotUnavailable, TicketStateError, UnknownAppointment
from huduma.queues.models import Appointment, IssueChannel, Visit

SLOT_MINUTES = 15
BOOK_DAYS_AHEAD = 30
_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"  # no look-alikes (0/O, 1/I, 5/S, 8/B)
LIVE = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN)


def slot_capacity(centre: Centre, service: Service) -> int:
    """Bookings per slot: one per counter that can serve the service (walk-ins still come)."""
    return CounterService.objects.filter(
        counter__centre=centre, counter__is_active=True, service=service
    ).count()


def bookable_day(day: dt.date) -> bool:
    """From today to BOOK_DAYS_AHEAD days ahead (Nairobi time)."""
    today = clock.local_date()
    return today <= day <= today + dt.timedelta(days=BOOK_DAYS_AHEAD)


def bookable_days(centre: Centre) -> list[dt.date]:
    """The days a booking can be made for: in the window, and the centre open (its charter's
    hours, Saturdays included; never a Sunday it does not open or a public holiday)."""
    today = clock.local_date()
    return hours.open_days(centre, today, today + dt.timedelta(days=BOOK_DAYS_AHEAD))


def day_refused(centre: Centre, day: dt.date) -> str | None:
    """Why a day cannot be booked, in words for the citizen; None if it can."""
    if not bookable_day(day):
        return _("Choose a day in the next %(n)s days.") % {"n": BOOK_DAYS_AHEAD}
    if clock.is_holiday(day):
        return _("The centre is closed on public holidays. Choose another day.")
    if hours.hours_on(centre, day) is None:
        return _("The centre is closed on %(weekday)s. Choose another day.") % {
            "weekday": WEEKDAYS[day.weekday()]
        }
    return None


def opening_summary(centre: Centre) -> str:
    """The centre's week in words: "Monday to Friday 08:00 to 17:00; Saturday 09:00 to 13:00."
    Consecutive days with the same hours are joined."""
    week = hours.centre_hours(centre)
    parts, day = [], 0
    while day < 7:
        if day not in week:
            day += 1
            continue
        last = day
        while last + 1 < 7 and week.get(last + 1) == week[day]:
            last += 1
        opens, closes = week[day]
        times = _("%(opens)s to %(closes)s") % {
            "opens": opens.strftime("%H:%M"),
            "closes": closes.strftime("%H:%M"),
        }
        if last == day:
            parts.append(f"{WEEKDAYS[day]} {times}")
        else:
            days = _("%(first)s to %(last)s") % {"first": WEEKDAYS[day], "last": WEEKDAYS[last]}
            parts.append(f"{days} {times}")
        day = last + 1
    return "; ".join(parts)


def available_slots(
    centre: Centre, service: Service, day: dt.date, *, ignore: Appointment | None = None
) -> list[dt.datetime]:
    """The free slots of a day; `ignore` is a booking being moved (its own place is free to
    it)."""
    # Days outside the booking window have no free slot; checking first also keeps dates such
    # as 9999-12-31 away from time-zone arithmetic, which would overflow.
    if not bookable_day(day):
        return []
    open_hours = hours.hours_on(centre, day)
    if open_hours is None:
        return []
    capacity = slot_capacity(centre, service)
    if capacity == 0:
        return []
    start = dt.datetime.combine(day, open_hours[0], tzinfo=clock.NAIROBI)
    end = dt.datetime.combine(day, open_hours[1], tzinfo=clock.NAIROBI)
    booked = Appointment.objects.filter(
        centre=centre,
        service=service,
        slot_start__gte=start,
        slot_start__lt=end,
        status__in=LIVE,
    )
    if ignore is not None:
        booked = booked.exclude(pk=ignore.pk)
    taken: dict[dt.datetime, int] = {}
    for slot in booked.values_list("slot_start", flat=True):
        local = slot.astimezone(clock.NAIROBI)
        taken[local] = taken.get(local, 0) + 1
    now = clock.now()
    slots = []
    moment = start
    while moment < end:
        if moment > now and taken.get(moment, 0) < capacity:
            slots.append(moment)
        moment += dt.timedelta(minutes=SLOT_MINUTES)
    return slots


def _slot_checked(
    centre: Centre, service: Service, slot_start: dt.datetime, ignore: Appointment | None = None
) -> dt.datetime:
    """The slot in Nairobi time, if it is free; else SlotUnavailable naming why. Call it with
    the centre row locked (see _lock_slots)."""
    # Compared before any time-zone arithmetic, which overflows near year 1 or 9999.
    if slot_start.date() > clock.local_date() + dt.timedelta(days=BOOK_DAYS_AHEAD):
        raise SlotUnavailable(
            _("Book at most %(n)s days ahead.") % {"n": BOOK_DAYS_AHEAD}, field="slot_start"
        )
    if slot_start.date() < clock.local_date() - dt.timedelta(days=1):
        raise SlotUnavailable(_("That time is not available; choose another."), field="slot_start")
    local = slot_start.astimezone(clock.NAIROBI)
    if local.minute % SLOT_MINUTES or local.second or local.microsecond:
        raise SlotUnavailable(_("Choose one of the listed times."), field="slot_start")
    refused = day_refused(centre, local.date())
    if refused:
        raise SlotUnavailable(refused, field="date")
    if local not in available_slots(centre, service, local.date(), ignore=ignore):
        raise SlotUnavailable(_("That time is not available; choose another."), field="slot_start")
    return local


def _lock_slots(centre: Centre) -> None:
    # The centre row is the lock of its slots: two bookings (or moves) into the last place in
    # a slot cannot both pass the count.
    Centre.objects.select_for_update().get(pk=centre.pk)


def _requirements_text(appointment: Appointment) -> str:
    sw = appointment.language == "sw"
    texts = [
        r.text_sw if sw else r.text_en
        for r in appointment.service.requirements.order_by("position")
    ]
    return "; ".join(texts)[:200] or "-"


def _sms(appointment: Appointment, template: str) -> None:
    local = appointment.slot_start.astimezone(clock.NAIROBI)
    sms_send(
        to=appointment.phone,
        template=template,
        context={
            "centre": appointment.centre.name,
            "reference": appointment.reference,
            "service": appointment.service.name_sw
            if appointment.language == "sw"
            else appointment.service.name_en,
            "when": local.strftime("%d/%m/%Y %H:%M"),
            "requirements": _requirements_text(appointment),
        },
        language=appointment.language,
    )


@transaction.atomic
def appointment_book(
    *, centre: Centre, service: Service, slot_start: dt.datetime, phone: str, language: str = "sw"
) -> Appointment:
    services.services_offered(centre, [service])
    phone = normalise_phone(phone)
    _lock_slots(centre)
    # The same booking again (a double click, a reloaded form, a retried request, or Back then
    # Book again, where the browser may restore the form with the next time ticked because the
    # time booked has left the list) is the booking already made: one phone holds one booking
    # of a service at a centre per day, checked under the centre's lock. No second place taken,
    # no second SMS; moving it is the way to another time.
    same = None
    if _in_range(slot_start):
        day = slot_start.astimezone(clock.NAIROBI).date()
        start = dt.datetime.combine(day, dt.time.min, tzinfo=clock.NAIROBI)
        same = Appointment.objects.filter(
            centre=centre,
            service=service,
            phone=phone,
            status=Appointment.Status.BOOKED,
            slot_start__gte=start,
            slot_start__lt=start + dt.timedelta(days=1),
        ).first()
    # A time that could never be booked is refused even then (the place held does not count).
    local = _slot_checked(centre, service, slot_start, ignore=same)
    if same is not None:
        return same
    appointment = Appointment.objects.create(
        reference="AP-" + "".join(secrets.choice(_ALPHABET) for _ in range(6)),
        centre=centre,
        service=service,
        slot_start=local,
        phone=phone,
        language=language if language in ("en", "sw") else "sw",
    )
    _sms(appointment, "appointment_booked")
    return appointment


def _in_range(moment: dt.datetime) -> bool:
    """Far enough from year 1 and 9999 for time-zone arithmetic."""
    return dt.date(2, 1, 1) < moment.date() < dt.date(9998, 12, 31)


def appointment_for_citizen(*, centre: Centre, reference: str, phone: str) -> Appointment:
    """The booking with this reference and phone at this centre. Whichever of the three does
    not match, the answer is the same, so nobody learns which references exist."""
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber as exc:
        raise UnknownAppointment(str(exc), field="phone") from exc
    appointment = (
        Appointment.objects.select_related("centre", "service")
        .filter(reference=(reference or "").strip().upper()[:12], centre=centre, phone=phone)
        .first()
    )
    if appointment is None:
        raise UnknownAppointment(
            _("No booking matches that reference and mobile number. Check both and try again."),
            field="reference",
        )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("centre", "service")
        .get(pk=appointment.pk)
    )


def appointment_cancel(*, appointment: Appointment) -> Appointment:
    """Cancel a booking (its place in the slot is free at once); cancelling again changes
    nothing and sends no second SMS. A booking already checked in is a ticket now."""
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status == Appointment.Status.CANCELLED:
            return appointment
        if appointment.status == Appointment.Status.CHECKED_IN:
            raise TicketStateError(
                _("This booking is already checked in; cancel the ticket instead."),
                field="reference",
            )
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status"])
        _sms(appointment, "appointment_cancelled")
    return appointment


def appointment_move(*, appointment: Appointment, slot_start: dt.datetime) -> Appointment:
    """Move a booking to another free slot of its service. The old place is freed and the new
    one taken in one UPDATE, under the lock the bookings take, so the slot's capacity holds.
    Moving to the slot it already has changes nothing (a repeated request)."""
    with transaction.atomic():
        _lock_slots(appointment.centre)
        appointment = _locked(appointment)
        if appointment.status != Appointment.Status.BOOKED:
            raise TicketStateError(
                _("This booking was cancelled or checked in; book again."), field="reference"
            )
        if _in_range(slot_start) and appointment.slot_start == slot_start:
            return appointment
        local = _slot_checked(appointment.centre, appointment.service, slot_start, appointment)
        appointment.slot_start = local
        appointment.save(update_fields=["slot_start"])
        _sms(appointment, "appointment_moved")
    return appointment


def appointment_check_in(*, reference: str, centre: Centre, actor=None) -> Visit:
    """Turn a booking into a visit in the queue, credited as arriving before its slot."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("service")
            .filter(reference=reference.strip().upper())
            .first()
        )
        if appointment is None:
            raise UnknownAppointment(_("No appointment has that reference."), field="reference")
        if appointment.centre_id != centre.pk:
            raise OtherCentre(_("This appointment is at another centre."), field="reference")
        if appointment.status == Appointment.Status.CHECKED_IN and appointment.visit_id:
            return appointment.visit  # checking in twice gives the same ticket
        if appointment.status != Appointment.Status.BOOKED:
            raise TicketStateError(_("This appointment was cancelled."), field="reference")
        if clock.local_date(appointment.slot_start) != clock.local_date():
            raise TicketStateError(_("This appointment is for another day."), field="reference")
        visit = services.visit_issue(
            centre=centre,
            services=[appointment.service],
            channel=IssueChannel.APPOINTMENT,
            requirements_confirmed=True,
            phone=appointment.phone,
            language=appointment.language,
            actor=actor,
            appointment=appointment,
            idempotency_key=appointment.reference,
        )
        appointment.status = Appointment.Status.CHECKED_IN
        appointment.visit = visit
        appointment.save(update_fields=["status", "visit"])
        return visit

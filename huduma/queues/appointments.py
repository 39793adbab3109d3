"""Appointments: book a slot online, check in on arrival to join the queue near the slot."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.catalogue.models import CounterService, Service
from huduma.core import clock
from huduma.core.phones import normalise_phone
from huduma.notify.services import sms_send
from huduma.places.models import Centre
from huduma.queues import services
from huduma.queues.errors import OtherCentre, SlotUnavailable, TicketStateError, UnknownAppointment
from huduma.queues.models import Appointment, IssueChannel, Visit

SLOT_MINUTES = 15
OPENING = dt.time(8, 0)
CLOSING = dt.time(17, 0)
BOOK_DAYS_AHEAD = 30
_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"  # no look-alikes (0/O, 1/I, 5/S, 8/B)


def slot_capacity(centre: Centre, service: Service) -> int:
    """Bookings per slot: one per counter that can serve the service (walk-ins still come)."""
    return CounterService.objects.filter(
        counter__centre=centre, counter__is_active=True, service=service
    ).count()


def bookable_day(day: dt.date) -> bool:
    """From today to BOOK_DAYS_AHEAD days ahead (Nairobi time)."""
    today = clock.local_date()
    return today <= day <= today + dt.timedelta(days=BOOK_DAYS_AHEAD)


def available_slots(centre: Centre, service: Service, day: dt.date) -> list[dt.datetime]:
    # Days outside the booking window have no free slot; checking first also keeps dates such
    # as 9999-12-31 away from time-zone arithmetic, which would overflow.
    if not bookable_day(day) or not clock.is_working_day(day):
        return []
    capacity = slot_capacity(centre, service)
    if capacity == 0:
        return []
    start = dt.datetime.combine(day, OPENING, tzinfo=clock.NAIROBI)
    end = dt.datetime.combine(day, CLOSING, tzinfo=clock.NAIROBI)
    taken: dict[dt.datetime, int] = {}
    for slot in Appointment.objects.filter(
        centre=centre,
        service=service,
        slot_start__gte=start,
        slot_start__lt=end,
        status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN],
    ).values_list("slot_start", flat=True):
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


@transaction.atomic
def appointment_book(
    *, centre: Centre, service: Service, slot_start: dt.datetime, phone: str, language: str = "sw"
) -> Appointment:
    services.services_offered(centre, [service])
    phone = normalise_phone(phone)
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
    if local.date() > clock.local_date() + dt.timedelta(days=BOOK_DAYS_AHEAD):
        raise SlotUnavailable(
            _("Book at most %(n)s days ahead.") % {"n": BOOK_DAYS_AHEAD}, field="slot_start"
        )
    # Lock the centre row so two bookings of the last place in a slot cannot both succeed.
    Centre.objects.select_for_update().get(pk=centre.pk)
    # The same booking again (a double click, a reloaded form, a retried request) is the
    # booking already made: no second place taken, no second SMS.
    same = Appointment.objects.filter(
        centre=centre,
        service=service,
        slot_start=local,
        phone=phone,
        status=Appointment.Status.BOOKED,
    ).first()
    if same is not None:
        return same
    if local not in available_slots(centre, service, local.date()):
        raise SlotUnavailable(_("That time is not available; choose another."), field="slot_start")
    appointment = Appointment.objects.create(
        reference="AP-" + "".join(secrets.choice(_ALPHABET) for _ in range(6)),
        centre=centre,
        service=service,
        slot_start=local,
        phone=phone,
        language=language if language in ("en", "sw") else "sw",
    )
    requirements = service.requirements.order_by("position")
    sms_send(
        to=phone,
        template="appointment_booked",
        context={
            "centre": centre.name,
            "reference": appointment.reference,
            "service": service.name_sw if appointment.language == "sw" else service.name_en,
            "when": local.strftime("%d/%m/%Y %H:%M"),
            "requirements": "; ".join(
                r.text_sw if appointment.language == "sw" else r.text_en for r in requirements
            )[:200]
            or "-",
        },
        language=appointment.language,
    )
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

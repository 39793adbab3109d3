"""A citizen's visits and bookings by phone number (read by the contact centre and USSD)."""

import datetime as dt

from django.db.models import QuerySet

from huduma.core import clock
from huduma.queues.models import Appointment, Visit

HISTORY_LIMIT = 20


def visits_for_phone(phone: str, *, limit: int = HISTORY_LIMIT) -> list[Visit]:
    """The visits (with their tickets) issued to this phone number, newest first."""
    if not phone:
        return []
    return list(
        Visit.objects.filter(phone=phone)
        .select_related("centre")
        .prefetch_related("tickets__service")
        .order_by("-arrived_at")[:limit]
    )


def appointments_for_phone(phone: str, *, limit: int = HISTORY_LIMIT) -> list[Appointment]:
    """The bookings made with this phone number, latest slot first."""
    if not phone:
        return []
    return list(
        Appointment.objects.filter(phone=phone)
        .select_related("centre", "service")
        .order_by("-slot_start")[:limit]
    )


def visits_of_phone(phone: str, day: dt.date) -> QuerySet[Visit]:
    """A phone's visits of a day, newest first: what its holder may ask about by phone."""
    return (
        Visit.objects.filter(phone=phone, service_day=day)
        .select_related("centre")
        .order_by("-arrived_at")
    )


def appointments_ahead_for_phone(phone: str, now: dt.datetime | None = None):
    """A phone's bookings still to come (booked, not checked in or cancelled), soonest first."""
    return (
        Appointment.objects.filter(
            phone=phone,
            status=Appointment.Status.BOOKED,
            slot_start__gt=now or clock.now(),
        )
        .select_related("centre", "service")
        .order_by("slot_start")
    )

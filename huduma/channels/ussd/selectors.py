"""Reads of the USSD journeys, each over the owning app's own selector."""

from django.conf import settings

from huduma.catalogue.selectors import centre_charter, centres_find
from huduma.core import clock
from huduma.feedback.models import RatingInvitation
from huduma.places.models import Centre, SubCounty
from huduma.queues.selectors import appointments_ahead_for_phone, visits_of_phone


def open_centres_matching(words: str, *, service_id: int | None = None) -> list[Centre]:
    """Open centres whose name, town or county holds the words (the web's centre finder),
    offering the service when one is chosen."""
    if not words.strip():
        return []
    qs = centres_find(q=words).filter(status=Centre.Status.OPEN)
    if service_id is not None:
        qs = qs.filter(offered_services__service_id=service_id)
    return list(qs.distinct())


def charter(centre: Centre, language: str) -> list:
    """The centre's charter, by name in the caller's language (the engine has it active)."""
    return centre_charter(centre)


def visits_today(phone: str):
    return visits_of_phone(phone, clock.local_date())


def bookings_ahead(phone: str):
    return appointments_ahead_for_phone(phone)


def invitation(pk: str) -> RatingInvitation:
    return RatingInvitation.objects.select_related("visit__centre").get(pk=pk)


def sub_counties_matching(words: str):
    words = words.strip()
    if not words:
        return SubCounty.objects.none()
    return SubCounty.objects.filter(name__icontains=words).select_related("county")


def payments_sandbox() -> bool:
    return bool(settings.PAYMENTS_SANDBOX)

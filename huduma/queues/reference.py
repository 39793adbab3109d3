"""Reference rows every queue action reads, through the per-process reference cache.

The instances returned are shared between requests: read them, never change and save them.
"""

import datetime as dt

from huduma.catalogue.models import CentreService, CounterService, Service
from huduma.core import refcache
from huduma.places.models import Centre, Counter
from huduma.queues.models import DaySkill, OfficerSkill

# Long texts a ticket never needs when a counter calls it.
HEAVY_SERVICE_FIELDS = (
    "description_en",
    "description_sw",
    "keywords_en",
    "keywords_sw",
    "search_text",
)


def centre_by_code(code: str) -> Centre | None:
    return refcache.get(("centre", code), lambda: Centre.objects.filter(code=code).first())


def counter_with_centre(counter_id: int) -> Counter | None:
    return refcache.get(
        ("counter", counter_id),
        lambda: Counter.objects.select_related("centre").filter(pk=counter_id).first(),
    )


def service_by_code(code: str) -> Service | None:
    return refcache.get(
        ("service", code),
        lambda: Service.objects.defer(*HEAVY_SERVICE_FIELDS).filter(code=code).first(),
    )


def service_by_id(service_id: int) -> Service | None:
    return refcache.get(
        ("service-id", service_id),
        lambda: Service.objects.defer(*HEAVY_SERVICE_FIELDS).filter(pk=service_id).first(),
    )


def counter_skills(counter_id: int, day: dt.date) -> frozenset[int]:
    """The ids of the services a counter can serve on `day` (Nairobi date): its lasting skills
    and those moved to it for that day only. The day is in the key, so a skill moved for today
    lapses at midnight whatever the cache holds."""
    return refcache.get(
        ("skills", counter_id, day),
        lambda: frozenset(
            CounterService.objects.filter(counter_id=counter_id)
            .values_list("service_id", flat=True)
            .union(
                DaySkill.objects.filter(counter_id=counter_id, day=day).values_list(
                    "service_id", flat=True
                )
            )
        ),
    )


def officer_skills(officer_id: int) -> frozenset[int]:
    """The ids of the services an officer carries to any counter (second skills)."""
    return refcache.get(
        ("officer-skills", officer_id),
        lambda: frozenset(
            OfficerSkill.objects.filter(officer_id=officer_id).values_list("service_id", flat=True)
        ),
    )


def offered_service_ids(centre_id: int) -> frozenset[int]:
    """The ids of the active services on a centre's charter."""
    return refcache.get(
        ("offered", centre_id),
        lambda: frozenset(
            CentreService.objects.filter(centre_id=centre_id, service__is_active=True).values_list(
                "service_id", flat=True
            )
        ),
    )


def offered_services(centre_id: int) -> list[Service]:
    """The active services on a centre's charter (light rows), in no particular order: what
    the console's transfer and add-a-service choices list on every press."""
    return refcache.get(
        ("offered-services", centre_id),
        lambda: list(
            Service.objects.defer(*HEAVY_SERVICE_FIELDS).filter(
                offered_at__centre_id=centre_id, is_active=True
            )
        ),
    )

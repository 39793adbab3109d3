"""What Huduma saves citizens, by the programme's own method (SavingsMethod, the Secretariat's
inputs) applied to the data:

- trips avoided: a visit that completed services of k MDAs would otherwise have been k trips,
  one to each MDA's office; at a Huduma Centre it was one. Trips avoided = k - 1 per visit
  (queues.selectors.trips_avoided), each worth `trip_cost_kes`;
- time saved: `hours_saved_per_service` for each service completed, each hour worth
  `hour_value_kes`;
- bribes avoided: for each service completed, the bribe citizens report being asked
  (`bribe_kes`) in the share of services where one was asked before (`bribe_share_pct`).

All in Decimal KES, rounded to the cent once per figure.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache

from huduma.core import clock
from huduma.performance.models import SavingsMethod
from huduma.places.models import Centre
from huduma.queues import selectors as queues

CENTS = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Saving:
    label: str
    code: str  # the centre's code; "" for the national total
    visits: int
    services: int
    trips_avoided: int
    hours_saved: Decimal
    trips_kes: Decimal
    time_kes: Decimal
    bribes_kes: Decimal

    @property
    def total_kes(self) -> Decimal:
        return self.trips_kes + self.time_kes + self.bribes_kes


def saving_of(
    method: SavingsMethod, *, label: str, code: str, visits: int, services: int, trips: int
) -> Saving:
    hours = Decimal(services) * method.hours_saved_per_service
    return Saving(
        label=label,
        code=code,
        visits=visits,
        services=services,
        trips_avoided=trips,
        hours_saved=hours,
        trips_kes=_cents(Decimal(trips) * method.trip_cost_kes),
        time_kes=_cents(hours * method.hour_value_kes),
        bribes_kes=_cents(
            Decimal(services) * method.bribe_share_pct / Decimal(100) * method.bribe_kes
        ),
    )


def current_method() -> SavingsMethod | None:
    return SavingsMethod.objects.order_by("-created_at", "-id").first()


def savings(
    method: SavingsMethod, *, first: dt.date, last: dt.date, centre: Centre | None = None
) -> tuple[list[Saving], Saving]:
    """Per centre (most saved first) and the national total, over the services completed on
    the days first..last."""
    since = dt.datetime.combine(first, dt.time.min, tzinfo=clock.NAIROBI)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=clock.NAIROBI)
    rows = queues.trips_avoided(since=since, until=until, centre=centre)
    centres = Centre.objects.in_bulk([r.centre_id for r in rows])
    per_centre = [
        saving_of(
            method,
            label=centres[r.centre_id].name,
            code=centres[r.centre_id].code,
            visits=r.visits,
            services=r.services,
            trips=r.trips_avoided,
        )
        for r in rows
    ]
    per_centre.sort(key=lambda s: (-s.total_kes, s.label))
    total = saving_of(
        method,
        label="",
        code="",
        visits=sum(r.visits for r in rows),
        services=sum(r.services for r in rows),
        trips=sum(r.trips_avoided for r in rows),
    )
    return per_centre, total


# The public page's figures, kept a few minutes: anyone may ask for them, and a year of a
# national programme is millions of tickets. A new method has a new id, so it shows at once.
CACHE_SECONDS = 600
LONGEST_PERIOD = dt.timedelta(days=366)


def savings_cached(
    method: SavingsMethod, *, first: dt.date, last: dt.date
) -> tuple[list[Saving], Saving]:
    key = f"performance:savings:{method.pk}:{first.isoformat()}:{last.isoformat()}"
    return cache.get_or_set(key, lambda: savings(method, first=first, last=last), CACHE_SECONDS)

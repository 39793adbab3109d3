"""The contact centre: the CPU one call event costs (stored once, applied under the call's row
lock; one in ten a provider's retry), and the screen pop (the caller's history read from every
app through their selectors, and audited) at a small and a large number of other citizens'
rows in the same run: with the phone indexes the ratio stays near 1.

Knobs (environment): CONTACT_BENCH_CALLS (calls, 300: three events each), CONTACT_BENCH_SMALL
(other citizens' rows per table at first, 2000), CONTACT_BENCH_LARGE (then, 20000; 100000 for
the figures in docs/contact-centre.md, about ten minutes on a busy machine),
CONTACT_BENCH_POPS (screen pops measured at each size, 100).
"""

import datetime as dt
import os
import random
import statistics
import time
import uuid
from decimal import Decimal

import django

CALLS = int(os.environ.get("CONTACT_BENCH_CALLS", "300"))
SMALL = int(os.environ.get("CONTACT_BENCH_SMALL", "2000"))
LARGE = int(os.environ.get("CONTACT_BENCH_LARGE", "20000"))
POPS = int(os.environ.get("CONTACT_BENCH_POPS", "100"))
PREFIX = "CCB"


def phone(n: int) -> str:
    return f"+2547{n:08d}"


def setup():
    from huduma.accounts.models import Role, User
    from huduma.catalogue.models import MDA, Service
    from huduma.channels.contact.models import AgentSeat
    from huduma.places.models import Centre, County

    county, _ = County.objects.get_or_create(
        code=47, defaults={"name": "Nairobi", "capital": "Nairobi"}
    )
    centre, _ = Centre.objects.get_or_create(
        code="contact-bench", defaults={"name": "Contact bench centre", "county": county}
    )
    mda, _ = MDA.objects.get_or_create(code=f"{PREFIX}-MDA", defaults={"name_en": "Bench MDA"})
    service, _ = Service.objects.get_or_create(
        code=f"{PREFIX}-SERVICE",
        defaults={
            "mda": mda,
            "name_en": "Bench service",
            "name_sw": "Huduma ya kipimo",
            "fee_kes": Decimal("100.00"),
            "turnaround_days": 5,
        },
    )
    agent, _ = User.objects.get_or_create(
        username="contact.bench", defaults={"role": Role.CONTACT_AGENT}
    )
    AgentSeat.objects.get_or_create(extension="bench-201", defaults={"agent": agent})
    return centre, mda, service, agent


def grow(centre, mda, service, *, start: int, stop: int) -> None:
    """Other citizens' visits, applications and complaints, numbered start..stop (one phone
    each), written in bulk."""
    from huduma.applications.models import Application
    from huduma.complaints.models import Complaint
    from huduma.core import clock
    from huduma.queues.models import Visit

    now = clock.now()
    for lo in range(start, stop, 5000):
        hi = min(lo + 5000, stop)
        Visit.objects.bulk_create(
            Visit(
                centre=centre,
                service_day=now.date() - dt.timedelta(days=n % 300),
                prefix="B",
                sequence=n,
                number=f"B{n % 1000:03d}",
                arrived_at=now - dt.timedelta(minutes=n),
                channel="reception",
                phone=phone(n),
            )
            for n in range(lo, hi)
        )
        Application.objects.bulk_create(
            Application(
                tracking_number=f"CB{n:08d}",
                service=service,
                mda=mda,
                centre=centre,
                phone=phone(n),
                fee_kes=Decimal("100.00"),
                turnaround_days=5,
                received_at=now - dt.timedelta(minutes=n),
                due_on=now.date(),
                updated_at=now,
            )
            for n in range(lo, hi)
        )
        Complaint.objects.bulk_create(
            Complaint(
                reference=f"CB{n:08d}",
                category="delay",
                channel="web",
                level="centre",
                centre=centre,
                text="Bench complaint",
                text_hash=uuid.uuid4().hex,
                phone=phone(n),
                created_at=now - dt.timedelta(minutes=n),
                updated_at=now,
            )
            for n in range(lo, hi)
        )


def events(agent) -> tuple[float, int]:
    """CPU ms per call event, and the events stored (retries are not)."""
    from huduma.channels.contact.models import CallEvent
    from huduma.channels.contact.services import IncomingEvent, call_event_receive

    sent = 0
    run = uuid.uuid4().hex[:8]
    cpu = time.process_time()
    for n in range(CALLS):
        call_id = f"bench-{run}-{n}"
        kinds = ["new", "answered", "hungup"]
        if n % 10 == 0:
            kinds.insert(2, "answered")  # the provider retries a callback
        for kind in kinds:
            call_event_receive(
                event=IncomingEvent(
                    provider="bench",
                    call_id=call_id,
                    kind=kind,
                    caller=phone(n),
                    called="+254206900030",
                    extension="bench-201",
                )
            )
            sent += 1
    cpu = time.process_time() - cpu
    stored = CallEvent.objects.filter(provider="bench", provider_call_id__startswith=f"bench-{run}")
    return 1000 * cpu / sent, stored.count()


def pops(agent, population: int) -> tuple[float, float]:
    """Median and p95 ms of a screen pop for callers drawn from the population."""
    from huduma.channels.contact.services import IncomingEvent, call_event_receive
    from huduma.channels.contact.services import caller_history_open as open_history

    times = []
    rng = random.Random(population)
    for _ in range(POPS):
        n = rng.randrange(population)
        call, _ = call_event_receive(
            event=IncomingEvent(
                provider="bench-pop", call_id=uuid.uuid4().hex, kind="new", caller=phone(n)
            )
        )
        call_event_receive(
            event=IncomingEvent(
                provider="bench-pop",
                call_id=call.provider_call_id,
                kind="answered",
                extension="bench-201",
            )
        )
        start = time.perf_counter()
        history = open_history(agent=agent, call_id=call.pk)
        times.append(1000 * (time.perf_counter() - start))
        assert history.visits and history.applications and history.complaints
        call_event_receive(
            event=IncomingEvent(provider="bench-pop", call_id=call.provider_call_id, kind="hungup")
        )
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huduma.settings")
    django.setup()
    centre, mda, service, agent = setup()
    cpu_ms, stored = events(agent)
    print(f"bench: contact_event_cpu {cpu_ms:.2f} ms/event")
    print(f"bench: contact_events_stored {stored} of {CALLS * 3} distinct ({CALLS // 10} retries)")
    grow(centre, mda, service, start=0, stop=SMALL)
    small_median, small_p95 = pops(agent, SMALL)
    grow(centre, mda, service, start=SMALL, stop=LARGE)
    large_median, large_p95 = pops(agent, LARGE)
    print(f"bench: contact_screen_pop_median_small {small_median:.1f} ms")
    print(f"bench: contact_screen_pop_median_large {large_median:.1f} ms")
    print(f"bench: contact_screen_pop_p95_small {small_p95:.1f} ms ({SMALL} rows per app)")
    print(f"bench: contact_screen_pop_p95_large {large_p95:.1f} ms ({LARGE} rows per app)")
    print(f"bench: contact_screen_pop_ratio {large_p95 / small_p95:.2f} x (large / small p95)")


if __name__ == "__main__":
    main()

"""The performance app's reads on a quarter of tickets: one centre's daily report, the
standards' compliance per centre, service and MDA for the quarter (what the evaluation PDF
reads), an officer's appraisal figures and the national savings.

Writes, in bulk, PERF_CENTRES centres (of the reference data) x PERF_DAYS days x PERF_PER_DAY
tickets (10 x 60 x 150 = 90,000 visits by default; the programme's 45 centres x 90 days x 1,000 with
PERF_CENTRES=45 PERF_DAYS=90 PERF_PER_DAY=1000), with waits and service times drawn from a seeded
generator, one visit in five for two services of different MDAs. Each read runs 5 times; the
median is printed, with the time of a plain count of the quarter's tickets measured in the same
run as the baseline (ratio = read / count): the reads are aggregate queries over the same rows,
so the ratio says how much each costs beyond touching them.
"""

import datetime as dt
import os
import random
import statistics
import time

import django

django.setup()

from django.db import connection, transaction

from huduma.accounts.models import Role, User
from huduma.catalogue.loader import load_reference_data
from huduma.catalogue.models import Service
from huduma.core.clock import NAIROBI
from huduma.performance import appraisal, daily, savings, standards
from huduma.places.models import Centre, Counter
from huduma.queues.models import Ticket, Visit

CENTRES = int(os.environ.get("PERF_CENTRES", "10"))
DAYS = int(os.environ.get("PERF_DAYS", "60"))
PER_DAY = int(os.environ.get("PERF_PER_DAY", "150"))
RUNS = 5
SEED = 21
FIRST = dt.date(2026, 7, 1)  # a quarter: 2026-Q3


def populate(rng: random.Random) -> tuple[list[Centre], list[User]]:
    centres = list(Centre.objects.order_by("code")[:CENTRES])
    services = list(Service.objects.filter(is_active=True).order_by("code")[:12])
    officers = []
    for centre in centres:
        counter, _ = Counter.objects.get_or_create(centre=centre, number=901)
        for n in range(4):
            officers.append(
                (
                    centre,
                    counter,
                    User.objects.create_user(
                        username=f"perf.{centre.code}.{n}"[:150],
                        role=Role.COUNTER_OFFICER,
                        centre=centre,
                    ),
                )
            )
    by_centre = {}
    for centre, counter, officer in officers:
        by_centre.setdefault(centre.pk, []).append((counter, officer))
    seq = 0
    for d in range(DAYS):
        day = FIRST + dt.timedelta(days=d)
        visits, tickets = [], []
        for centre in centres:
            for _n in range(PER_DAY):
                seq += 1
                arrived = dt.datetime.combine(day, dt.time(8), tzinfo=NAIROBI) + dt.timedelta(
                    minutes=rng.randrange(0, 540)
                )
                visit = Visit(
                    centre=centre,
                    service_day=day,
                    prefix="P",
                    sequence=seq,
                    number=f"P{seq}",
                    arrived_at=arrived,
                    channel="reception",
                )
                visits.append(visit)
                picked = rng.sample(services, 2 if rng.random() < 0.2 else 1)
                start = arrived
                for position, service in enumerate(picked):
                    counter, officer = rng.choice(by_centre[centre.pk])
                    wait = dt.timedelta(minutes=rng.expovariate(1 / 18))
                    took = dt.timedelta(minutes=3 + rng.expovariate(1 / 7))
                    served = rng.random() > 0.05
                    tickets.append(
                        Ticket(
                            visit=visit,
                            centre=centre,
                            service=service,
                            position=position,
                            status=Ticket.Status.SERVED if served else Ticket.Status.NO_SHOW,
                            counter=counter,
                            officer=officer,
                            waiting_since=start,
                            called_at=start + wait,
                            started_at=start + wait if served else None,
                            finished_at=start + wait + took,
                        )
                    )
                    start = start + wait + took
        with transaction.atomic():
            Visit.objects.bulk_create(visits, batch_size=5000)
            Ticket.objects.bulk_create(tickets, batch_size=5000)
    return centres, [o for _c, _k, o in officers]


def timed(fn) -> float:
    samples = []
    for _n in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    rng = random.Random(SEED)
    load_reference_data(with_boundaries=False)
    start = time.perf_counter()
    centres, officers = populate(rng)
    tickets = Ticket.objects.filter(visit__prefix="P").count()
    print(
        f"performance reports: {tickets} tickets, {len(centres)} centres, {DAYS} days "
        f"(written in {time.perf_counter() - start:.1f} s, {connection.vendor})"
    )
    first, last = standards.quarter_of(FIRST)
    since = dt.datetime.combine(first, dt.time(), tzinfo=NAIROBI)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=NAIROBI)
    method = savings.current_method()
    cpu0 = time.process_time()
    results = {
        "count_baseline": timed(
            lambda: Ticket.objects.filter(waiting_since__gte=since, waiting_since__lt=until).count()
        ),
        "daily_report": timed(
            lambda: daily.daily_figures(centres[0], FIRST + dt.timedelta(days=9))
        ),
        "wait_per_centre": timed(
            lambda: standards.compliance(kind="wait", level="centre", first=first, last=last)
        ),
        "wait_per_service": timed(
            lambda: standards.compliance(kind="wait", level="service", first=first, last=last)
        ),
        "wait_per_mda": timed(
            lambda: standards.compliance(kind="wait", level="mda", first=first, last=last)
        ),
        "appraisal_month": timed(
            lambda: appraisal.officer_figures(officers[0], FIRST, FIRST + dt.timedelta(days=30))
        ),
        "savings_national_quarter": timed(lambda: savings.savings(method, first=first, last=last)),
    }
    cpu = time.process_time() - cpu0
    base = results["count_baseline"]
    for name, ms in results.items():
        print(f"bench: performance.{name}_ms {ms:.1f} ms")
        if name != "count_baseline":
            print(f"bench: performance.{name}_vs_count {ms / base:.2f} ratio")
    reads = len(results) * RUNS
    print(f"bench: performance.python_cpu_per_read {1000 * cpu / reads:.1f} ms")
    print(
        f"bench: performance.python_cpu_per_read_per_100k_tickets "
        f"{1000 * cpu / reads / tickets * 100_000:.1f} ms"
    )


if __name__ == "__main__":
    main()

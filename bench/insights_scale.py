"""The national dashboard at national scale: a year of tickets written by
`manage.py generate_national_year` (COPY), then 200 random dashboard views and the lag of the
rollups behind a minute of live national traffic.

Prints the size reached (and why, if short of the ask), the bytes per million tickets of the
raw tables (table + index) and of the rollups, `insights.dashboard_p95_ms` (target < 1,000 ms)
with the CPU per view (this process and the database's backends), and `insights.rollup_lag_s`:
how far the figures trail the events when the refresh runs every minute (the oldest event of a
minute of traffic, to the end of the refresh that shows it).

Knobs (environment): INSIGHTS_TICKETS (500,000; the issue's full year is 20,000,000),
INSIGHTS_SEED (1), INSIGHTS_VIEWS (200), INSIGHTS_LIVE_S (60: the minute of live traffic).
"""

import datetime as dt
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import django

TICKETS = int(os.environ.get("INSIGHTS_TICKETS", "500000"))
SEED = int(os.environ.get("INSIGHTS_SEED", "1"))
VIEWS = int(os.environ.get("INSIGHTS_VIEWS", "200"))
LIVE_S = float(os.environ.get("INSIGHTS_LIVE_S", "60"))
YEAR = 2025
# The national rate (DOMAIN.md): 60,000 citizens a day over about 8 opening hours.
LIVE_TICKETS_PER_MIN = 60_000 // (8 * 60)
# Bytes per ticket the generator needs on disk (tables, indexes, rollups, WAL headroom).
DISK_BYTES_PER_TICKET = 3_000


def report(name: str, value, unit: str) -> None:
    print(f"bench: {name} {value} {unit}", flush=True)


def size_reachable(asked: int) -> tuple[int, str]:
    free = shutil.disk_usage(Path(__file__).resolve().parent).free
    fits = int(free * 0.8 / DISK_BYTES_PER_TICKET)
    if asked <= fits:
        return asked, ""
    return fits, f"disk: {free // 2**30} GiB free holds about {fits:,} tickets"


def table_sizes(cursor, tables) -> tuple[int, int]:
    """(table bytes, index bytes) of `tables`, partitions included."""
    heap = index = 0
    for table in tables:
        # A partitioned table's own size is 0: its partitions (pg_partition_tree) hold the rows.
        cursor.execute(
            "SELECT coalesce(sum(pg_table_size(c.oid)), 0), coalesce(sum(pg_indexes_size(c.oid)), 0) "
            "FROM pg_class c WHERE c.oid = %s::regclass "
            "OR c.oid IN (SELECT relid FROM pg_partition_tree(%s::regclass))",
            [table, table],
        )
        h, i = cursor.fetchone()
        heap, index = heap + int(h), index + int(i)
    return heap, index


def random_query(rng, centres, services, mdas, counties, days: tuple[dt.date, dt.date]) -> dict:
    """A period ending on a day that has data (a day, a week, a month, a quarter, a year)."""
    first, last = days
    end = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
    span = rng.choice([1, 7, 30, 30, 91, 365])
    start = max(dt.date(YEAR, 1, 1), end - dt.timedelta(days=span - 1))
    query = {"since": start.isoformat(), "until": end.isoformat()}
    cut = rng.choice(
        ["nation", "nation", "county", "centre", "service", "mda", "channel", "outreach"]
    )
    if cut == "county":
        query["county"] = rng.choice(counties)
    elif cut == "centre":
        query["centre"] = rng.choice(centres)
    elif cut == "service":  # the bottom of the drill-down: a service at a centre, by counter
        query["centre"], query["service"] = rng.choice(centres), rng.choice(services)
    elif cut == "mda":
        query["mda"] = rng.choice(mdas)
    elif cut == "channel":
        query["channel"] = rng.choice(["kiosk", "reception", "appointment", "web", "sms"])
    elif cut == "outreach":
        query["channel"] = "outreach"
    return query


def dashboard_views(connection) -> None:
    from django.db.models import Max, Min
    from django.test import Client

    from bench.procstat import database_backends_cpu_s
    from huduma.accounts.models import Role, User
    from huduma.catalogue.models import MDA, Service
    from huduma.insights.models import QueueCentreDay
    from huduma.places.models import Centre

    viewer, _ = User.objects.get_or_create(
        username="bench-tc", defaults={"role": Role.TECHNICAL_COMMITTEE}
    )
    client = Client()
    client.force_login(viewer)
    rng = random.Random(SEED)
    centres = list(
        Centre.objects.filter(outreaches__isnull=False).distinct().values_list("pk", flat=True)
    )
    county_ids = list(Centre.objects.filter(pk__in=centres).values_list("county_id", flat=True))
    services = list(Service.objects.filter(is_active=True).values_list("pk", flat=True))
    mdas = list(MDA.objects.values_list("pk", flat=True))
    database = connection.settings_dict["NAME"]
    span = QueueCentreDay.objects.aggregate(first=Min("day"), last=Max("day"))
    days = (span["first"], span["last"])
    print(f"(views over the days with data: {days[0]} to {days[1]})")
    args = (centres, services, mdas, county_ids, days)
    client.get("/insights/", random_query(rng, *args))  # warm up
    cpu0, db0 = time.process_time(), database_backends_cpu_s(database)
    times = []
    for _ in range(VIEWS):
        query = random_query(rng, *args)
        started = time.perf_counter()
        response = client.get("/insights/", query)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"dashboard {query}: {response.status_code}")
    cpu = time.process_time() - cpu0 + database_backends_cpu_s(database) - db0
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    report("insights.dashboard_p50_ms", round(statistics.median(times), 1), "ms")
    report("insights.dashboard_p95_ms", round(p95, 1), "ms")
    report("insights.dashboard_max_ms", round(times[-1], 1), "ms")
    report("insights.dashboard_cpu_ms_per_view", round(cpu * 1000 / VIEWS, 1), "ms")


def live_minute() -> None:
    """A minute of national traffic through the ORM (so the triggers mark it): tickets issued,
    called and served across the centres, a third of them rated; then one refresh."""
    from django.db.models import Max

    from huduma.feedback.models import Rating
    from huduma.insights import rollups
    from huduma.insights.models import Pending, QueueDay
    from huduma.places.models import Centre, Counter
    from huduma.queues.models import Ticket, Visit

    rng = random.Random(SEED + 1)
    day = QueueDay.objects.aggregate(last=Max("day"))["last"]  # the last day with data
    centres = list(Centre.objects.filter(outreaches__isnull=False).distinct())
    counters = {c.pk: list(Counter.objects.filter(centre=c)) for c in centres}
    service_ids = list(
        Ticket.objects.filter(visit__service_day=day).values_list("service_id", flat=True)[:50]
    )
    # Numbers after any an earlier run on a kept database left.
    first_seq = (
        Visit.objects.filter(service_day=day, prefix="L").aggregate(m=Max("sequence"))["m"] or 0
    ) + 1
    rollups.refresh()  # start from nothing pending
    served_before = sum(q.served_n for q in QueueDay.objects.filter(day=day))
    base = dt.datetime.combine(day, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=3)))
    n = LIVE_TICKETS_PER_MIN
    started = time.monotonic()
    for i in range(n):
        centre = rng.choice(centres)
        visit = Visit.objects.create(
            centre=centre, service_day=day, prefix="L", sequence=first_seq + i, number=f"L{i:03d}",
            arrived_at=base, channel="kiosk",
        )  # fmt: skip
        ticket = Ticket.objects.create(
            visit=visit, centre=centre, service_id=rng.choice(service_ids), position=1,
            status="waiting", waiting_since=base,
        )  # fmt: skip
        ticket.status, ticket.called_at = "serving", base + dt.timedelta(minutes=12)
        ticket.counter, ticket.started_at = rng.choice(counters[centre.pk]), ticket.called_at
        ticket.save()
        ticket.status, ticket.finished_at = "served", ticket.started_at + dt.timedelta(minutes=6)
        ticket.save()
        if i % 3 == 0:
            Rating.objects.create(
                ticket=ticket, centre=centre, service_id=ticket.service_id, ending="served",
                channel="tablet", score=5, at=ticket.finished_at,
            )  # fmt: skip
        # Spread over the minute, as the traffic is.
        time.sleep(max(0.0, started + LIVE_S * (i + 1) / n - time.monotonic()))
    marks = Pending.objects.count()
    refresh_started = time.monotonic()
    result = rollups.refresh()
    refreshed = time.monotonic()
    served_after = sum(q.served_n for q in QueueDay.objects.filter(day=day))
    if served_after - served_before != n:
        raise SystemExit(f"rollups missed events: {served_after - served_before} of {n}")
    lag = refreshed - started  # the oldest event of the minute, to the end of its refresh
    report("insights.live_tickets", n, "tickets/min")
    report("insights.live_marks", marks, "marks")
    report("insights.refresh_s", round(refreshed - refresh_started, 2), "s")
    report("insights.refresh_slices", result.slices, "slices")
    report("insights.rollup_lag_s", round(lag, 1), "s")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huduma.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from huduma.insights.models import QueueDay

    if connection.vendor != "postgresql":
        raise SystemExit("insights_scale needs PostgreSQL")
    tickets, why = size_reachable(TICKETS)
    started = time.monotonic()
    if not QueueDay.objects.filter(day__year=YEAR).exists():
        call_command("generate_national_year", tickets=tickets, seed=SEED, year=YEAR)
    else:
        print(f"(reusing the year {YEAR} already in {connection.settings_dict['NAME']})")
    generated_s = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM queues_ticket")
        reached = cursor.fetchone()[0]
        raw = table_sizes(
            cursor,
            ["queues_visit", "queues_ticket", "feedback_rating", "applications_application",
             "ledger_entry", "complaints_complaint"],
        )  # fmt: skip
        tickets_only = table_sizes(cursor, ["queues_visit", "queues_ticket"])
        rolled = table_sizes(
            cursor,
            ["insights_queueday", "insights_queuemonth", "insights_counterday",
             "insights_revenueday", "insights_revenuemonth", "insights_applicationday",
             "insights_applicationmonth", "insights_complaintday"],
        )  # fmt: skip
    report("insights.tickets_asked", TICKETS, "tickets")
    report("insights.tickets", reached, "tickets")
    if reached < TICKETS:
        print(f"(size reached {reached:,} of {TICKETS:,}: {why or 'see above'})")
    report("insights.generate_s", round(generated_s), "s")
    per_m = 1_000_000 / max(reached, 1)
    report("insights.ticket_tables_mb_per_m", round(tickets_only[0] * per_m / 2**20), "MB table")
    report("insights.ticket_indexes_mb_per_m", round(tickets_only[1] * per_m / 2**20), "MB index")
    report("insights.raw_tables_mb_per_m", round(raw[0] * per_m / 2**20), "MB table")
    report("insights.raw_indexes_mb_per_m", round(raw[1] * per_m / 2**20), "MB index")
    report("insights.rollups_mb_per_m", round(sum(rolled) * per_m / 2**20, 1), "MB")
    report("insights.rollups_mb", round(sum(rolled) / 2**20, 1), "MB")
    dashboard_views(connection)
    live_minute()


if __name__ == "__main__":
    main()

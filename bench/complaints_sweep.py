"""Complaint escalation sweep: one sweep over 100,000 open complaints on PostgreSQL.

100,000 open complaints at every level, 1% of them due: 600 fell due at the Centre Manager a
few hours ago (to the MDA), 200 fell due twice during ten days of downtime (straight to the
Secretariat), 200 resolved and unanswered for a week (closed). The sweep runs the real
``complaints_sweep`` (claim, escalate, events, SMS outbox rows) inside a transaction that is
rolled back, three times after a warm-up; the median is reported. The baseline is the same sweep handling one
complaint per transaction (batch_size=1), as a loop over the single-complaint verbs would.
"""

import datetime as dt
import random
import statistics
import time

import django

django.setup()

from django.db import connection, transaction

from huduma.catalogue.loader import load_reference_data
from huduma.catalogue.models import MDA
from huduma.complaints.models import Category, Channel, Complaint, Level, Status
from huduma.complaints.services import REFERENCE_ALPHABET, complaints_sweep
from huduma.core.clock import NAIROBI
from huduma.places.models import Centre

OPEN_COMPLAINTS = 100_000
SEED = 20261126
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=NAIROBI)  # a Monday morning
RUNS = 3
ORDINARY = [c for c in Category.values if c not in ("bribery", "maladministration")]


def reference(n: int) -> str:
    chars = []
    for _ in range(8):
        n, digit = divmod(n, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def populate(rng: random.Random) -> dict[str, int]:
    centres = list(Centre.objects.values_list("pk", flat=True))
    mdas = list(MDA.objects.values_list("pk", flat=True))
    kinds = {"to_mda": 600, "twice": 200, "auto_close": 200}
    plan = ["to_mda"] * 600 + ["twice"] * 200 + ["auto_close"] * 200
    plan += ["later"] * (OPEN_COMPLAINTS - len(plan))
    rng.shuffle(plan)
    batch = []
    for n, kind in enumerate(plan):
        created = NOW - dt.timedelta(hours=rng.uniform(1, 24 * 20))
        level, status, due = Level.CENTRE, Status.ACKNOWLEDGED, None
        category = rng.choice(ORDINARY)
        if kind == "to_mda":
            due = NOW - dt.timedelta(hours=rng.uniform(0.1, 6))
        elif kind == "twice":
            due = NOW - dt.timedelta(days=10)
        elif kind == "auto_close":
            status, due = Status.RESOLVED, NOW - dt.timedelta(hours=rng.uniform(1, 48))
        else:
            roll = rng.random()
            if roll < 0.05:
                category, level = "bribery", Level.MONITOR
            elif roll < 0.12:
                level = Level.SECRETARIAT
            else:
                level = rng.choice([Level.CENTRE, Level.MDA])
                status = rng.choice([Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS])
                due = NOW + dt.timedelta(hours=rng.uniform(1, 24 * 7))
        batch.append(
            Complaint(
                reference=reference(n + 1),
                category=category,
                channel=Channel.WEB,
                status=status,
                level=level,
                centre_id=rng.choice(centres),
                mda_id=rng.choice(mdas),
                text="Bench complaint.",
                text_hash=f"{n:064x}",
                phone=f"+2547{rng.randrange(10**8):08d}",
                due_at=due,
                created_at=created,
                updated_at=created,
            )
        )
        if len(batch) == 5000:
            Complaint.objects.bulk_create(batch)
            batch = []
    Complaint.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
    return kinds


def main() -> None:
    if connection.vendor != "postgresql":
        print("complaints sweep bench: needs PostgreSQL (set DATABASE_URL); skipped")
        return
    rng = random.Random(SEED)
    load_reference_data(with_boundaries=False)
    Complaint.objects.all().delete()
    start = time.perf_counter()
    populate(rng)
    print(
        f"complaints sweep: {Complaint.objects.count()} open complaints "
        f"(loaded in {time.perf_counter() - start:.1f} s), seed {SEED}"
    )
    timed_sweep(batch_size=2000)  # warm-up: imports the URL map, fills the caches
    sweeps, result = [], None
    for _ in range(RUNS):
        sweeps.append(timed_sweep(batch_size=2000))
    result = timed_sweep(batch_size=2000, result=True)
    baseline = timed_sweep(batch_size=1)
    sweep_ms = statistics.median(sweeps)
    print(
        f"complaints sweep: escalated {result.escalated}, closed {result.closed}; "
        f"runs {', '.join(f'{s:.0f}' for s in sweeps)} ms; one per transaction {baseline:.0f} ms"
    )
    print(f"bench: complaints.escalation_sweep_ms {sweep_ms:.0f} ms")
    print(f"bench: complaints.escalation_sweep_one_by_one_ms {baseline:.0f} ms")
    print(f"bench: complaints.escalation_sweep_vs_one_by_one {sweep_ms / baseline:.2f} ratio")


def timed_sweep(*, batch_size: int, result: bool = False):
    """One sweep at NOW, rolled back afterwards so every run sees the same complaints."""
    with transaction.atomic():
        start = time.perf_counter()
        outcome = complaints_sweep(now=NOW, batch_size=batch_size)
        elapsed = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)
    return outcome if result else elapsed


if __name__ == "__main__":
    main()

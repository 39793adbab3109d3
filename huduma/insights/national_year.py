"""A year of national volume for the scale bench (manage.py generate_national_year): tickets
with their visits, ratings, applications, ledger entries and complaints at the operational
centres, written with PostgreSQL COPY, seeded, with a realistic shape.

Shape (each constant a rough reading of the programme's own figures, DOMAIN.md):
- 58 centres, sizes falling off as 1/rank^0.8 (GPO Nairobi is several times Kisumu's size);
- open Monday-Friday and Saturday morning (half the volume), shut on Sundays and holidays;
- a seasonal swell in January (school and ID rush) and June (tax returns), a lull in December;
- arrivals peaking 09:00-11:00 with a smaller after-lunch rise; waits longer when busy;
- 92% served, 5% no-show, 3% cancelled; 45% of served tickets rated (CSAT around 95%);
- a quarter of served tickets lodge an application, a third pay a fee, 1 in 1,000 complains;
- each centre holds one or two outreach days a month (prefix Z), 2% of its month's tickets.

Triggers are off for the session (session_replication_role = replica): the rollups are then
filled by rollups.rebuild, month by month - the same SQL as the live refresh. Rows are
synthetic: phone numbers are a placeholder, names none.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from huduma.accounts.models import Role, User
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.insights import rollups
from huduma.outreach.plan_models import Outreach, OutreachDay
from huduma.places.models import Centre, Counter, SubCounty

CENTRES = 58
COUNTERS_PER_CENTRE = 10
SEASON = {1: 1.25, 2: 1.0, 3: 1.0, 4: 0.95, 5: 1.0, 6: 1.2, 7: 1.05, 8: 1.1, 9: 1.0, 10: 0.95,
          11: 0.95, 12: 0.7}  # fmt: skip
WEEKDAY = (1.2, 1.05, 1.0, 1.0, 0.95, 0.5, 0.0)  # Monday .. Sunday
# Arrival hour weights, 08:00 .. 16:00 (17:00 closing).
HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16)
HOUR_WEIGHTS = (0.10, 0.17, 0.17, 0.14, 0.10, 0.08, 0.10, 0.08, 0.06)
CHANNELS = ("reception", "kiosk", "appointment", "web", "sms")
CHANNEL_WEIGHTS = (0.55, 0.22, 0.10, 0.08, 0.05)
SCORES = (1, 2, 3, 4, 5)
SCORE_WEIGHTS = (0.01, 0.01, 0.03, 0.25, 0.70)
COMPLAINT_CATEGORIES = ("service_quality", "delay", "bribery", "discrimination", "other")
OUTREACH_SHARE = 0.02
NAIROBI_OFFSET = "+03"


@dataclass
class Counts:
    visits: int = 0
    tickets: int = 0
    ratings: int = 0
    applications: int = 0
    entries: int = 0
    complaints: int = 0
    days: int = 0
    extra: dict = field(default_factory=dict)


def _weights(n: int) -> list[float]:
    return [1 / (rank**0.8) for rank in range(1, n + 1)]


def _hms(seconds: int) -> str:
    seconds = min(seconds, 86399)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Buffers:
    """One text buffer per table, flushed with COPY (tab-separated, \\N for NULL)."""

    COLUMNS = {
        "queues_visit": "id, node_id, service_day, prefix, sequence, number, arrived_at, "
        "priority, priority_requested, channel, phone, language, near_front_sms, "
        "idempotency_scope, idempotency_request, centre_id",
        "queues_ticket": "id, node_id, visit_id, centre_id, service_id, position, status, "
        "recalls, waiting_since, called_at, started_at, finished_at, counter_id, officer_id",
        "feedback_rating": "id, node_id, ticket_id, centre_id, counter_id, officer_id, "
        "service_id, ending, channel, score, reasons, comment, language, at",
        "applications_application": "id, node_id, tracking_number, ticket_id, service_id, "
        "mda_id, centre_id, phone, language, fee_kes, checklist, status, reason, "
        "collection_centre_id, turnaround_days, received_at, due_on, breached_at, updated_at",
        "ledger_entry": "kind, at, payment_id, amount, mda_id, centre_id, service_id, method, "
        "reference, chain, seq, prev_hash, hash",
        "complaints_complaint": "id, node_id, reference, category, channel, status, level, "
        "centre_id, service_id, mda_id, text, text_hash, names_staff, phone, language, "
        "anonymous, secret_hash, source, location, resolution, public_note, reporter, "
        "sms_step, idempotency_scope, idempotency_key, request_hash, resolved_at, closed_at, "
        "overdue_since, created_at, updated_at",
    }

    def __init__(self):
        self.buffers = {table: io.StringIO() for table in self.COLUMNS}
        self.rows = 0

    def add(self, table: str, *values) -> None:
        self.buffers[table].write("\t".join(values))
        self.buffers[table].write("\n")
        self.rows += 1

    def flush(self, cursor) -> None:
        for table, buffer in self.buffers.items():
            data = buffer.getvalue()
            if not data:
                continue
            with cursor.copy(f"COPY {table} ({self.COLUMNS[table]}) FROM STDIN") as copy:
                copy.write(data)
        self.__init__()


def _reference(centres_wanted: int):
    """The centres, services, counters and officers the year is made at (created if missing)."""
    if Centre.objects.filter(status=Centre.Status.OPEN).count() < centres_wanted:
        from huduma.catalogue.loader import load_reference_data

        load_reference_data(with_boundaries=False)
    centres = list(Centre.objects.filter(status=Centre.Status.OPEN).order_by("code"))[
        :centres_wanted
    ]
    services = list(
        Service.objects.filter(is_active=True).values_list(
            "pk", "mda_id", "fee_kes", "turnaround_days"
        )
    )
    counters: dict[int, list[tuple[int, int]]] = {}
    password = make_password(None)
    for centre in centres:
        have = list(Counter.objects.filter(centre=centre).order_by("number"))
        for number in range(len(have) + 1, COUNTERS_PER_CENTRE + 1):
            have.append(Counter.objects.create(centre=centre, number=number))
        pairs = []
        for counter in have[:COUNTERS_PER_CENTRE]:
            officer, _ = User.objects.get_or_create(
                username=f"gen-{centre.pk}-{counter.number}",
                defaults={"role": Role.COUNTER_OFFICER, "centre": centre, "password": password},
            )
            pairs.append((counter.pk, officer.pk))
        counters[centre.pk] = pairs
    return centres, services, counters


def _outreach_days(centres, year: int, rng: random.Random) -> dict[tuple[int, dt.date], bool]:
    """One or two outreach days a month per centre (prefix Z), in its county's sub-counties."""
    days = {}
    for centre in centres:
        subs = list(
            SubCounty.objects.filter(county_id=centre.county_id).values_list("pk", flat=True)
        )
        if not subs:
            continue
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            sub = subs[(month + centre.pk) % len(subs)]
            outreach, _ = Outreach.objects.get_or_create(
                centre=centre,
                sub_county_id=sub,
                month=first,
                defaults={
                    "status": Outreach.Status.HELD,
                    "ticket_prefix": "Z",
                    "imprest_kes": Decimal("50000.00"),
                },
            )
            day = first + dt.timedelta(days=rng.randint(1, 20))
            while not clock.is_working_day(day) or day.weekday() >= 5:
                day += dt.timedelta(days=1)
            OutreachDay.objects.get_or_create(
                outreach=outreach, date=day, defaults={"centre": centre, "ticket_prefix": "Z"}
            )
            days[(centre.pk, day)] = True
    return days


def year_days(year: int) -> list[tuple[dt.date, float]]:
    """Each day of the year with its share of the year's volume (0 when shut)."""
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        weight = 0.0 if clock.is_holiday(day) else WEEKDAY[day.weekday()] * SEASON[day.month]
        out.append((day, weight))
        day += dt.timedelta(days=1)
    total = sum(w for _d, w in out)
    return [(d, w / total) for d, w in out]


def generate(
    *, tickets: int, seed: int, year: int, centres_wanted: int = CENTRES, progress=None
) -> Counts:
    """Write about `tickets` tickets over `year`; returns what was written."""
    if connection.vendor != "postgresql":
        raise RuntimeError("generate_national_year writes with PostgreSQL COPY")
    rng = random.Random(seed)  # noqa: S311 (synthetic data, seeded on purpose)
    centres, services, counters = _reference(centres_wanted)
    outreach = _outreach_days(centres, year, rng)
    centre_weights = _weights(len(centres))
    total_w = sum(centre_weights)
    service_weights = _weights(len(services))
    counts = Counts()
    seq = 0
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            for day, share in year_days(year):
                if share == 0:
                    continue
                buffers = Buffers()
                for centre, cw in zip(centres, centre_weights, strict=True):
                    n = round(tickets * share * cw / total_w * rng.uniform(0.9, 1.1))
                    seq = _centre_day(
                        buffers, rng, centre, day, n, services, service_weights,
                        counters[centre.pk], (centre.pk, day) in outreach, counts, seq,
                    )  # fmt: skip
                buffers.flush(cursor)
                counts.days += 1
                if progress and counts.days % 30 == 0:
                    progress(day, counts)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        # Fresh statistics after a bulk load: without them the planner takes the tables for
        # empty, and the live refresh's slice of one centre-day scans them whole.
        for table in Buffers.COLUMNS:
            cursor.execute(f"ANALYZE {table}")
    return counts


def _centre_day(buffers, rng, centre, day, n, services, service_weights, counters, has_outreach,
                counts, seq) -> int:  # fmt: skip
    """The tickets of one centre and day (one service per visit: the rollups count tickets)."""
    d = day.isoformat()
    day_ms = int(dt.datetime.combine(day, dt.time(), tzinfo=clock.NAIROBI).timestamp() * 1000)
    node = "central"
    picked_services = rng.choices(services, weights=service_weights, k=n)
    hours = rng.choices(HOURS, weights=HOUR_WEIGHTS, k=n)
    channels = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS, k=n)
    busy = 1.0 + n / 2500  # a busier day queues longer
    for i in range(n):
        seq += 1
        counts.visits += 1
        counts.tickets += 1
        uid = (day_ms + i) << 80 | 0x7 << 76 | seq
        visit_id = f"{uid:032x}"
        ticket_id = f"{uid | 1 << 75:032x}"
        # About 22 working days a month, one of them at the outreach: 2% of the month there.
        outreach = has_outreach and rng.random() < OUTREACH_SHARE * 22
        prefix = "Z" if outreach else "A"
        arrived = hours[i] * 3600 + rng.randrange(3600)
        channel = "reception" if outreach else channels[i]
        ts = f"{d} {_hms(arrived)}{NAIROBI_OFFSET}"
        buffers.add(
            "queues_visit", visit_id, node, d, prefix, str(seq), f"{prefix}{seq % 1000:03d}",
            ts, "", "", channel, "", "sw", "f", "", "", str(centre.pk),
        )  # fmt: skip
        service_id, mda_id, fee, turnaround = picked_services[i]
        roll = rng.random()
        status = "served" if roll < 0.92 else ("no_show" if roll < 0.97 else "cancelled")
        counter_id, officer_id = counters[rng.randrange(len(counters))]
        wait = int(rng.lognormvariate(6.3, 0.8) * busy * (1.3 if hours[i] in (9, 10) else 1.0))
        called = f"{d} {_hms(arrived + wait)}{NAIROBI_OFFSET}"
        if status == "cancelled":
            times = (ts, r"\N", r"\N", r"\N")
            counter = officer = r"\N"
        else:
            service_s = int(rng.lognormvariate(6.0, 0.5))
            started = called if status == "served" else r"\N"
            finished = (
                f"{d} {_hms(arrived + wait + service_s)}{NAIROBI_OFFSET}"
                if status == "served"
                else r"\N"
            )
            times = (ts, called, started, finished)
            counter, officer = str(counter_id), str(officer_id)
        buffers.add(
            "queues_ticket", ticket_id, node, visit_id, str(centre.pk), str(service_id), "1",
            status, "0", *times, counter, officer,
        )  # fmt: skip
        if status != "served":
            continue
        if rng.random() < 0.45:
            counts.ratings += 1
            score = rng.choices(SCORES, weights=SCORE_WEIGHTS)[0]
            buffers.add(
                "feedback_rating", f"{uid | 2 << 75:032x}", node, ticket_id, str(centre.pk),
                counter, officer, str(service_id), "served", "tablet", str(score), "[]", "",
                "sw", times[3],
            )  # fmt: skip
        if rng.random() < 0.25:
            counts.applications += 1
            due = day + dt.timedelta(days=max(1, int(turnaround * 1.4)))
            breached = rng.random() < 0.08
            buffers.add(
                "applications_application", f"{uid | 3 << 75:032x}", node, f"G{seq:011d}",
                ticket_id, str(service_id), str(mda_id), str(centre.pk), "+254700000000", "sw",
                str(fee), "[]", "collected" if not breached else "in_processing", "",
                str(centre.pk), str(turnaround), times[3], due.isoformat(),
                f"{due + dt.timedelta(days=1)} 09:00:00{NAIROBI_OFFSET}" if breached else r"\N",
                times[3],
            )  # fmt: skip
        if fee and rng.random() < 0.33:
            counts.entries += 1
            refund = rng.random() < 0.01
            kind = "refund" if refund else "payment"
            buffers.add(
                "ledger_entry", kind, times[3], ticket_id, str(fee), str(mda_id), str(centre.pk),
                str(service_id), "mpesa", "", "generated", str(seq), "0" * 64, f"{uid:064x}",
            )  # fmt: skip
        if rng.random() < 0.001:
            counts.complaints += 1
            closed = rng.random() < 0.7
            resolved = (
                f"{day + dt.timedelta(days=rng.randint(1, 10))} 12:00:00{NAIROBI_OFFSET}"
                if closed
                else r"\N"
            )
            overdue = (
                f"{day + dt.timedelta(days=30)} 12:00:00{NAIROBI_OFFSET}"
                if not closed and rng.random() < 0.2
                else r"\N"
            )
            buffers.add(
                "complaints_complaint", f"{uid | 4 << 75:032x}", node, f"G{seq:011d}",
                rng.choice(COMPLAINT_CATEGORIES), "centre", "closed" if closed else "acknowledged",
                "centre", str(centre.pk), str(service_id), str(mda_id), "generated",
                f"{seq:064x}", "f", "+254700000000", "sw", "f", "", "", "{}", "", "", "{}", "",
                "", "", "", resolved, resolved, overdue, times[3], times[3],
            )  # fmt: skip
    return seq


def fill_rollups(year: int, progress=None) -> None:
    """The rollups of the year, month by month, by the live refresh's own SQL."""
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        with transaction.atomic():
            rollups.rebuild(first, last)
        if progress:
            progress(first)

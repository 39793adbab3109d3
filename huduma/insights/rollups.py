"""The rollups: each rollup table recomputed for a slice (days, optionally one centre) from
the apps' own rows by one INSERT ... SELECT, the same SQL on PostgreSQL and SQLite; and the
refresh that recomputes exactly the slices the triggers marked (models.Pending).

A slice is always recomputed whole (delete, then insert what the rows say), never added to,
so running a refresh twice, or a rebuild over a refreshed day, changes nothing.

The SQL is assembled from constants of this module (table and column names, the status
values of the apps' models); every value from outside is a bound parameter. Hence the S608
exemptions below.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction

from huduma.applications.models import OPEN_STATUSES
from huduma.complaints.models import Status as ComplaintStatus
from huduma.core import clock
from huduma.insights import partitions
from huduma.insights.models import (
    DEFAULT_WAIT_TARGET_MIN,
    LEVELS,
    WAIT_BUCKETS,
    WAIT_EDGES_S,
    Pending,
)

# pg_advisory_xact_lock key of the rollup writers (refresh, rebuild, generator): one at a time,
# so two workers never recompute the same slice at once (the second would insert beside the
# first's rows). SQLite serialises writers by itself.
LOCK_KEY = 0x1A51_6875  # "insights"


def _pg() -> bool:
    return connection.vendor == "postgresql"


def seconds_between(later: str, earlier: str) -> str:
    """Whole seconds from `earlier` to `later` (SQL expression)."""
    if _pg():
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({later} - {earlier}))) AS bigint)"
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def nairobi_day(column: str) -> str:
    """The Nairobi date of an aware timestamp column (Nairobi keeps UTC+3 all year)."""
    if _pg():
        return f"CAST(({column} AT TIME ZONE 'Africa/Nairobi') AS date)"
    return f"date({column}, '+3 hours')"


def month_of(column: str) -> str:
    if _pg():
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _count_if(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _quoted(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _wait_bucket_sums() -> list[str]:
    """w00: wait <= 60 s, w01: 60 < wait <= 120 s, ..., the last: beyond the last edge."""
    sums, low = [], None
    for name, high in zip(WAIT_BUCKETS, (*WAIT_EDGES_S, None), strict=True):
        parts = ["wait_s IS NOT NULL"]
        if low is not None:
            parts.append(f"wait_s > {low}")
        if high is not None:
            parts.append(f"wait_s <= {high}")
        sums.append(f"{_count_if(' AND '.join(parts))} AS {name}")
        low = high
    return sums


def _queue_measures() -> list[str]:
    return [
        "COUNT(*) AS tickets_n",
        _count_if("status = 'served'") + " AS served_n",
        _count_if("status = 'no_show'") + " AS no_show_n",
        _count_if("status = 'cancelled'") + " AS cancelled_n",
        f"{_count_if('wait_s IS NOT NULL')} AS wait_n",
        f"{_count_if('wait_s <= target_s')} AS within_n",
        "COALESCE(SUM(wait_s), 0) AS wait_sum_s",
        f"{_count_if('service_s IS NOT NULL')} AS service_n",
        "COALESCE(SUM(service_s), 0) AS service_sum_s",
        *_wait_bucket_sums(),
        *(f"{_count_if(f'score = {n}')} AS {name}" for n, name in enumerate(LEVELS, start=1)),
    ]


def _ticket_rows() -> str:
    """One row per ticket of the slice, with what the rollups need. A ticket is counted on its
    visit's service day; it is an outreach's when its visit's number has the prefix of an
    outreach of that centre and day (unique per centre and day, see outreach.OutreachDay).
    Wait: from waiting to (last) call. Service time: from start to finish of a served ticket.
    Within the charter: at most the service's target in force now (insights.WaitTarget)."""
    wait = seconds_between("t.called_at", "t.waiting_since")
    service = seconds_between("t.finished_at", "t.started_at")
    return f"""
        SELECT v.service_day AS day, v.centre_id AS centre_id, c.county_id AS county_id,
               t.service_id AS service_id, s.mda_id AS mda_id,
               CASE WHEN od.id IS NULL THEN v.channel ELSE 'outreach' END AS channel,
               t.counter_id AS counter_id, COALESCE(t.officer_id, 0) AS officer_id,
               t.status AS status,
               CASE WHEN t.called_at IS NOT NULL AND t.waiting_since IS NOT NULL
                    THEN {wait} END AS wait_s,
               CASE WHEN t.status = 'served' AND t.started_at IS NOT NULL
                         AND t.finished_at IS NOT NULL THEN {service} END AS service_s,
               r.score AS score,
               COALESCE(wt.minutes, {DEFAULT_WAIT_TARGET_MIN}) * 60 AS target_s
        FROM queues_ticket t
        JOIN queues_visit v ON v.id = t.visit_id
        JOIN places_centre c ON c.id = v.centre_id
        JOIN catalogue_service s ON s.id = t.service_id
        LEFT JOIN outreach_outreachday od
               ON od.centre_id = v.centre_id AND od.date = v.service_day
              AND od.ticket_prefix = v.prefix
        LEFT JOIN feedback_rating r ON r.ticket_id = t.id
        LEFT JOIN insights_waittarget wt ON wt.service_id = t.service_id
        WHERE v.service_day >= %(first)s AND v.service_day <= %(last)s {{centre}}
    """  # noqa: S608


@dataclass(frozen=True)
class Derived:
    """A table summed from a day table: by month (`monthly`), or by day over fewer dims."""

    table: str
    dims: tuple[str, ...]
    monthly: bool


@dataclass(frozen=True)
class Rollup:
    """One day table and the tables derived from it: its dimensions, the SQL of its rows."""

    table: str
    derived: tuple[Derived, ...]
    dims: tuple[str, ...]
    measures: tuple[str, ...]  # column names, all summable
    select: object  # () -> SQL selecting dims + measures for %(first)s..%(last)s {centre}
    centre_filter: str  # the SQL column a centre slice filters on
    partitioned: bool = False

    def columns(self) -> tuple[str, ...]:
        return ("day", *self.dims, *self.measures)


def _measure_names(exprs) -> tuple[str, ...]:
    return tuple(e.rsplit(" AS ", 1)[1] for e in exprs)


def _queue_select(dims: tuple[str, ...], where: str = "") -> object:
    def sql() -> str:
        cols = ", ".join(("day", *dims))
        return (
            f"SELECT {cols}, {', '.join(_queue_measures())} FROM ({_ticket_rows()}) x "  # noqa: S608
            f"{where} GROUP BY {cols}"
        )

    return sql


def _revenue_select() -> str:
    day = nairobi_day("e.at")
    return f"""
        SELECT {day} AS day, e.centre_id, c.county_id, e.service_id, e.mda_id,
               COALESCE(SUM(CASE WHEN e.kind = 'payment' THEN e.amount END), 0) AS paid_kes,
               COALESCE(SUM(CASE WHEN e.kind = 'refund' THEN e.amount END), 0) AS refunded_kes,
               {_count_if("e.kind = 'payment'")} AS payments_n,
               {_count_if("e.kind = 'refund'")} AS refunds_n
        FROM ledger_entry e JOIN places_centre c ON c.id = e.centre_id
        WHERE e.kind IN ('payment', 'refund') AND e.at >= %(since)s AND e.at < %(until)s
              {{centre}}
        GROUP BY {day}, e.centre_id, c.county_id, e.service_id, e.mda_id
    """  # noqa: S608


def _application_select() -> str:
    return f"""
        SELECT a.due_on AS day, a.centre_id, c.county_id, a.service_id, a.mda_id,
               COUNT(*) AS due_n, {_count_if("a.breached_at IS NOT NULL")} AS breached_n,
               {_count_if(f"a.status IN ({_quoted(OPEN_STATUSES)})")} AS open_n
        FROM applications_application a JOIN places_centre c ON c.id = a.centre_id
        WHERE a.due_on >= %(first)s AND a.due_on <= %(last)s {{centre}}
        GROUP BY a.due_on, a.centre_id, c.county_id, a.service_id, a.mda_id
    """  # noqa: S608


def _complaint_select() -> str:
    day = nairobi_day("k.created_at")
    is_open = f"k.status <> '{ComplaintStatus.CLOSED.value}'"
    resolve = seconds_between("k.resolved_at", "k.created_at")
    return f"""
        SELECT {day} AS day, COALESCE(k.centre_id, 0) AS centre_id,
               COALESCE(c.county_id, 0) AS county_id, COALESCE(k.service_id, 0) AS service_id,
               COALESCE(k.mda_id, 0) AS mda_id, k.category,
               COUNT(*) AS received_n, {_count_if(is_open)} AS open_n,
               {_count_if(f"{is_open} AND k.overdue_since IS NOT NULL")} AS overdue_n,
               {_count_if("k.resolved_at IS NOT NULL")} AS resolved_n,
               COALESCE(SUM(CASE WHEN k.resolved_at IS NOT NULL THEN {resolve} END), 0)
                   AS resolve_sum_s
        FROM complaints_complaint k LEFT JOIN places_centre c ON c.id = k.centre_id
        WHERE k.created_at >= %(since)s AND k.created_at < %(until)s {{centre}}
        GROUP BY {day}, COALESCE(k.centre_id, 0), COALESCE(c.county_id, 0),
                 COALESCE(k.service_id, 0), COALESCE(k.mda_id, 0), k.category
    """  # noqa: S608


QUEUE_DIMS = ("centre_id", "county_id", "service_id", "mda_id", "channel")
COUNTER_DIMS = ("centre_id", "counter_id", "officer_id", "service_id")
PLACE_DIMS = ("centre_id", "county_id", "service_id", "mda_id")
# The queue's coarser tables: a view reads the smallest that has the dimensions it needs.
QUEUE_DERIVED = (
    Derived("insights_queuemonth", QUEUE_DIMS, monthly=True),
    Derived("insights_queuecentreday", ("centre_id", "county_id"), monthly=False),
    Derived("insights_queuecentremonth", ("centre_id", "county_id"), monthly=True),
    Derived("insights_queuemdaday", ("centre_id", "county_id", "mda_id"), monthly=False),
    Derived("insights_queuemdamonth", ("centre_id", "county_id", "mda_id"), monthly=True),
    Derived("insights_queuechannelday", ("centre_id", "county_id", "channel"), monthly=False),
    Derived("insights_queuechannelmonth", ("centre_id", "county_id", "channel"), monthly=True),
)

ROLLUPS: dict[str, tuple[Rollup, ...]] = {
    Pending.Kind.QUEUE: (
        Rollup(
            "insights_queueday",
            QUEUE_DERIVED,
            QUEUE_DIMS,
            _measure_names(_queue_measures()),
            _queue_select(QUEUE_DIMS),
            "v.centre_id",
            partitioned=True,
        ),
        Rollup(
            "insights_counterday",
            (),
            COUNTER_DIMS,
            _measure_names(_queue_measures()),
            _queue_select(COUNTER_DIMS, "WHERE counter_id IS NOT NULL"),
            "v.centre_id",
            partitioned=True,
        ),
    ),
    Pending.Kind.REVENUE: (
        Rollup(
            "insights_revenueday",
            (Derived("insights_revenuemonth", PLACE_DIMS, monthly=True),),
            PLACE_DIMS,
            ("paid_kes", "refunded_kes", "payments_n", "refunds_n"),
            _revenue_select,
            "e.centre_id",
            partitioned=True,
        ),
    ),
    Pending.Kind.APPLICATION: (
        Rollup(
            "insights_applicationday",
            (Derived("insights_applicationmonth", PLACE_DIMS, monthly=True),),
            PLACE_DIMS,
            ("due_n", "breached_n", "open_n"),
            _application_select,
            "a.centre_id",
            partitioned=True,
        ),
    ),
    Pending.Kind.COMPLAINT: (
        Rollup(
            "insights_complaintday",
            (),
            (*PLACE_DIMS, "category"),
            ("received_n", "open_n", "overdue_n", "resolved_n", "resolve_sum_s"),
            _complaint_select,
            "k.centre_id",
        ),
    ),
}


def _params(first: dt.date, last: dt.date, centre_id: int | None) -> dict:
    since = dt.datetime.combine(first, dt.time(), tzinfo=clock.NAIROBI)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.NAIROBI)
    # As the ORM would pass them (SQLite keeps UTC text: an aware value would compare as text).
    since, until = (connection.ops.adapt_datetimefield_value(v) for v in (since, until))
    return {"first": first, "last": last, "since": since, "until": until, "centre": centre_id}


def _lock(cursor) -> None:
    if _pg():
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _recompute_days(cursor, rollup: Rollup, first, last, centre_id: int | None) -> None:
    params = _params(first, last, centre_id)
    if rollup.partitioned:
        partitions.ensure(cursor, rollup.table, first, last)
    where_centre = "" if centre_id is None else " AND centre_id = %(centre)s"
    cursor.execute(
        f"DELETE FROM {rollup.table} WHERE day >= %(first)s AND day <= %(last)s{where_centre}",  # noqa: S608
        params,
    )
    select = rollup.select().replace(
        "{centre}", "" if centre_id is None else f"AND {rollup.centre_filter} = %(centre)s"
    )
    cursor.execute(f"INSERT INTO {rollup.table} ({', '.join(rollup.columns())}) {select}", params)


def _recompute_derived(
    cursor, rollup: Rollup, derived: Derived, first, last, centre_id: int | None
) -> None:
    """Sum the day table's slice into a derived table: whole months for a monthly one."""
    if derived.monthly:
        first = first.replace(day=1)
        last = _next_month(last.replace(day=1)) - dt.timedelta(days=1)
    time_column = "month" if derived.monthly else "day"
    time_value = month_of("day") if derived.monthly else "day"
    params = {"first": first, "last": last, "centre": centre_id}
    where_centre = "" if centre_id is None else " AND centre_id = %(centre)s"
    cursor.execute(
        f"DELETE FROM {derived.table} WHERE {time_column} >= %(first)s "  # noqa: S608
        f"AND {time_column} <= %(last)s{where_centre}",
        params,
    )
    dims = ", ".join(derived.dims)
    sums = ", ".join(f"SUM({m})" for m in rollup.measures)
    cursor.execute(
        f"INSERT INTO {derived.table} ({time_column}, {dims}, {', '.join(rollup.measures)}) "  # noqa: S608
        f"SELECT {time_value}, {dims}, {sums} FROM {rollup.table} "
        f"WHERE day >= %(first)s AND day <= %(last)s{where_centre} "
        f"GROUP BY {time_value}, {dims}",
        params,
    )


def recompute(kind: str, first: dt.date, last: dt.date, centre_id: int | None = None) -> None:
    """Recompute the rollups of `kind` for days first..last (one centre, or all), and the
    months they fall in. The caller holds the transaction and the lock."""
    with connection.cursor() as cursor:
        for rollup in ROLLUPS[kind]:
            _recompute_days(cursor, rollup, first, last, centre_id)
            for derived in rollup.derived:
                _recompute_derived(cursor, rollup, derived, first, last, centre_id)


def rebuild(first: dt.date, last: dt.date, kinds=None) -> None:
    """Recompute every rollup for days first..last from the apps' rows (manage.py
    rollup_rebuild; the generator after writing a year). Pending marks for those days stay:
    the next refresh recomputes them again, which changes nothing."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        if _pg():
            # A month of national tickets takes longer than a web request may (the server's
            # statement timeout); this is maintenance, run from a command, for this
            # transaction only.
            cursor.execute("SET LOCAL statement_timeout = 0")
        for kind in kinds or ROLLUPS:
            recompute(kind, first, last)


@dataclass(frozen=True)
class RefreshResult:
    marks: int  # pending rows consumed
    slices: int  # (kind, day, centre) slices recomputed
    oldest: dt.datetime | None  # when the oldest consumed change was made


def refresh() -> RefreshResult:
    """Recompute the slices the triggers marked since the last refresh, in one transaction.

    The marks are deleted and returned by one statement, so they are exactly the ones
    recomputed: a change committed later leaves its mark for the next run, and a run that dies
    half-way rolls back with its marks in place."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            _lock(cursor)
            cursor.execute("DELETE FROM insights_pending RETURNING kind, day, centre_id, at")
            marks = cursor.fetchall()
        slices = _slices(marks)
        for kind, day, centre_id in sorted(slices, key=lambda s: (s[0], s[1], s[2] or 0)):
            recompute(kind, day, day, centre_id)
    oldest = min((_aware(m[3]) for m in marks), default=None)
    return RefreshResult(marks=len(marks), slices=len(slices), oldest=oldest)


def _aware(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite hands back text from a raw cursor
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _slices(marks) -> set[tuple[str, dt.date, int | None]]:
    by_day: dict[tuple[str, dt.date], set] = defaultdict(set)
    for kind, day, centre_id, _at in marks:
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        by_day[(kind, day)].add(centre_id)
    slices = set()
    for (kind, day), centres in by_day.items():
        if None in centres:  # a mark for every centre covers the centre marks of that day
            slices.add((kind, day, None))
        else:
            slices.update((kind, day, c) for c in centres)
    return slices

"""Monthly partitions of the big rollup tables (PostgreSQL only; SQLite keeps plain tables).

A day table is partitioned by range of `day`, one partition per calendar month, created on
first use (before a rollup inserts into that month). Dropping a month of history is then a
DROP TABLE, and a query for a period only opens the months it names."""

import datetime as dt

from django.db import connection

# The day tables the migration made partitioned (see migrations/0002_partitions_triggers.py).
PARTITIONED = (
    "insights_queueday",
    "insights_counterday",
    "insights_revenueday",
    "insights_applicationday",
)


def name(table: str, month: dt.date) -> str:
    return f"{table}_y{month:%Y}m{month:%m}"


def ensure(cursor, table: str, first: dt.date, last: dt.date) -> None:
    """Create the monthly partitions of `table` covering first..last that do not exist yet.
    The caller holds the rollup lock, so two writers never create the same one at once."""
    if connection.vendor != "postgresql":
        return
    month = first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        part = name(table, month)
        # Looked up each time (cheap), not cached: a rolled-back transaction takes its DDL too.
        cursor.execute("SELECT to_regclass(%s)", [part])
        if cursor.fetchone()[0] is None:
            cursor.execute(
                f"CREATE TABLE {part} PARTITION OF {table} "
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
            )
        month = following

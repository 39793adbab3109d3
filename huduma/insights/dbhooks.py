"""What insights keeps on other apps' tables, installed after every `migrate` (post_migrate)
and removed before it (pre_migrate): SQLite drops a table's triggers, and indexes Django does not
know of, whenever a migration remakes that table, and refuses to rename a table a trigger names.

- Triggers on the rows the rollups read (tickets, ratings, outreach days, ledger entries,
  applications, complaints): each write marks the slice it changes in insights_pending, so a
  change made anywhere (a service, the admin, a field-kit sync, a bulk update) is seen.
- An index on applications' due date (the application rollup reads one due day at a time) and,
  on PostgreSQL, a BRIN index on visits' service day (a rebuild reads whole days of visits,
  which arrive in day order).
"""

from django.db import connection as default_connection

# (name, table, SQL inserting the mark of the row `r`).
MARKS = (
    (
        "ticket",
        "queues_ticket",
        (
            "INSERT INTO insights_pending (kind, day, centre_id) SELECT 'q', v.service_day, "
            "v.centre_id FROM queues_visit v WHERE v.id = r.visit_id"
        ),
    ),
    (
        "rating",
        "feedback_rating",
        (
            "INSERT INTO insights_pending (kind, day, centre_id) SELECT 'q', v.service_day, "
            "v.centre_id FROM queues_ticket t JOIN queues_visit v ON v.id = t.visit_id "
            "WHERE t.id = r.ticket_id"
        ),
    ),
    (
        "outreachday",
        "outreach_outreachday",
        "INSERT INTO insights_pending (kind, day, centre_id) VALUES ('q', r.date, r.centre_id)",
    ),
    (
        "entry",
        "ledger_entry",
        "INSERT INTO insights_pending (kind, day, centre_id) VALUES ('r', {day:at}, r.centre_id)",
    ),
    (
        "application",
        "applications_application",
        "INSERT INTO insights_pending (kind, day, centre_id) VALUES ('a', r.due_on, r.centre_id)",
    ),
    (
        # Every centre of the day: a complaint's centre may be given (or changed) later.
        "complaint",
        "complaints_complaint",
        "INSERT INTO insights_pending (kind, day, centre_id) VALUES ('c', {day:created_at}, NULL)",
    ),
)
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _body(sql: str, pg: bool, row: str) -> str:
    for column in ("at", "created_at"):
        if pg:
            day = f"CAST(({row}.{column} AT TIME ZONE 'Africa/Nairobi') AS date)"
        else:
            day = f"date({row}.{column}, '+3 hours')"
        sql = sql.replace("{day:%s}" % column, day)  # noqa: UP031 (the braces are the marker)
    return sql.replace(" r.", f" {row}.").replace("(r.", f"({row}.")


def _tables(connection) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def install(connection=default_connection) -> bool:
    """Create (or replace) the triggers and indexes; False when the tables are not there yet."""
    needed = {"insights_pending", *(table for _n, table, _s in MARKS)}
    if not needed <= _tables(connection):
        return False
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for name, table, sql in MARKS:
            if pg:
                # An UPDATE marks the old slice too, for a row that moved (a due date, a centre).
                cursor.execute(
                    f"""CREATE OR REPLACE FUNCTION insights_mark_{name}() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP <> 'INSERT' THEN {_body(sql, pg, "OLD")}; END IF;
                      IF TG_OP <> 'DELETE' THEN {_body(sql, pg, "NEW")}; END IF;
                      RETURN NULL;
                    END $$"""
                )
                cursor.execute(f"DROP TRIGGER IF EXISTS insights_mark_{name} ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER insights_mark_{name} AFTER {' OR '.join(EVENTS)} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION insights_mark_{name}()"
                )
            else:
                for event in EVENTS:
                    rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}
                    body = " ".join(_body(sql, pg, row) + ";" for row in rows[event])
                    trigger = f"insights_mark_{name}_{event.lower()}"
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                    cursor.execute(
                        f"CREATE TRIGGER {trigger} AFTER {event} ON {table} "
                        f"FOR EACH ROW BEGIN {body} END"
                    )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS insights_application_due "
            "ON applications_application (due_on)"
        )
        if pg:
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS insights_visit_day_brin "
                "ON queues_visit USING brin (service_day)"
            )
    return True


def remove(connection=default_connection) -> None:
    """Drop the triggers (before a migrate: SQLite cannot remake a table a trigger names)."""
    tables = _tables(connection)
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for name, table, _sql in MARKS:
            if table not in tables:
                continue
            if pg:
                cursor.execute(f"DROP TRIGGER IF EXISTS insights_mark_{name} ON {table}")
            else:
                for event in EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS insights_mark_{name}_{event.lower()}")


def installed(connection=default_connection) -> bool:
    """Whether every trigger is in place (the health of the rollups depends on it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'insights_mark_%%'")
            return cursor.fetchone()[0] == len(MARKS)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'insights_mark_%'"
        )
        return cursor.fetchone()[0] == len(MARKS) * len(EVENTS)

"""PostgreSQL: the big day tables become partitioned by month, with a BRIN index on their day.
Both databases: an index (centre, day) on each day table. What insights keeps on other apps'
tables (the triggers marking changed slices, two indexes) is installed after every migrate
(huduma/insights/dbhooks.py): SQLite drops a table's triggers and unknown indexes whenever a
migration remakes that table."""

from django.db import migrations

DAY_TABLES = {
    # table: its primary key columns (as in 0001)
    "insights_queueday": "day, centre_id, service_id, channel",
    "insights_counterday": "day, centre_id, counter_id, officer_id, service_id",
    "insights_revenueday": "day, centre_id, service_id, mda_id",
    "insights_applicationday": "day, centre_id, service_id, mda_id",
}
OTHER_DAY_TABLES = ("insights_complaintday",)


def forwards(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    run = schema_editor.execute
    if pg:
        for table, key in DAY_TABLES.items():
            run(f"CREATE TABLE {table}__p (LIKE {table} INCLUDING DEFAULTS) PARTITION BY RANGE (day)")
            run(f"DROP TABLE {table}")
            run(f"ALTER TABLE {table}__p RENAME TO {table}")
            run(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key})")
            run(f"CREATE INDEX {table}_day_brin ON {table} USING brin (day)")
    for table in (*DAY_TABLES, *OTHER_DAY_TABLES):
        run(f"CREATE INDEX {table}_centre_day ON {table} (centre_id, day)")


def backwards(apps, schema_editor):
    """Nothing to undo: reversing 0001 drops the tables, partitions and all."""


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_rollups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""PostgreSQL search support: pg_trgm and GIN indexes. Nothing to do on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS service_search_vector_gin ON catalogue_service "
    "USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS service_search_text_trgm ON catalogue_service "
    "USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS service_search_vector_gin", "DROP INDEX IF EXISTS service_search_text_trgm"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [TrigramExtension(), migrations.RunPython(create, drop)]

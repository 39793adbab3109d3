"""Trigram index on the search lexicon (PostgreSQL only)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchword_word_trgm ON catalogue_searchword "
            "USING gin (word gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchword_word_trgm")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_search_words")]
    operations = [migrations.RunPython(create, drop)]

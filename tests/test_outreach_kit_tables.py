"""Every table a field kit writes is either synced to the server or declared the kit's own,
with the reason: found by walking the kit's database after an enrolment and a day at the tent
(so a table a new feature starts writing on a kit cannot be forgotten)."""

import sqlite3

import pytest
from django.apps import apps

from huduma.outreach import enrolment
from huduma.outreach.records import SYNCED_MODELS
from tests.test_outreach_fieldkit import (  # noqa: F401 - fixtures
    fieldkit,
    kit_dir,
    kit_template,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

# Taken from the server (the snapshot): the kit's copy, never sent back.
PULLED = {
    "places.County",
    "places.SubCounty",
    "places.Centre",
    "places.Counter",
    "catalogue.MDA",
    "catalogue.Service",
    "catalogue.Requirement",
    "catalogue.ServiceChannel",
    "catalogue.CentreService",
    "catalogue.CounterService",
    "catalogue.SearchSynonym",
    "accounts.User",
}
# Written on the kit, and the kit's own: why each never goes to the server.
KIT_ONLY = {
    "outreach.KitState": "the kit's enrolment and sync cursor",
    "outreach.KitChange": "the kit's change log itself",
    "outreach.KitRejection": "what the server refused, for the kit's officer to see",
    "outreach.KitDeferred": "changes held back under a ticket still in the tent's queue",
    "queues.DailyCounter": "the kit's ticket numbering (the server's own follows the visits)",
    "core.Holiday": "reference data seeded by the migration on both",
    "django_migrations": "the schema's own history",
    "catalogue.SearchKey": "the kit's search index, rebuilt from the services pulled",
    "catalogue.SearchPosting": "the kit's search index, rebuilt from the services pulled",
    "contenttypes.ContentType": "made by migrate on every installation",
    "auth.Permission": "made by migrate on every installation",
}
# Written on a kit today and still not reaching the server (issue 16): each must be synced
# through its owning app's rule, or made by the server from synced records. (Audit entries,
# failed sign-ins included, are made on a kit too; this day signs nobody in, so the walk does
# not see them; referrals and rating invitations neither.)
NOT_SYNCED_YET = {
    "core.AuditEntry": "audit entries (failed sign-ins included) made on a kit",
    "queues.CounterSession": "counter sessions opened at the tent",
    "payments.PaymentEvent": "payment events (an integer id: needs a UUID to sync)",
}


def kit_tables(var_dir) -> dict[str, int]:
    """Rows per table in the kit's database."""
    db = sqlite3.connect(var_dir / "fieldkit.sqlite3")
    try:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        db.close()


def label_of_table() -> dict[str, str]:
    return {
        model._meta.db_table: f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.mark.xfail(
    strict=True, reason="counter sessions and payment events made on a kit do not sync yet"
)
def test_every_table_a_kit_writes_is_synced_or_declared_the_kits(live_server, world, kit_dir):  # noqa: F811
    _kit, code = enrolment.field_kit_register(
        centre=world.gpo, name="Kit Kibra", officers=[world.alice], actor=world.bob
    )
    fieldkit(kit_dir, "enroll", "--server", live_server.url, "--code", code)
    fieldkit(kit_dir, "day", "--visits", "6", "--waiting", "1")
    fieldkit(kit_dir, "close-day")
    labels = label_of_table()
    written = {labels.get(table, table) for table, rows in kit_tables(kit_dir).items() if rows}
    declared = set(SYNCED_MODELS) | PULLED | set(KIT_ONLY)
    undeclared = written - declared
    assert undeclared == set(), {label: NOT_SYNCED_YET.get(label, "?") for label in undeclared}

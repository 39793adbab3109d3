"""Every table a field kit writes is either synced to the server or declared the kit's own,
with the reason: found by walking the kit's database after an enrolment and a day at the tent
(so a table a new feature starts writing on a kit cannot be forgotten)."""

import sqlite3

import pytest
from django.apps import apps

from huduma.outreach import enrolment
from huduma.outreach.records import LOCAL_ONLY, SYNCED_MODELS, synced_model
from huduma.outreach.sync_models import KitAuditReceipt
from tests.test_outreach_fieldkit import (  # noqa: F401 - fixtures
    fieldkit,
    kit_dir,
    kit_template,
)
from tests.test_outreach_kit_audit import kit_chain, kit_sign_in

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
# Written on the kit and reported by their own path: the kit's audit chain (integer ids, its own
# hashes) is appended entry by entry to the server's chain (outreach.sync_audit).
REPORTED = {"core.AuditEntry": "reported to the server's audit chain, once per entry hash"}
# Written on the kit, and the kit's own: why each never goes to the server (besides the apps'
# tables declared in records.LOCAL_ONLY with their reasons).
KIT_ONLY = {
    **LOCAL_ONLY,
    "outreach.KitState": "the kit's enrolment and sync cursor",
    "outreach.KitChange": "the kit's change log itself",
    "outreach.KitRejection": "what the server refused, for the kit's officer to see",
    "outreach.KitDeferred": "changes held back under a ticket still in the tent's queue",
    "core.Holiday": "reference data seeded by the migration on both",
    "performance.SavingsMethod": "reference data seeded by the migration on both",
    "insights.Pending": (
        "the kit's own figures to recompute, marked by triggers; the server's triggers mark its "
        "own as the synced records arrive"
    ),
    "django_migrations": "the schema's own history",
    "sessions.Session": "an officer's sign-in on this kit: meaningless on any other machine",
    "axes.AccessAttempt": (
        "wrong PINs counted for the kit's own sign-in; the server gets each failed sign-in as an "
        "audit entry and never locks a centre account on a kit's word"
    ),
    "axes.AccessFailureLog": "as axes.AccessAttempt",
    "axes.AccessLog": "as axes.AccessAttempt",
    "catalogue.SearchKey": "the kit's search index, rebuilt from the services pulled",
    "catalogue.SearchPosting": "the kit's search index, rebuilt from the services pulled",
    "contenttypes.ContentType": "made by migrate on every installation",
    "auth.Permission": "made by migrate on every installation",
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


def kit_ids(var_dir, label: str) -> set[str]:
    db = sqlite3.connect(var_dir / "fieldkit.sqlite3")
    try:
        table = synced_model(label)._meta.db_table
        return {row[0] for row in db.execute(f'SELECT id FROM "{table}"')}
    finally:
        db.close()


def test_every_table_a_kit_writes_is_synced_or_declared_the_kits(live_server, world, kit_dir):  # noqa: F811
    _kit, code = enrolment.field_kit_register(
        centre=world.gpo, name="Kit Kibra", officers=[world.alice], actor=world.bob
    )
    fieldkit(kit_dir, "enroll", "--server", live_server.url, "--code", code)
    fieldkit(kit_dir, "pin", "--username", "alice", "--pin", "493817")
    kit_sign_in(kit_dir, "alice", "111111")  # a wrong PIN first
    kit_sign_in(kit_dir, "alice", "493817")
    fieldkit(kit_dir, "day", "--visits", "6", "--waiting", "1")
    fieldkit(kit_dir, "close-day")
    labels = label_of_table()
    tables = kit_tables(kit_dir)
    written = {labels.get(table, table) for table, rows in tables.items() if rows}
    declared = set(SYNCED_MODELS) | PULLED | set(KIT_ONLY) | set(REPORTED)
    assert written - declared == set()
    assert all(reason for reason in {**KIT_ONLY, **REPORTED}.values())
    # And what is synced arrives: every record of every synced table the day wrote, the
    # counter session the tent closed included (a live one waits on the kit until it closes).
    fieldkit(kit_dir, "push")
    synced_written = written & set(SYNCED_MODELS)
    assert "queues.CounterSession" in synced_written
    for label in sorted(synced_written):
        on_kit = kit_ids(kit_dir, label)
        model = synced_model(label)
        held = {pk.hex for pk in model._base_manager.values_list("pk", flat=True)}
        assert on_kit <= held, label
    # The kit's audit entries (its sign-ins, the wrong PIN included) are on the server's chain.
    assert "core.AuditEntry" in written
    kit_hashes = {digest for _id, _action, digest in kit_chain(kit_dir)}
    assert kit_hashes == set(KitAuditReceipt.objects.values_list("kit_hash", flat=True))
    from huduma.queues.models import CounterSession

    session = CounterSession.objects.get()
    assert session.status == "closed" and session.officer_id == world.alice.pk

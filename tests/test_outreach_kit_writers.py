"""Outreach writes no other app's table: every record a kit pushes is stored (and every change
of a kit's own record applied, at sync or when a manager takes the kit's version of a conflict)
by the owning app's own writer, registered with its rule in core.kit_rules (issue 16)."""

import re
import traceback
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from huduma.core import kit_rules
from huduma.outreach import sync_conflicts
from huduma.outreach.records import SYNCED_MODELS
from huduma.outreach.sync_models import SyncConflict
from huduma.queues.models import Ticket, Visit
from tests.outreach_helpers import Kit, push

pytestmark = pytest.mark.django_db

HUDUMA = Path(__file__).resolve().parent.parent / "huduma"
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def test_every_synced_table_has_a_writer_registered_by_its_owning_app():
    for label in SYNCED_MODELS:
        create, _change = kit_rules.writers(label)
        assert create is not None, f"{label}: no writer"
        app = apps.get_model(label)._meta.app_config.name
        assert create.__module__.startswith(app + "."), (label, create.__module__)
    # A kit changes its own visits, tickets and applications (their rules say how far); a
    # table whose records a kit never changes has no change writer at all.
    changeable = {label for label in SYNCED_MODELS if kit_rules.writers(label)[1] is not None}
    assert changeable == {"queues.Visit", "queues.Ticket", "applications.Application"}


class WritesOfOtherApps:
    """Every INSERT, UPDATE or DELETE of another app's table, with the huduma app whose code
    issued it (the innermost frame of huduma's code: an audit entry, core's own table, is
    written by core's audit verb whoever asked for it)."""

    def __init__(self):
        self.tables = {
            model._meta.db_table: model._meta.app_label
            for model in apps.get_models()
            if model._meta.app_label != "outreach"
        }
        self.writers: dict[str, set[str]] = {}

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(2) in self.tables:
            issuer = "?"
            for frame in reversed(traceback.extract_stack()):
                path = Path(frame.filename)
                if HUDUMA in path.parents:
                    issuer = path.relative_to(HUDUMA).parts[0]
                    break
            self.writers.setdefault(match.group(2), set()).add(issuer)
        return execute(sql, params, many, context)


def test_a_push_and_a_conflict_write_through_the_owning_apps(client, world):
    kit = Kit(world)
    watch = WritesOfOtherApps()
    first, second = kit.visit(), kit.visit()
    with connection.execute_wrapper(watch):
        # New records (one writer call per table), one at a time (a batch with a bad record
        # goes record by record), a change of the kit's own ticket, then a conflict taken.
        assert push(client, kit, first).status_code == 200
        bad = kit.changed(kit.visit()[0], channel="carrier-pigeon")
        assert push(client, kit, [*second, bad]).status_code == 200
        counter = world.counters[("gpo-nairobi", 1)].pk
        called = kit.changed(first[1], status="called", counter_id=counter)
        push(client, kit, [called])
        Ticket.objects.filter(pk=first[1]["id"]).update(status="cancelled")
        push(client, kit, [kit.changed(called, status="served")])
        conflict = SyncConflict.objects.get()
        sync_conflicts.conflict_resolve(conflict=conflict, choice="take_kit", actor=world.bob)
    assert Visit.objects.filter(node_id=kit.kit.node_id).count() == 2
    assert Ticket.objects.get(pk=first[1]["id"]).status == "served"
    written = {table: issuers for table, issuers in watch.writers.items()}
    assert {Visit._meta.db_table, Ticket._meta.db_table} <= set(written)
    from_outreach = {table for table, issuers in written.items() if "outreach" in issuers}
    assert from_outreach == set(), written
    assert written[Visit._meta.db_table] == {"queues"}
    assert written[Ticket._meta.db_table] <= {"queues", "?"}  # "?": the test's own update

"""A kit restored from an old copy (after a power cut, or a reinstall) loses nothing: at its
next sync the server tells it what it holds above the kit's cursor, the kit re-bases (its
changes go above the server's highest number, its day's ticket numbers go on after the last
one the server holds) and every record it made since the copy is stored, none held as a
conflict; the tickets it issues afterwards take new numbers."""

import json
import shutil

import pytest

from huduma.outreach import enrolment
from huduma.outreach.sync_models import SyncConflict, SyncItem
from huduma.queues.models import Visit
from tests.outreach_kit_records import on_server
from tests.test_outreach_fieldkit import (  # noqa: F401 - fixtures
    fieldkit,
    kit_dir,
    kit_records,
    kit_template,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_kit_restored_from_an_old_copy_loses_nothing(live_server, world, kit_dir):  # noqa: F811
    kit, code = enrolment.field_kit_register(
        centre=world.gpo, name="Kit Kibra", officers=[world.alice], actor=world.bob
    )
    fieldkit(kit_dir, "enroll", "--server", live_server.url, "--code", code)
    fieldkit(kit_dir, "day", "--visits", "3")
    fieldkit(kit_dir, "push")
    # The copy taken mid-morning, with three more citizens served after it (and synced).
    shutil.copy(kit_dir / "fieldkit.sqlite3", kit_dir / "copy.sqlite3")
    fieldkit(kit_dir, "day", "--visits", "3", "--seed", "2")
    fieldkit(kit_dir, "push")
    before = set(Visit.objects.filter(node_id=kit.node_id).values_list("number", flat=True))
    letter = kit.ticket_prefix
    assert before == {f"{letter}00{n}" for n in range(1, 7)}

    # The disk is lost; the copy is put back and the tent goes on: four more citizens.
    shutil.copy(kit_dir / "copy.sqlite3", kit_dir / "fieldkit.sqlite3")
    fieldkit(kit_dir, "day", "--visits", "4", "--seed", "3")
    made = kit_records(kit_dir)

    report = json.loads(fieldkit(kit_dir, "push").stdout)
    assert report["rebased"] is not None, report
    assert report["rejected"] == 0 and report["pending"] == 0, report
    assert not SyncConflict.objects.exists()
    assert not SyncItem.objects.filter(node_id=kit.node_id, outcome="rejected").exists()
    # Every record the kit holds is on the server: those from before the copy, and the four
    # citizens served since, numbered 4 to 7 again: 7 was free, 4 to 6 took 8 to 10.
    assert on_server(made) == made
    numbers = list(Visit.objects.filter(node_id=kit.node_id).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 10
    assert set(numbers) == {f"{letter}{n:03d}" for n in range(1, 11)}
    assert report["rebased"]["renumbered"] == [
        [f"{letter}004", f"{letter}008"],
        [f"{letter}005", f"{letter}009"],
        [f"{letter}006", f"{letter}010"],
    ]

    # What it makes afterwards keeps its number and arrives.
    fieldkit(kit_dir, "day", "--visits", "2", "--seed", "4")
    again = json.loads(fieldkit(kit_dir, "push").stdout)
    assert again["rebased"] is None and again["rejected"] == 0, again
    made = kit_records(kit_dir)
    assert on_server(made) == made
    numbers = set(Visit.objects.filter(node_id=kit.node_id).values_list("number", flat=True))
    assert {f"{letter}011", f"{letter}012"} <= numbers and len(numbers) == 12
    assert not SyncConflict.objects.exists()

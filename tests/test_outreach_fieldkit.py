"""A field day on a real kit: `manage.py fieldkit` in its own process (HUDUMA_MODE=field, its
own SQLite file) enrols against the live test server, serves citizens offline through the
real services, then syncs through a link that drops twice mid-batch. Every record reaches
the server exactly once."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from huduma.accounts import devices
from huduma.outreach import enrolment, planning, sync_selectors
from huduma.outreach.records import SYNCED_MODELS, synced_model
from huduma.outreach.sync_models import RefusedPush, SyncItem
from tests.outreach_world import add_mashinani, agreed, coming_day
from tests.relay import CuttingRelay

pytestmark = [pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def kit_env(var_dir: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HUDUMA_TEST_DB")
    }
    env.update(
        HUDUMA_MODE="field",
        HUDUMA_VAR_DIR=str(var_dir),
        HUDUMA_TESTING="1",
        HUEY_IMMEDIATE="1",
        SMS_BACKEND="memory",
        DJANGO_SETTINGS_MODULE="huduma.settings",
        LOG_LEVEL="WARNING",
    )
    return env


def fieldkit(
    var_dir: Path, *args: str, timeout: int = 120, ok: bool = True
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "manage.py", "fieldkit", *args],
        check=False,
        cwd=ROOT,
        env=kit_env(var_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert (done.returncode == 0) == ok, done.stderr[-3000:]
    return done


def migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("huduma/*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def kit_template(tmp_path_factory) -> Path:
    """A migrated, empty kit database. Migrating takes 10-20 seconds, so it is kept under var/
    for the next run, named by a digest of every migration (any change makes a new one)."""
    cached = ROOT / "var" / "test-kit-template" / f"{migrations_digest()}.sqlite3"
    if cached.exists():
        return cached
    var_dir = tmp_path_factory.mktemp("kit-template")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env=kit_env(var_dir),
        check=True,
        timeout=300,
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    shutil.copy(var_dir / "fieldkit.sqlite3", partial)
    partial.replace(cached)
    return cached


@pytest.fixture
def kit_dir(tmp_path, kit_template) -> Path:
    shutil.copy(kit_template, tmp_path / "fieldkit.sqlite3")
    return tmp_path


def kit_plan(var_dir: Path) -> dict:
    db = sqlite3.connect(var_dir / "fieldkit.sqlite3")
    try:
        return json.loads(db.execute("SELECT plan FROM outreach_kitstate").fetchone()[0])
    finally:
        db.close()


def kit_offered(var_dir: Path) -> set[str]:
    """The services reception offers on the kit (the centre's charter rows it holds)."""
    db = sqlite3.connect(var_dir / "fieldkit.sqlite3")
    try:
        rows = db.execute(
            "SELECT s.code FROM catalogue_centreservice o"
            " JOIN catalogue_service s ON s.id = o.service_id"
        )
        return {row[0] for row in rows}
    finally:
        db.close()


def kit_records(var_dir: Path) -> dict[str, set[str]]:
    """Every record on the kit that it sends, by model: ids as the kit stores them (hex). A
    counter session still open is sent once its counter closes (kit._LOG_WHEN)."""
    db = sqlite3.connect(var_dir / "fieldkit.sqlite3")
    try:
        return {
            label: {
                row[0]
                for row in db.execute(
                    f'SELECT id FROM "{synced_model(label)._meta.db_table}"'
                    + (" WHERE status = 'closed'" if label == "queues.CounterSession" else "")
                )
            }
            for label in SYNCED_MODELS
        }
    finally:
        db.close()


def test_a_field_day_syncs_through_a_link_that_drops_twice(live_server, world, kit_dir):
    add_mashinani(world)
    outreach = agreed(world, world.kibra, [coming_day()], {world.id_dup: world.alice})
    kit, code = enrolment.field_kit_register(
        centre=world.gpo, name="Kit Kibra", outreach=outreach, actor=world.bob
    )
    fieldkit(kit_dir, "enroll", "--server", live_server.url, "--code", code)
    assert json.loads((kit_dir / "fieldkit.json").read_text())["node_id"] == kit.node_id

    # A stolen kit database holds no central password hash, email or phone, and no token:
    # the officers going sign in with a kit-only PIN, set (and hashed) on the kit.
    def kit_users():
        db = sqlite3.connect(kit_dir / "fieldkit.sqlite3")
        try:
            return db.execute(
                "SELECT username, password, email, phone FROM accounts_user"
            ).fetchall()
        finally:
            db.close()

    ((username, password, email, phone),) = kit_users()
    assert username == "alice" and (email, phone) == ("", "")
    assert password != world.alice.password and password.startswith("!")  # unusable
    assert world.alice.password.split("$")[-1] not in (
        kit_dir / "fieldkit.sqlite3"
    ).read_bytes().decode("latin-1")
    fieldkit(kit_dir, "pin", "--username", "alice", "--pin", "482913")
    ((_name, pin_hash, _email, _phone),) = kit_users()
    kit_hasher = PBKDF2PasswordHasher()  # the kit's (the tests' own settings hash faster)
    assert kit_hasher.verify("482913", pin_hash) and pin_hash != world.alice.password
    assert not kit_hasher.verify("pw-alice", pin_hash)
    fieldkit(kit_dir, "pin", "--username", "alice", "--pin", "111111", ok=False)
    token_file = kit_dir / "fieldkit-token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert (kit_dir / "fieldkit.sqlite3").stat().st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    assert token.encode() not in (kit_dir / "fieldkit.sqlite3").read_bytes()
    assert devices.digest(token) == kit.__class__.objects.get(pk=kit.pk).token_hash
    # It took the plan; reception offers the outreach's services only.
    assert kit_plan(kit_dir)["venue"]["name"] == "Chief's camp"
    assert kit_offered(kit_dir) == {"NRB-ID-DUPLICATE"}

    day = json.loads(fieldkit(kit_dir, "day", "--visits", "60").stdout)
    assert day["visits"] == 60 and day["applications"] == 30
    made = kit_records(kit_dir)
    total = sum(len(ids) for ids in made.values())
    assert total >= 500, {k: len(v) for k, v in made.items()}

    status = json.loads(fieldkit(kit_dir, "status").stdout)
    assert status["pending"] >= total and status["outreach"]["id"] == outreach.pk
    # Two cuts: a request cut mid-body (the server must write nothing of it), then an answer
    # lost after the server stored the batch (the retry must change nothing).
    port = urllib.parse.urlsplit(live_server.url).port
    relay = CuttingRelay(port, cuts=[("up", 150_000), ("down", 2_500)])
    relay.start()
    try:
        run = fieldkit(
            kit_dir, "run", "--wait", "0.1", "--attempts", "10", "--server-url", relay.url
        )
    finally:
        relay.stop()
    assert relay.made == 2
    assert run.stderr.count("offline") == 2, run.stderr
    report = json.loads(run.stdout)
    assert report["pending"] == 0 and report["rejected"] == 0, report

    # Every record the kit made is on the server, exactly once (the id is the primary key).
    for label, ids in made.items():
        model = synced_model(label)
        on_server = {
            pk.hex
            for pk in model._base_manager.filter(pk__in=list(ids)).values_list("pk", flat=True)
        }
        assert on_server == ids, label
    assert sync_selectors.kit_gaps(kit.node_id) == []
    received, highest = sync_selectors.kit_received(kit.node_id)
    assert received == highest  # every change once, none missing
    assert SyncItem.objects.filter(node_id=kit.node_id, outcome="rejected").count() == 0
    # Tickets carry the outreach's own prefix; node sequence numbers came from the kit.
    from huduma.queues.models import Visit

    numbers = set(Visit.objects.filter(node_id=kit.node_id).values_list("number", flat=True))
    assert all(n.startswith(kit.ticket_prefix) for n in numbers) and len(numbers) == 60
    assert not Visit.objects.filter(node_id=kit.node_id, node_seq__isnull=True).exists()
    seqs = list(
        Visit.objects.filter(node_id=kit.node_id)
        .order_by("node_seq")
        .values_list("node_seq", "arrived_at")
    )
    assert len({seq for seq, _at in seqs}) == 60
    assert [at for _seq, at in seqs] == sorted(at for _seq, at in seqs)  # in creation order

    # SMS were held on the kit: kept for the record, never sent as the kit wrote them; the
    # server renders its own from the synced records (one per application received).
    from huduma.applications.models import Application
    from huduma.notify.models import Message

    kit_sms = [uuid.UUID(h) for h in made["notify.Message"]]
    held = Message.objects.filter(pk__in=kit_sms)
    assert held.count() == len(made["notify.Message"]) > 0
    assert set(held.values_list("status", flat=True)) == {"failed"}
    ours = Message.objects.exclude(pk__in=kit_sms).filter(template="application_received")
    assert ours.count() == Application.objects.filter(node_id=kit.node_id).count() > 0
    assert set(ours.values_list("status", flat=True)) <= {"queued", "sent", "delivered"}

    # Pushing again sends nothing new.
    again = json.loads(fieldkit(kit_dir, "push").stdout)
    assert again["sent"] == 0 and again["pending"] == 0

    # A service is added to the plan after enrolment: the kit's next pull takes it.
    planning.outreach_set_services(
        outreach=outreach,
        chosen={world.id_dup.pk: "Laptop", world.nhif_reg.pk: "Laptop"},
        actor=world.bob,
    )
    assert "catalogue updated" in fieldkit(kit_dir, "pull").stdout
    assert [s["code"] for s in kit_plan(kit_dir)["services"]] == [
        "NHIF-REGISTRATION",
        "NRB-ID-DUPLICATE",
    ]
    assert kit_offered(kit_dir) == {"NRB-ID-DUPLICATE", "NHIF-REGISTRATION"}

    # The catalogue changes at the centre: the kit's next pull takes it.
    world.id_dup.name_sw = "Kitambulisho kipya badala ya kilichopotea"
    world.id_dup.save()
    assert "catalogue updated" in fieldkit(kit_dir, "pull").stdout
    db = sqlite3.connect(kit_dir / "fieldkit.sqlite3")
    names = db.execute("SELECT name_sw FROM catalogue_service WHERE code = 'NRB-ID-DUPLICATE'")
    assert names.fetchall() == [("Kitambulisho kipya badala ya kilichopotea",)]
    db.close()
    assert "catalogue unchanged" in fieldkit(kit_dir, "pull").stdout

    # The kit is lost and revoked: what it sends next is refused, and the centre sees it.
    devices.device_revoke(device=kit.device, actor=world.bob)
    fieldkit(kit_dir, "day", "--visits", "1", "--seed", "2")
    refused = fieldkit(kit_dir, "push", ok=False)
    assert "403" in refused.stderr and "revoked" in refused.stderr
    assert RefusedPush.objects.filter(kit=kit).count() == 1
    assert json.loads(fieldkit(kit_dir, "status").stdout)["pending"] > 0

"""Audit entries made on a field kit (sign-ins, failed sign-ins, audited changes) reach the
server's chain: once each, as "kit.<action>" naming the kit, with the kit's own time, hash and
link kept; a tampered entry or a break in the kit's chain is marked, never dropped."""

import json
import subprocess
import sys
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from huduma.accounts import devices
from huduma.core import audit
from huduma.core.models import AuditEntry
from huduma.outreach import enrolment
from huduma.outreach.sync_audit import CHAIN_BREAK
from huduma.outreach.sync_models import KitAuditReceipt
from tests.outreach_helpers import Kit
from tests.test_outreach_fieldkit import (  # noqa: F401 - fixtures
    ROOT,
    fieldkit,
    kit_dir,
    kit_env,
    kit_template,
)

URL = "/api/outreach/sync/audit"


def kit_sign_in(var_dir, username: str, pin: str) -> int:
    """Sign in on the kit's own sign-in page (in the kit's process); the status it answered."""
    code = (
        "from django.test import Client\n"
        f"r = Client().post('/staff/sign-in/', {{'username': {username!r}, 'password': {pin!r}}})\n"
        "print(r.status_code)\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=kit_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def kit_chain(var_dir) -> list[tuple[int, str, str]]:
    import sqlite3

    db = sqlite3.connect(var_dir / "fieldkit.sqlite3")
    try:
        return list(db.execute("SELECT id, action, hash FROM core_auditentry ORDER BY id"))
    finally:
        db.close()


@pytest.mark.django_db(transaction=True)
def test_sign_ins_made_on_a_kit_reach_the_servers_chain(live_server, world, kit_dir):  # noqa: F811
    _kit, code = enrolment.field_kit_register(
        centre=world.gpo, name="Kit Kibra", officers=[world.alice], actor=world.bob
    )
    fieldkit(kit_dir, "enroll", "--server", live_server.url, "--code", code)
    fieldkit(kit_dir, "pin", "--username", "alice", "--pin", "493817")
    assert kit_sign_in(kit_dir, "alice", "000000") == 200  # a wrong PIN: the form again
    assert kit_sign_in(kit_dir, "mallory", "123456") == 200  # nobody of this kit
    assert kit_sign_in(kit_dir, "alice", "493817") == 302  # signed in
    on_kit = kit_chain(kit_dir)
    actions = [action for _id, action, _hash in on_kit]
    assert actions.count("auth.sign_in_failed") == 2 and "auth.sign_in" in actions
    status = json.loads(fieldkit(kit_dir, "status").stdout)
    assert status["audit_pending"] == len(on_kit)

    report = json.loads(fieldkit(kit_dir, "push").stdout)
    assert report["audit_sent"] == len(on_kit)
    # Every entry of the kit is now on the server's chain, once, and verified.
    receipts = KitAuditReceipt.objects.select_related("audit_entry")
    assert {r.kit_hash for r in receipts} == {h for _id, _a, h in on_kit}
    assert all(r.verified for r in receipts)
    failed = AuditEntry.objects.filter(action="kit.auth.sign_in_failed").order_by("id")
    assert [e.object_repr for e in failed] == ["alice", "mallory"]
    assert all(e.actor_id is None and e.actor_label == "system @ Kit Kibra" for e in failed)
    signed_in = AuditEntry.objects.get(action="kit.auth.sign_in")
    assert signed_in.actor_id == world.alice.pk
    assert signed_in.actor_label == "alice @ Kit Kibra"
    assert signed_in.after["on_kit"]["hash_matches"] is True
    assert audit.verify_chain().ok
    # Nothing is sent twice.
    assert json.loads(fieldkit(kit_dir, "push").stdout)["audit_sent"] == 0
    assert json.loads(fieldkit(kit_dir, "status").stdout)["audit_pending"] == 0
    assert KitAuditReceipt.objects.count() == len(on_kit)


def chain(entries: list[dict], prev: str = audit.GENESIS) -> list[dict]:
    """Entries as a kit holds them, each hashed over its content and the one before."""
    out = []
    for n, entry in enumerate(entries, start=1):
        fields = {
            "at": "2026-12-07T09:00:00+00:00",
            "actor": None,
            "actor_label": "system",
            "object_type": "",
            "object_id": "",
            "object_repr": "",
            "before": None,
            "after": None,
            **entry,
            "prev": prev,
        }
        fields.setdefault("id", n)
        digest = audit.hash_of(fields)
        item = {k: v for k, v in fields.items() if k != "prev"}
        out.append({**item, "prev_hash": prev, "hash": digest})
        prev = digest
    return out


def post(client, kit: Kit, entries: list[dict]):
    return client.post(URL, {"entries": entries}, content_type="application/json", **kit.headers)


@pytest.mark.django_db
def test_a_report_sent_twice_appends_once(client, world):
    kit = Kit(world)
    entries = chain([{"action": "auth.sign_in_failed", "object_repr": "alice"}] * 3)
    first = post(client, kit, entries)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "acked_id": 3,
        "stored": 3,
        "duplicate": 0,
        "unverified": 0,
        "breaks": 0,
    }
    again = post(client, kit, entries)
    assert again.json()["stored"] == 0 and again.json()["duplicate"] == 3
    assert AuditEntry.objects.filter(action="kit.auth.sign_in_failed").count() == 3
    # The database holds it too: a second receipt for the same kit entry is refused.
    receipt = KitAuditReceipt.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        KitAuditReceipt.objects.create(
            kit=receipt.kit,
            kit_entry_id=receipt.kit_entry_id,
            kit_hash=receipt.kit_hash,
            kit_prev_hash=receipt.kit_prev_hash,
            audit_entry=audit.record(action="test"),
            received_at=receipt.received_at,
        )


@pytest.mark.django_db
def test_an_altered_entry_and_a_broken_chain_are_marked_not_dropped(client, world):
    kit = Kit(world)
    entries = chain([{"action": "auth.sign_in", "actor": world.alice.pk}] * 4)
    entries[1]["object_repr"] = "edited after the fact"  # its hash no longer matches
    del entries[2]  # an entry removed on the kit: the next one does not link
    answer = post(client, kit, entries).json()
    assert answer["stored"] == 3 and answer["unverified"] == 2 and answer["breaks"] == 1
    receipts = {r.kit_entry_id: r for r in KitAuditReceipt.objects.select_related("audit_entry")}
    assert receipts[1].verified
    assert not receipts[2].verified
    assert receipts[2].audit_entry.after["on_kit"]["hash_matches"] is False
    assert receipts[4].audit_entry.after["on_kit"]["linked"] is False
    brk = AuditEntry.objects.get(action=CHAIN_BREAK)
    assert brk.object_id == kit.kit.node_id and brk.after["kit_entry"] == 4
    assert audit.verify_chain().ok  # the server's own chain stays whole


@pytest.mark.django_db
def test_the_kit_names_an_officer_it_does_not_carry(client, world):
    kit = Kit(world)  # carries alice only
    entries = chain([{"action": "auth.sign_in", "actor": world.bob.pk, "actor_label": "bob"}])
    assert post(client, kit, entries).status_code == 200
    entry = AuditEntry.objects.get(action="kit.auth.sign_in")
    assert entry.actor_id is None  # not linked to bob's account on the kit's word
    assert entry.actor_label.startswith("bob @ Kit ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hash": "not-a-hash"}, "hash"),
        ({"at": "yesterday"}, "at"),
        ({"action": ""}, "action"),
        ({"id": 0}, "id"),
        ({"object_repr": "x" * 201}, "object_repr"),
    ],
)
def test_a_malformed_entry_is_a_4xx_naming_its_field(client, world, change, field):
    kit = Kit(world)
    entries = chain([{"action": "auth.sign_in"}])
    entries[0].update(change)
    response = post(client, kit, entries)
    assert 400 <= response.status_code < 500
    assert field in response.content.decode()
    assert not KitAuditReceipt.objects.exists()


@pytest.mark.django_db
def test_too_many_entries_and_a_revoked_kit_are_refused(client, world):
    kit = Kit(world)
    many = chain([{"action": "auth.sign_in"}] * 501)
    assert post(client, kit, many).status_code in (400, 422)
    devices.device_revoke(device=kit.kit.device, actor=world.bob)
    assert post(client, kit, chain([{"action": "auth.sign_in"}])).status_code == 403
    assert not KitAuditReceipt.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_report_twice_at_once_appends_once(world):
    from django.test import Client

    kit = Kit(world)
    entries = chain([{"action": "auth.sign_in_failed", "object_repr": "alice"}] * 20)
    statuses = []
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            statuses.append(post(Client(), kit, entries).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    assert KitAuditReceipt.objects.count() == 20
    assert AuditEntry.objects.filter(action="kit.auth.sign_in_failed").count() == 20
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_a_kit_cannot_flood_the_servers_chain(client, world, real_cache):
    kit = Kit(world)
    entries = chain([{"action": "auth.sign_in_failed", "object_repr": "x"}])
    answers = [post(client, kit, entries).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30 and answers[30] == 429
    # Another kit is not slowed by the first one's count.
    other = Kit(world, name="other")
    assert post(client, other, entries).status_code == 200

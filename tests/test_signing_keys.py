"""Receipts and checkpoints name the key that signed them; the published key set keeps every
receipt checkable after the key is rotated, and refuses what a revoked key signed after it leaked."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse

from huduma.ledger import checkpoints, receipt_format, signing
from tests.test_ledger_receipts import pay


@pytest.fixture
def keys(settings, tmp_path):
    """This test's own signing key and key set (rotation must not touch the shared test key)."""
    settings.HUDUMA_SIGNING_KEY = ""
    settings.HUDUMA_SIGNING_KEY_FILE = str(tmp_path / "keys" / "signing-key.pem")
    settings.HUDUMA_SIGNING_KEYSET_FILE = str(tmp_path / "keys" / "signing-keys.json")
    signing.private_key.cache_clear()
    yield tmp_path / "keys"
    signing.private_key.cache_clear()


def published(client) -> dict:
    response = client.get(reverse("ledger:key_set"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_a_receipt_names_its_key_and_the_key_set_lists_it(client, world, keys):
    receipt = pay(world)
    kid = signing.current_key_id()
    assert receipt.code.startswith(f"HR2|{kid}|{receipt.number}|")
    document = published(client)
    assert document["current"] == kid
    [key] = document["keys"]
    assert key["kid"] == kid and key["not_after"] is None and key["revoked_at"] is None
    # The single PEM stays where receipts printed before the key set point.
    pem = client.get(reverse("ledger:public_key")).content.decode()
    assert pem == key["public_key"]
    page = client.get(reverse("ledger:verify")).content.decode()
    assert reverse("ledger:key_set") in page


def test_a_rotated_key_still_verifies_an_old_receipt(client, world, keys, tmp_path):
    old_receipt = pay(world)
    old_kid = signing.current_key_id()
    call_command("rotate_signing_key")
    new_kid = signing.current_key_id()
    assert new_kid != old_kid
    new_receipt = pay(world)
    assert f"|{new_kid}|" in new_receipt.code
    # Online: both are genuine.
    for receipt in (old_receipt, new_receipt):
        response = client.get(reverse("ledger:verify"), {"code": receipt.code})
        assert "The signature is valid" in response.content.decode(), receipt.number
    # Offline, with the published set alone: the old key is listed with the end of its period.
    document = published(client)
    periods = {k["kid"]: (k["not_before"], k["not_after"]) for k in document["keys"]}
    assert periods[old_kid][1] is not None and periods[new_kid] == (periods[old_kid][1], None)
    key_set = tmp_path / "keys-published.json"
    key_set.write_text(json.dumps(document))
    for receipt in (old_receipt, new_receipt):
        run = subprocess.run(
            [sys.executable, "-m", "huduma.ledger.receipt_format", str(key_set), receipt.code],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0 and "VALID receipt" in run.stdout, run.stdout + run.stderr
    # The retired private key is gone from the machine: only the new one can sign.
    assert signing.key_id(signing.private_key().public_key()) == new_kid


def test_a_revoked_key_vouches_only_for_what_it_signed_before_it_leaked(client, world, keys):
    before = pay(world)  # paid 2026-11-20 09:30 UTC
    leaked = signing.current_key_id()
    # The key leaks: whoever holds it signs a receipt dated after the leak.
    details, _sig = receipt_format.decode(before.code)
    forged_details = receipt_format.ReceiptDetails(
        number="HR-FORGED0001",
        amount="100.00",
        service=details.service,
        mda=details.mda,
        centre=details.centre,
        paid_at="2026-11-22T08:00:00Z",
        key_id=leaked,
    )
    forged = receipt_format.encode(
        forged_details, signing.sign(receipt_format.signed_part(forged_details).encode())
    )
    call_command("rotate_signing_key", revoke=leaked, at="2026-11-21T00:00:00+03:00")
    assert signing.current_key_id() != leaked
    key_set = signing.load_key_set(published(client))
    assert key_set[leaked].revoked_at == dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)
    assert receipt_format.verify(before.code, key_set).number == before.number
    with pytest.raises(receipt_format.BadReceipt, match="revoked"):
        receipt_format.verify(forged, key_set)
    response = client.get(reverse("ledger:verify"), {"code": forged})
    assert "Genuine receipt" not in response.content.decode()


def test_checkpoints_carry_their_key_and_survive_rotation(world, keys):
    pay(world)
    first = checkpoints.checkpoint_take()
    call_command("rotate_signing_key")
    pay(world)
    second = checkpoints.checkpoint_take()
    assert {c.key_id for c in first} != {c.key_id for c in second}
    # Checked with the published set only: no private key involved.
    published_set = signing.load_key_set(json.dumps(signing.key_set_document()))
    records = checkpoints.checkpoint_records()
    for chain in checkpoints.chains_to_verify(records, ledger=True) + ["audit"]:
        verdict = checkpoints.verify(chain, records, published_set)
        assert verdict.ok and verdict.checkpoints == 2, (chain, verdict.findings)

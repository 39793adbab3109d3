"""An auditor who holds only the published key set (/receipts/keys.json), a copy of the sink and
the witness's copy of the checkpoints, and read access to the database, catches what a database
administrator does to the ledger: a rewrite with recomputed hashes, a cut tail, deleted
checkpoint rows. No private key is used anywhere in the verification."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from huduma.ledger import checkpoints, services, signing
from huduma.ledger.models import Chain, Checkpoint, Entry, Posting, Receipt
from tests.test_checkpoint_witness import Witness
from tests.test_ledger_receipts import pay
from tests.test_tamper_evidence import rewrite_ledger_from

GPO = services.chain_name("NRB", "gpo-nairobi")
KISUMU = services.chain_name("NRB", "kisumu")


@pytest.fixture
def history(world, settings, tmp_path, clock, client):
    """Three minutes of payments at two centres, each minute checkpointed to the sink and the
    witness; then the auditor's material: the key set as published, the sink, the witness."""
    witness = Witness()
    settings.HUDUMA_CHECKPOINT_WITNESS_URL = witness.url
    sink = tmp_path / "sink" / "checkpoints.jsonl"
    settings.HUDUMA_CHECKPOINT_SINK_FILE = str(sink)
    for _minute in range(3):
        clock.advance(minutes=1)
        for _ in range(2):
            pay(world, centre=world.gpo)
            pay(world, centre=world.kisumu)
        checkpoints.checkpoint_take()
    keys = tmp_path / "keys.json"
    keys.write_bytes(client.get(reverse("ledger:key_set")).content)
    witnessed = tmp_path / "witness.jsonl"
    witness.save(witnessed)
    witness.close()
    return {"keys": keys, "sink": sink, "witness": witnessed}


@pytest.fixture
def auditor(history, monkeypatch):
    """Runs the verification with the published keys only: any use of a private key fails."""

    def no_private_key():
        raise AssertionError("the auditor has no private key")

    monkeypatch.setattr(signing, "private_key", no_private_key)

    def verify(*outside: str):
        call_command(
            "verify_ledger_chain",
            checkpoints=[str(history[name]) for name in outside],
            keys=str(history["keys"]),
        )

    return verify


def test_the_untouched_ledger_verifies_with_the_published_keys_alone(auditor, capsys):
    auditor("sink", "witness")
    assert "Ledger chain intact: 12 entries" in capsys.readouterr().out


def test_a_rewrite_with_recomputed_hashes_is_caught_from_the_sink_and_the_witness(auditor):
    # At GPO the third entry (after the first minute's checkpoint at entry 2) becomes KES 1 and
    # every later hash is recomputed; the checkpoint rows are deleted as well, so the database
    # alone agrees with itself.
    rewrite_ledger_from(3, "1.00", chain=GPO)
    Chain.objects.filter(name=GPO).update(head=Entry.objects.filter(chain=GPO).latest("seq").hash)
    Checkpoint.objects.all().delete()
    for outside in ("sink", "witness"):
        with pytest.raises(CommandError, match=f"Ledger chain {GPO} tampered from entry 3"):
            auditor(outside)


def test_a_cut_tail_is_caught_from_the_sink_and_the_witness(auditor):
    # The last payment at Kisumu is removed, with its receipt and postings, and the head moved
    # back: the chain that is left is perfectly linked.
    last = Entry.objects.filter(chain=KISUMU).latest("seq")
    Receipt.objects.filter(entry=last)._raw_delete(Receipt.objects.db)
    Posting.objects.filter(entry=last)._raw_delete(Posting.objects.db)
    Entry.objects.filter(pk=last.pk)._raw_delete(Entry.objects.db)
    Chain.objects.filter(name=KISUMU).update(position=last.seq - 1)
    Checkpoint.objects.filter(chain=KISUMU, position=last.seq).delete()
    for outside in ("sink", "witness"):
        with pytest.raises(CommandError, match=f"Ledger chain {KISUMU} tampered from entry 6"):
            auditor(outside)


def test_deleted_checkpoint_rows_are_caught_from_the_sink_and_the_witness(auditor, capsys):
    Checkpoint.objects.filter(chain=GPO).delete()
    for outside in ("sink", "witness"):
        with pytest.raises(CommandError, match="tampered"):
            auditor(outside)
        errors = capsys.readouterr().err
        assert errors.count(f"({GPO}, entry") == 3 and "gone from the database" in errors

"""Signed checkpoints catch what a bare hash chain cannot: an insider who rewrites the tables
and recomputes every hash after the edit, or who cuts the newest entries."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huduma.core.audit import _entry_hash as audit_hash
from huduma.core.audit import verify_chain
from huduma.core.models import AuditEntry
from huduma.ledger import checkpoints, services
from huduma.ledger.models import Checkpoint, Entry, Posting, Receipt
from tests.test_ledger_receipts import pay


@pytest.fixture
def sink(settings, tmp_path):
    path = tmp_path / "other-volume" / "checkpoints.jsonl"
    settings.HUDUMA_CHECKPOINT_SINK_FILE = str(path)
    return path


def rewrite_audit_from(position):
    """What an insider with database access can do: change an entry and recompute the rest."""
    prev = AuditEntry.objects.filter(id__lt=position).order_by("-id").first().hash
    for entry in AuditEntry.objects.filter(id__gte=position).order_by("id"):
        if entry.id == position:
            entry.object_repr = "nothing happened here"
        entry.prev_hash = prev
        entry.hash = audit_hash(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(
            object_repr=entry.object_repr, prev_hash=entry.prev_hash, hash=entry.hash
        )
        prev = entry.hash


GPO_NRB = services.chain_name("NRB", "gpo-nairobi")


def rewrite_ledger_from(position, new_amount, chain=GPO_NRB):
    """The insider's rewrite of one ledger chain from `position` (an entry's seq) on."""
    same = Entry.objects.filter(chain=chain)
    prev = same.filter(seq__lt=position).order_by("-seq").values_list("hash", flat=True)
    prev = prev.first() or services.GENESIS
    for entry in same.filter(seq__gte=position).order_by("seq"):
        if entry.seq == position:
            entry.amount = new_amount
            Posting.objects.filter(entry=entry, debit__gt=0).update(debit=new_amount)
            Posting.objects.filter(entry=entry, credit__gt=0).update(credit=new_amount)
        postings = [(p.account, p.debit, p.credit) for p in entry.postings.all()]
        entry.prev_hash = prev
        entry.hash = services.entry_hash(entry, postings)
        Entry.objects.filter(pk=entry.pk).update(
            amount=entry.amount, prev_hash=entry.prev_hash, hash=entry.hash
        )
        prev = entry.hash


def test_checkpoints_are_signed_stored_and_sent_outside(
    world, sink, django_capture_on_commit_callbacks
):
    pay(world)
    with django_capture_on_commit_callbacks(execute=True):
        made = checkpoints.checkpoint_take(kind=Checkpoint.Kind.DAY_CLOSE)
    assert {c.chain for c in made} == {"audit", GPO_NRB}
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    assert {r["chain"] for r in lines} == {"audit", GPO_NRB}
    assert all(r["kind"] == "day_close" and r["signature"] and r["key_id"] for r in lines)
    call_command("verify_audit_chain", checkpoints=[str(sink)])
    call_command("verify_ledger_chain", checkpoints=[str(sink)])


def test_checkpoint_digest_emailed_to_monitors_through_the_outbox(world, settings):
    from huduma.notify.models import Message

    settings.HUDUMA_CHECKPOINT_EMAIL = True
    world.mona.email = "mona@eacc.example"
    world.mona.save()
    pay(world)
    checkpoints.checkpoint_take()
    message = Message.objects.get(to="mona@eacc.example")
    assert f'"chain": "{GPO_NRB}"' in message.body and '"signature"' in message.body


def test_audit_log_rewritten_with_recomputed_hashes_is_caught_by_the_checkpoint(world, sink):
    with_checkpoint = AuditEntry.objects.order_by("-id").first().id
    checkpoints.checkpoint_take()
    victim = AuditEntry.objects.order_by("id")[5].id
    rewrite_audit_from(victim)
    assert verify_chain().ok  # the bare chain is fooled
    verdict = checkpoints.verify("audit", checkpoints.checkpoint_records())
    assert not verdict.ok
    assert any(f"entry {with_checkpoint} differs" in f.message for f in verdict.findings), (
        verdict.findings
    )
    with pytest.raises(CommandError, match="Audit chain tampered"):
        call_command("verify_audit_chain")


def test_ledger_rewritten_caught_even_when_the_checkpoint_table_is_wiped(
    world, sink, django_capture_on_commit_callbacks
):
    first = pay(world, amount="100.00").entry
    with django_capture_on_commit_callbacks(execute=True):
        checkpoints.checkpoint_take()
    second = pay(world, amount="100.00").entry
    with django_capture_on_commit_callbacks(execute=True):
        checkpoints.checkpoint_take()
    pay(world, amount="100.00")
    # The insider lowers the second payment, recomputes the chain and deletes the checkpoints.
    rewrite_ledger_from(second.seq, "1.00")
    Checkpoint.objects.all().delete()
    assert checkpoints.verify(GPO_NRB, []).ok  # without the outside copy, nothing shows
    verdict = checkpoints.verify(GPO_NRB, checkpoints.read_sink(sink))
    assert not verdict.ok
    [finding] = verdict.findings
    assert finding.position == first.seq + 1  # after the last checkpoint that still matches
    assert f"entry {second.seq} differs" in finding.message
    with pytest.raises(
        CommandError, match=f"Ledger chain {GPO_NRB} tampered from entry {first.seq + 1}"
    ):
        call_command("verify_ledger_chain", checkpoints=[str(sink)])


def test_ledger_cut_at_the_tail_is_reported_from_where_it_starts(world, sink):
    pay(world)
    kept = pay(world).entry
    cut = pay(world).entry
    checkpoints.checkpoint_take()
    Receipt.objects.filter(entry=cut)._raw_delete(Receipt.objects.db)
    Posting.objects.filter(entry=cut)._raw_delete(Posting.objects.db)
    Entry.objects.filter(pk=cut.pk)._raw_delete(Entry.objects.db)
    verdict = checkpoints.verify(GPO_NRB, checkpoints.checkpoint_records())
    [finding] = verdict.findings
    assert finding.position == kept.seq + 1 and "tail cut" in finding.message


def test_audit_log_cut_at_the_tail_is_reported(world, sink):
    checkpoints.checkpoint_take()
    last = AuditEntry.objects.order_by("-id").first()
    AuditEntry.objects.filter(id__gte=last.id - 2)._raw_delete(AuditEntry.objects.db)
    assert verify_chain().ok  # the bare chain is fooled
    with pytest.raises(CommandError, match=f"tampered from entry {last.id - 2}"):
        call_command("verify_audit_chain")


def test_forged_checkpoint_is_not_trusted(world, tmp_path):
    pay(world)
    fake = tmp_path / "fake.jsonl"
    fake.write_text(
        json.dumps(
            {"chain": "ledger", "position": 1, "hash": "ab" * 32, "at": "x", "signature": "AAAA"}
        )
        + "\n"
    )
    verdict = checkpoints.verify("ledger", checkpoints.read_sink(fake))
    assert [f.message for f in verdict.findings] == [
        "a checkpoint's signature is not ours (or its key was revoked before it)"
    ]


def test_periodic_and_day_close_tasks_take_checkpoints(world):
    from huduma.ledger import tasks

    pay(world)
    tasks.checkpoint_task()
    tasks.day_close_task()
    kinds = sorted(Checkpoint.objects.values_list("chain", "kind"))
    assert kinds == [
        ("audit", "day_close"),
        ("audit", "interval"),
        (GPO_NRB, "day_close"),
        (GPO_NRB, "interval"),
    ]


def test_audit_tail_cut_then_new_entries_is_reported_from_the_cut(world):
    checkpoints.checkpoint_take()
    last = AuditEntry.objects.order_by("-id").first()
    AuditEntry.objects.filter(id__gte=last.id - 2)._raw_delete(AuditEntry.objects.db)
    pay(world)  # life goes on: new entries chain onto the cut one
    verdict = checkpoints.verify("audit", checkpoints.checkpoint_records())
    assert [f.position for f in verdict.findings] == [last.id - 2], verdict.findings

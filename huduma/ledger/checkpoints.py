"""Signed checkpoints of the audit and ledger chains, kept in the database and sent outside it.

A hash chain alone proves nothing against someone who can rewrite the table: they recompute
every hash after their edit, or cut the newest rows. A checkpoint is the chain's head (position
and hash) signed with the platform's key, which is not in the database, and copied to a sink
outside the platform (a file on another volume, an email digest to the monitors). Verification
walks the chain and compares it with every checkpoint it is given: an entry that no longer
matches, or is gone, is reported with the checkpoint that caught it.
"""

import bisect
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db import transaction

from huduma.accounts.models import Role, User
from huduma.core import clock
from huduma.core.audit import _entry_hash as audit_entry_hash
from huduma.core.models import AuditEntry
from huduma.ledger import receipt_format, signing
from huduma.ledger.models import Checkpoint, Entry
from huduma.ledger.services import GENESIS, ledger_rows

log = logging.getLogger(__name__)
CHAINS = ("audit", "ledger")


def _audit_rows():
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        yield entry.id, entry.prev_hash, entry.hash, audit_entry_hash(entry)


def chain_rows(chain: str):
    return _audit_rows() if chain == "audit" else ledger_rows()


def chain_head(chain: str) -> tuple[int, str]:
    model = AuditEntry if chain == "audit" else Entry
    head = model.objects.order_by("-id").values_list("id", "hash").first()
    return head if head is not None else (0, GENESIS)


def statement(chain: str, position: int, hash_: str, at: str) -> bytes:
    return f"huduma-checkpoint:1|{chain}|{position}|{hash_}|{at}".encode()


def _at_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_record(checkpoint: Checkpoint) -> dict:
    return {
        "chain": checkpoint.chain,
        "kind": checkpoint.kind,
        "position": checkpoint.position,
        "hash": checkpoint.hash,
        "at": _at_text(checkpoint.at),
        "signature": checkpoint.signature,
    }


def _sink_file(records: list[dict]) -> None:
    path = getattr(settings, "HUDUMA_CHECKPOINT_SINK_FILE", "")
    if not path:
        return
    try:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            for record in records:
                handle.write(json.dumps(record, sort_keys=True) + "\n")
    except OSError:
        log.exception("checkpoint sink file could not be written")


def _sink_email(records: list[dict]) -> None:
    """A digest to each monitor with an email address, through the outbox (same transaction)."""
    if not getattr(settings, "HUDUMA_CHECKPOINT_EMAIL", False):
        return
    from huduma.notify.services import email_send

    body = "\n".join(json.dumps(r, sort_keys=True) for r in records)
    monitors = User.objects.filter(role=Role.MONITOR, is_active=True).exclude(email="")
    for monitor in monitors:
        email_send(to=monitor.email, subject="Huduma chain checkpoint", body=body)


def checkpoint_take(*, kind: str = Checkpoint.Kind.INTERVAL) -> list[Checkpoint]:
    """Sign the head of each chain now, store it, and send it to the sinks."""
    now = clock.now()
    made = []
    with transaction.atomic():
        for chain in CHAINS:
            position, hash_ = chain_head(chain)
            signature = signing.sign(statement(chain, position, hash_, _at_text(now)))
            made.append(
                Checkpoint.objects.create(
                    chain=chain,
                    kind=kind,
                    position=position,
                    hash=hash_,
                    at=now,
                    signature=receipt_format.b64(signature),
                )
            )
        records = [as_record(c) for c in made]
        _sink_email(records)
        # The file is written once the checkpoints are committed.
        transaction.on_commit(lambda: _sink_file(records))
    return made


def read_sink(path) -> list[dict]:
    records = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


@dataclass
class Finding:
    position: int
    message: str


@dataclass
class ChainVerdict:
    chain: str
    checked: int = 0
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(chain: str, records: list[dict]) -> ChainVerdict:
    """Walk `chain` and check it against every checkpoint record given (database and sinks).

    Reports the first broken link, checkpoints whose signature fails (forged: ignored), and
    for each genuine checkpoint an entry that is gone (the tail was cut) or whose hash differs
    (rewritten with recomputed hashes: the rewrite starts after the last checkpoint that still
    matches and at or before this one)."""
    verdict = ChainVerdict(chain)
    public_key = signing.public_key()
    genuine = []
    for record in records:
        if record.get("chain") != chain:
            continue
        try:
            data = statement(chain, int(record["position"]), record["hash"], record["at"])
            public_key.verify(receipt_format.unb64(record["signature"]), data)
        except (KeyError, ValueError, TypeError, InvalidSignature):
            verdict.findings.append(
                Finding(int(record.get("position") or 0), "a checkpoint's signature is not ours")
            )
            continue
        genuine.append((int(record["position"]), record["hash"], record["at"]))
    genuine = sorted(set(genuine))
    verdict.checkpoints = len(genuine)
    wanted = {}
    for position, hash_, at in genuine:
        wanted.setdefault(position, []).append((hash_, at))
    seen: dict[int, str] = {0: GENESIS}
    prev = GENESIS
    last = 0
    broken = False
    for position, prev_hash, stored, recomputed in chain_rows(chain):
        if not broken and (prev_hash != prev or stored != recomputed):
            reason = "link broken" if prev_hash != prev else "content does not match its hash"
            verdict.findings.append(
                Finding(position, f"chain broken at entry {position}: {reason}")
            )
            broken = True
        prev = stored
        seen[position] = stored
        last = position
        verdict.checked += 1
    matched_before = 0
    positions = sorted(seen)
    for position, hash_, at in genuine:
        actual = seen.get(position)
        if actual == hash_:
            matched_before = max(matched_before, position)
            continue
        if actual is None and position > last:
            verdict.findings.append(
                Finding(
                    last + 1,
                    f"tail cut: the checkpoint of {at} saw entry {position}, the chain now "
                    f"ends at {last}; entries from {last + 1} are missing",
                )
            )
        elif actual is None:
            # Positions are increasing but may have gaps, so the cut starts after the last
            # entry still present before the missing one.
            before = positions[bisect.bisect_left(positions, position) - 1]
            verdict.findings.append(
                Finding(
                    before + 1,
                    f"entry {position} from the checkpoint of {at} is missing: entries after "
                    f"{before} were cut",
                )
            )
        else:
            start = matched_before + 1
            verdict.findings.append(
                Finding(
                    start,
                    f"rewritten: entry {position} differs from the checkpoint of {at}; the "
                    f"rewrite starts between entries {start} and {position}",
                )
            )
    return verdict


def checkpoint_records(*, sinks=()) -> list[dict]:
    records = [as_record(c) for c in Checkpoint.objects.all()]
    for path in sinks:
        records.extend(read_sink(path))
    return records

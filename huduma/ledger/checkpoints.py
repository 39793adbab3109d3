"""Signed checkpoints of the audit and ledger chains, kept in the database and sent outside it.

A hash chain alone proves nothing against someone who can rewrite the table: they recompute
every hash after their edit, or cut the newest rows. A checkpoint is a chain's head (position
and hash) signed with the platform's key, which is not in the database, and copied every minute
to a sink outside the database (a file on another volume) and to a witness outside the
installation (an HTTP endpoint, an email to the monitors). Verification walks each chain and
compares it with every checkpoint it is given, checked with the published key set alone: an
entry that no longer matches, or is gone, is reported with the checkpoint that caught it, and a
checkpoint the sink or witness holds but the database lost is reported too.
"""

import bisect
import datetime as dt
import json
import logging
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from huduma.accounts.models import Role, User
from huduma.core import clock
from huduma.core.audit import _entry_hash as audit_entry_hash
from huduma.core.models import AuditEntry
from huduma.ledger import receipt_format, signing
from huduma.ledger.models import LEGACY_CHAIN, Chain, Checkpoint, Entry
from huduma.ledger.services import GENESIS, ledger_chains, ledger_rows
from huduma.notify.services import email_send, sms_send

log = logging.getLogger(__name__)
AUDIT = "audit"


class CheckpointNotSent(RuntimeError):
    """A checkpoint was signed and stored but could not reach a sink or witness."""


def is_ledger(chain: str) -> bool:
    return chain == LEGACY_CHAIN or chain.startswith(LEGACY_CHAIN + ":")


def _audit_rows():
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        yield entry.id, entry.prev_hash, entry.hash, audit_entry_hash(entry)


def chain_rows(chain: str):
    return _audit_rows() if chain == AUDIT else ledger_rows(chain)


def chain_head(chain: str) -> tuple[int, str]:
    if chain == AUDIT:
        head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    else:
        head = Entry.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash")
        head = head.first()
    return head if head is not None else (0, GENESIS)


def statement(chain: str, position: int, hash_: str, at: str, key_id: str = "") -> bytes:
    if key_id:
        return f"huduma-checkpoint:2|{key_id}|{chain}|{position}|{hash_}|{at}".encode()
    return f"huduma-checkpoint:1|{chain}|{position}|{hash_}|{at}".encode()


def _at_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_record(checkpoint: Checkpoint) -> dict:
    record = {
        "chain": checkpoint.chain,
        "kind": checkpoint.kind,
        "position": checkpoint.position,
        "hash": checkpoint.hash,
        "at": _at_text(checkpoint.at),
        "signature": checkpoint.signature,
    }
    if checkpoint.key_id:
        record["key_id"] = checkpoint.key_id
    return record


def _chains_to_checkpoint(kind: str) -> list[str]:
    """The audit chain always; every ledger chain at the day's close, otherwise those whose
    head moved since their last checkpoint (thousands of chains, most quiet in any minute)."""
    if kind == Checkpoint.Kind.DAY_CLOSE:
        return [AUDIT, *ledger_chains()]
    last = dict(
        Checkpoint.objects.filter(chain__startswith=LEGACY_CHAIN)
        .values("chain")
        .annotate(p=Max("position"))
        .values_list("chain", "p")
    )
    moved = [
        name
        for name, position in Chain.objects.values_list("name", "position")
        if last.get(name) != position
    ]
    if LEGACY_CHAIN not in last and Entry.objects.filter(chain=LEGACY_CHAIN).exists():
        moved.append(LEGACY_CHAIN)
    return [AUDIT, *sorted(moved)]


# --- Outside the database ------------------------------------------------------------------


def _sink_file(records: list[dict]) -> None:
    path = Path(settings.HUDUMA_CHECKPOINT_SINK_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        for record in records:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
        handle.flush()


def _witness_http(records: list[dict]) -> None:
    """POST the checkpoints to the witness (an endpoint of the Auditor-General's kind)."""
    body = json.dumps({"installation": settings.PUBLIC_URL, "checkpoints": records}).encode()
    request = urllib.request.Request(  # noqa: S310 - the configured witness address
        settings.HUDUMA_CHECKPOINT_WITNESS_URL,
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"the witness answered HTTP {response.status}")


def _monitors():
    return User.objects.filter(role=Role.MONITOR, is_active=True)


def _witness_email(records: list[dict]) -> None:
    """A digest to each monitor with an email address, through the outbox (same transaction)."""
    monitors = list(_monitors().exclude(email=""))
    if not monitors:
        raise CheckpointNotSent("no monitor has an email address to witness the checkpoints")
    body = "\n".join(json.dumps(r, sort_keys=True) for r in records)
    for monitor in monitors:
        email_send(to=monitor.email, subject="Huduma chain checkpoint", body=body)


def alert_monitors(problem: str) -> None:
    """Tell the monitors (email and SMS, through the outbox) that tamper evidence is failing."""
    log.error("checkpoint not sent: %s", problem)
    with transaction.atomic():
        for monitor in _monitors():
            if monitor.email:
                email_send(
                    to=monitor.email,
                    subject="Huduma: chain checkpoints are failing",
                    body=f"A signed checkpoint could not be sent outside the database: {problem}",
                )
            if monitor.phone:
                sms_send(
                    to=monitor.phone,
                    template="checkpoint_failed",
                    context={"problem": problem[:80]},
                    language="en",
                )


def checkpoint_take(*, kind: str = Checkpoint.Kind.INTERVAL) -> list[Checkpoint]:
    """Sign the head of each chain now, store it, and send it outside: the sink file, the
    witness address, the monitors' email. Any of them failing is told to the monitors and
    raised (CheckpointNotSent) once the others were tried: never a silent success."""
    now = clock.now()
    kid = signing.current_key_id()
    made = []
    problems = []
    with transaction.atomic():
        for chain in _chains_to_checkpoint(kind):
            position, hash_ = chain_head(chain)
            signature = signing.sign(statement(chain, position, hash_, _at_text(now), kid))
            made.append(
                Checkpoint(
                    chain=chain,
                    kind=kind,
                    position=position,
                    hash=hash_,
                    at=now,
                    signature=receipt_format.b64(signature),
                    key_id=kid,
                )
            )
        Checkpoint.objects.bulk_create(made)
        records = [as_record(c) for c in made]
        if settings.HUDUMA_CHECKPOINT_EMAIL:
            try:
                with transaction.atomic():
                    _witness_email(records)
            except CheckpointNotSent as exc:
                problems.append(str(exc))
    # Outside the transaction: what is sent out is what was committed.
    if settings.HUDUMA_CHECKPOINT_SINK_FILE:
        try:
            _sink_file(records)
        except OSError as exc:
            problems.append(f"sink file {settings.HUDUMA_CHECKPOINT_SINK_FILE}: {exc}")
    if settings.HUDUMA_CHECKPOINT_WITNESS_URL:
        try:
            _witness_http(records)
        except (OSError, ValueError) as exc:
            problems.append(f"witness {settings.HUDUMA_CHECKPOINT_WITNESS_URL}: {exc}")
    if problems:
        alert_monitors("; ".join(problems))
        raise CheckpointNotSent("; ".join(problems))
    return made


# --- Verification --------------------------------------------------------------------------


def read_sink(path) -> list[dict]:
    """The checkpoint records of a sink file or a witness's copy: JSON lines, each a record or
    a witness body ({"checkpoints": [...]})."""
    records = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and isinstance(item.get("checkpoints"), list):
            records.extend(r for r in item["checkpoints"] if isinstance(r, dict))
        elif isinstance(item, dict):
            records.append(item)
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


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None


def genuine(record: dict, keys: dict[str, signing.PublishedKey]) -> bool:
    """Whether a checkpoint record is signed by a key of the set valid at its moment."""
    try:
        kid = record.get("key_id", "")
        data = statement(
            record["chain"], int(record["position"]), record["hash"], record["at"], kid
        )
        signature = receipt_format.unb64(record["signature"])
    except (KeyError, ValueError, TypeError):
        return False
    candidates = [keys[kid]] if kid in keys else ([] if kid else list(keys.values()))
    return any(
        key.verifies(signature, data) and key.valid_at(_moment(record["at"])) for key in candidates
    )


def verify(chain: str, records: list[dict], keys=None) -> ChainVerdict:
    """Walk `chain` and check it against every checkpoint record given (database and sinks),
    trusting only signatures of the key set `keys` (the published set; by default this
    installation's).

    Reports the first broken link, checkpoints whose signature fails (forged: ignored), and
    for each genuine checkpoint an entry that is gone (the tail was cut) or whose hash differs
    (rewritten with recomputed hashes: the rewrite starts after the last checkpoint that still
    matches and at or before this one)."""
    verdict = ChainVerdict(chain)
    keys = signing.key_set() if keys is None else keys
    trusted = []
    for record in records:
        if record.get("chain") != chain:
            continue
        if not genuine(record, keys):
            verdict.findings.append(
                Finding(
                    _int(record.get("position")),
                    "a checkpoint's signature is not ours (or its key was revoked before it)",
                )
            )
            continue
        trusted.append((int(record["position"]), record["hash"], record["at"]))
    trusted = sorted(set(trusted))
    verdict.checkpoints = len(trusted)
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
    for position, hash_, at in trusted:
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


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _key(record: dict) -> tuple:
    return (record.get("chain"), _int(record.get("position")), record.get("hash"), record.get("at"))


def checkpoints_missing(outside: list[dict], keys=None) -> list[Finding]:
    """Genuine checkpoints that a sink or witness holds and the database no longer does: the
    rows were deleted (to hide a rewrite, or a cut, from whoever reads only the database)."""
    keys = signing.key_set() if keys is None else keys
    stored = {_key(as_record(c)) for c in Checkpoint.objects.all()}
    missing = {}
    for record in outside:
        if _key(record) not in stored and genuine(record, keys):
            missing[_key(record)] = record
    return [
        Finding(
            _int(r.get("position")),
            f"the checkpoint of {r.get('at')} ({r.get('chain')}, entry {r.get('position')}) "
            "is outside but gone from the database",
        )
        for r in sorted(missing.values(), key=lambda r: (r.get("at"), r.get("chain")))
    ]


def checkpoint_records(*, sinks=()) -> list[dict]:
    records = [as_record(c) for c in Checkpoint.objects.all()]
    for path in sinks:
        records.extend(read_sink(path))
    return records


def chains_to_verify(records: list[dict], *, ledger: bool) -> list[str]:
    """The ledger chains (from the database and from every checkpoint given: a chain whose
    entries were all deleted is still checked), or the audit chain."""
    if not ledger:
        return [AUDIT]
    named = {r.get("chain") for r in records if isinstance(r.get("chain"), str)}
    return sorted(set(ledger_chains()) | {c for c in named if is_ledger(c)})

"""The audit and ledger chains checked against every signed checkpoint: in the database and in
the checkpoint files given (the sink, a witness's copy). A rewrite with recomputed hashes, or a
cut tail, before the latest checkpoint is reported, and so is a checkpoint those files hold that
the database lost. With a key set file (the published /receipts/keys.json) only public keys are
used: an auditor needs no private key.

Registered with core (core.audit.register_chain_verifier) for `verify_audit_chain` and
`verify_ledger_chain`; core imports no ledger.
"""

from pathlib import Path

from django.conf import settings

from huduma.core.audit import ChainVerdict
from huduma.ledger import checkpoints, signing


def chain_verify(
    *, chain: str, checkpoint_files: list[str], keys_file: str | None = None
) -> ChainVerdict:
    keys = None
    if keys_file:
        keys = signing.load_key_set(Path(keys_file).read_text())
    sinks = list(checkpoint_files)
    default = getattr(settings, "HUDUMA_CHECKPOINT_SINK_FILE", "")
    if not sinks and default and Path(default).exists():
        sinks = [default]
    for path in sinks:
        if not Path(path).exists():
            return ChainVerdict(ok=False, summary=f"No checkpoint file at {path}")
    outside = [r for path in sinks for r in checkpoints.read_sink(path)]
    records = checkpoints.checkpoint_records() + outside
    ledger = chain == "ledger"
    label = "Audit chain" if not ledger else "Ledger chain"
    problems = []
    checked = counted = 0
    for name in checkpoints.chains_to_verify(records, ledger=ledger):
        verdict = checkpoints.verify(name, records, keys)
        checked += verdict.checked
        counted += verdict.checkpoints
        shown = label if name in ("audit", "ledger") else f"{label} {name}"
        problems += [(shown, f) for f in verdict.findings]
    ours = [r for r in outside if checkpoints.is_ledger(str(r.get("chain"))) == ledger]
    problems += [(label, f) for f in checkpoints.checkpoints_missing(ours, keys)]
    if problems:
        first_name, first = problems[0]  # a broken chain first, then lost checkpoints
        return ChainVerdict(
            ok=False,
            summary=f"{first_name} tampered from entry {first.position}: {len(problems)} "
            f"problem(s), {checked} entries and {counted} checkpoints checked.",
            problems=tuple(f"{name}: {finding.message}" for name, finding in problems),
        )
    return ChainVerdict(
        ok=True,
        summary=f"{label} intact: {checked} entries, agrees with {counted} signed checkpoints.",
    )

"""Verify the audit chain: exits non-zero and names the first tampered entry if any.

With the ledger app installed, the chain is also checked against every signed checkpoint in the
database and in the checkpoint files given with --checkpoints (the sink, a witness's copy): a
rewrite with recomputed hashes, or a cut tail, before the latest checkpoint is reported, and so
is a checkpoint those files hold that the database lost. With --keys (the published key set,
/receipts/keys.json) only public keys are used: an auditor needs no private key.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huduma.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify that no audit entry was edited, deleted or re-ordered."
    chain = "audit"

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            metavar="FILE",
            help="a checkpoint sink file or witness copy (JSON lines) to check against; may "
            "be repeated. Defaults to HUDUMA_CHECKPOINT_SINK_FILE when it exists.",
        )
        parser.add_argument(
            "--keys",
            metavar="FILE",
            help="the published key set (keys.json) to check signatures with; defaults to "
            "this installation's",
        )

    def handle(self, *args, **options):
        if not apps.is_installed("huduma.ledger"):
            report = verify_chain()
            if not report.ok:
                raise CommandError(
                    f"Audit chain broken at entry {report.first_bad_id}: {report.reason} "
                    f"({report.checked} entries verified before it)."
                )
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
            return
        from huduma.ledger import checkpoints, signing

        keys = None
        if options["keys"]:
            keys = signing.load_key_set(Path(options["keys"]).read_text())
        sinks = options["checkpoints"]
        default = getattr(settings, "HUDUMA_CHECKPOINT_SINK_FILE", "")
        if not sinks and default and Path(default).exists():
            sinks = [default]
        for path in sinks:
            if not Path(path).exists():
                raise CommandError(f"No checkpoint file at {path}")
        outside = [r for path in sinks for r in checkpoints.read_sink(path)]
        records = checkpoints.checkpoint_records() + outside
        ledger = self.chain == "ledger"
        label = "Audit chain" if not ledger else "Ledger chain"
        problems = []
        checked = counted = 0
        for chain in checkpoints.chains_to_verify(records, ledger=ledger):
            verdict = checkpoints.verify(chain, records, keys)
            checked += verdict.checked
            counted += verdict.checkpoints
            name = label if chain in ("audit", "ledger") else f"{label} {chain}"
            problems += [(name, f) for f in verdict.findings]
        ours = [r for r in outside if checkpoints.is_ledger(str(r.get("chain"))) == ledger]
        problems += [(label, f) for f in checkpoints.checkpoints_missing(ours, keys)]
        if problems:
            for name, finding in problems:
                self.stderr.write(f"{name}: {finding.message}")
            first_name, first = problems[0]  # a broken chain first, then lost checkpoints
            raise CommandError(
                f"{first_name} tampered from entry {first.position}: {len(problems)} "
                f"problem(s), {checked} entries and {counted} checkpoints checked."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} intact: {checked} entries, agrees with {counted} signed checkpoints."
            )
        )

"""Verify the audit chain: exits non-zero and names the first tampered entry if any.

With the ledger app installed, the chain is also checked against every signed checkpoint in the
database and in the checkpoint files given with --checkpoints (the external sink): a rewrite
with recomputed hashes, or a cut tail, before the latest checkpoint is reported.
"""

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
            help="a checkpoint sink file (JSON lines) to check against; may be repeated. "
            "Defaults to HUDUMA_CHECKPOINT_SINK_FILE when it exists.",
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
        from pathlib import Path

        from huduma.ledger.checkpoints import checkpoint_records, verify

        sinks = options["checkpoints"]
        default = getattr(settings, "HUDUMA_CHECKPOINT_SINK_FILE", "")
        if not sinks and default and Path(default).exists():
            sinks = [default]
        for path in sinks:
            if not Path(path).exists():
                raise CommandError(f"No checkpoint file at {path}")
        verdict = verify(self.chain, checkpoint_records(sinks=sinks))
        label = "Audit chain" if self.chain == "audit" else "Ledger chain"
        if not verdict.ok:
            for finding in verdict.findings:
                self.stderr.write(f"{label}: {finding.message}")
            first = min(f.position for f in verdict.findings)
            raise CommandError(
                f"{label} tampered from entry {first}: {len(verdict.findings)} problem(s), "
                f"{verdict.checked} entries and {verdict.checkpoints} checkpoints checked."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} intact: {verdict.checked} entries, "
                f"agrees with {verdict.checkpoints} signed checkpoints."
            )
        )

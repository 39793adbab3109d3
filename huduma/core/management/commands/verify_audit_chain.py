"""Verify the audit chain: exits non-zero and names the first tampered entry if any.

With the ledger app installed (it registers its verifier, ledger/verify.py, through
core.audit.register_chain_verifier), the chain is also checked against every signed checkpoint
in the database and in the checkpoint files given with --checkpoints (the sink, a witness's copy): a
rewrite with recomputed hashes, or a cut tail, before the latest checkpoint is reported, and so
is a checkpoint those files hold that the database lost. With --keys (the published key set,
/receipts/keys.json) only public keys are used: an auditor needs no private key.
"""

from django.core.management.base import BaseCommand, CommandError

from huduma.core.audit import chain_verifier, verify_chain


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
        verifier = chain_verifier()
        if verifier is None:
            report = verify_chain()
            if not report.ok:
                raise CommandError(
                    f"Audit chain broken at entry {report.first_bad_id}: {report.reason} "
                    f"({report.checked} entries verified before it)."
                )
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
            return
        verdict = verifier(
            chain=self.chain, checkpoint_files=options["checkpoints"], keys_file=options["keys"]
        )
        for problem in verdict.problems:
            self.stderr.write(problem)
        if not verdict.ok:
            raise CommandError(verdict.summary)
        self.stdout.write(self.style.SUCCESS(verdict.summary))

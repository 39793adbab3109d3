"""Verify the audit chain: exits non-zero and names the first tampered entry if any."""

from django.core.management.base import BaseCommand, CommandError

from huduma.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify that no audit entry was edited, deleted or re-ordered."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at entry {report.first_bad_id}: {report.reason} "
                f"({report.checked} entries verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))

"""Register the paybill's C2B confirmation and validation URLs with Safaricom Daraja, once
per paybill (and again whenever HUDUMA_PUBLIC_URL or MPESA_C2B_SECRET change)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huduma.payments import services
from huduma.payments.providers import Daraja, ProviderUnavailable


class Command(BaseCommand):
    help = (
        "Register this server's C2B confirmation and validation URLs for MPESA_SHORTCODE with "
        "Daraja (needs MPESA_PROVIDER=daraja, MPESA_C2B_SECRET and a public HTTPS "
        "HUDUMA_PUBLIC_URL). --dry-run prints the URLs without calling Daraja."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print, do not register")

    def handle(self, *args, dry_run: bool = False, **options):
        if not settings.MPESA_C2B_SECRET.isalnum():
            raise CommandError("Set MPESA_C2B_SECRET (letters and digits) first.")
        confirmation, validation = services.c2b_urls()
        if not confirmation.startswith("https://"):
            raise CommandError("HUDUMA_PUBLIC_URL must be a public https:// address.")
        # The secret is in the URLs: show only where they point.
        shown = confirmation.replace(settings.MPESA_C2B_SECRET, "<secret>")
        self.stdout.write(f"Confirmation URL: {shown}")
        self.stdout.write(f"Validation URL: {shown.rsplit('/', 1)[0]}/validation")
        if dry_run:
            return
        if settings.MPESA_PROVIDER != "daraja":
            raise CommandError("MPESA_PROVIDER is not daraja: nothing to register.")
        try:
            answer = Daraja().c2b_register(confirmation_url=confirmation, validation_url=validation)
        except ProviderUnavailable as exc:
            raise CommandError(f"Daraja refused the registration: {exc}") from exc
        except Exception as exc:
            # mpesakit's errors (network, HTTP, Daraja's refusal) have no common base class.
            raise CommandError(f"Daraja refused or could not be reached: {exc}"[:300]) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Registered for paybill {settings.MPESA_SHORTCODE}: {answer}")
        )

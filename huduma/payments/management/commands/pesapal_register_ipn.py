"""Register this server's IPN URL with Pesapal API 3.0 (RegisterIPN) and print the ipn_id to
set as PESAPAL_IPN_ID; again whenever HUDUMA_PUBLIC_URL changes."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from huduma.payments.providers import Pesapal, ProviderUnavailable


def ipn_url() -> str:
    return settings.PUBLIC_URL + reverse("api:pesapal_ipn")


class Command(BaseCommand):
    help = (
        "Register the Pesapal IPN URL (needs CARD_PROVIDER=pesapal, its consumer key and "
        "secret, and a public https HUDUMA_PUBLIC_URL); prints the ipn_id for PESAPAL_IPN_ID."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print, do not register")

    def handle(self, *args, dry_run: bool = False, **options):
        url = ipn_url()
        self.stdout.write(f"IPN URL: {url}")
        if dry_run:
            return
        if not url.startswith("https://"):
            raise CommandError("HUDUMA_PUBLIC_URL must be a public https:// address.")
        if settings.CARD_PROVIDER != "pesapal":
            raise CommandError("CARD_PROVIDER is not pesapal: nothing to register.")
        try:
            ipn_id = Pesapal().register_ipn(url=url)
        except ProviderUnavailable as exc:
            raise CommandError(f"Pesapal refused the registration: {exc}") from exc
        if not ipn_id:
            raise CommandError("Pesapal answered without an ipn_id.")
        self.stdout.write(self.style.SUCCESS(f"PESAPAL_IPN_ID={ipn_id}"))

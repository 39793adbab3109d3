"""Start-up checks of the payment providers: with DEBUG off, no sandbox provider and no
missing key, unless the installation is declared a sandbox (HUDUMA_PAYMENTS_SANDBOX=1).

Deployment checks with the "huduma.start" tag: `manage.py check --deploy` reports them, and
huduma/wsgi.py runs the checks of this tag before the server takes a request. (Not plain
`check`: makemigrations and the test settings run that, with the sandbox on purpose.)
"""

from django.conf import settings
from django.core import checks

from huduma.core.startup import START_TAG

MPESA_KEYS = ("MPESA_CONSUMER_KEY", "MPESA_CONSUMER_SECRET", "MPESA_SHORTCODE", "MPESA_PASSKEY")
PESAPAL_KEYS = ("PESAPAL_CONSUMER_KEY", "PESAPAL_CONSUMER_SECRET", "PESAPAL_IPN_ID")


def sandbox_providers() -> list[str]:
    """The payment providers configured here that take no real money."""
    found = []
    if settings.MPESA_PROVIDER != "daraja":
        found.append(f"MPESA_PROVIDER={settings.MPESA_PROVIDER or 'sandbox'}")
    elif settings.MPESA_ENVIRONMENT != "production":
        found.append(f"MPESA_ENVIRONMENT={settings.MPESA_ENVIRONMENT}")
    if settings.CARD_PROVIDER == "pesapal" and settings.PESAPAL_ENVIRONMENT != "live":
        found.append(f"PESAPAL_ENVIRONMENT={settings.PESAPAL_ENVIRONMENT}")
    return found


@checks.register(checks.Tags.security, START_TAG, deploy=True)
def payment_providers_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if settings.HUDUMA_MODE == "field":
        # A field kit calls no payment provider: the centre server verifies at sync.
        return errors
    sandbox = sandbox_providers()
    if sandbox and not settings.DEBUG and not settings.PAYMENTS_SANDBOX:
        errors.append(
            checks.Error(
                "Sandbox payment provider in production: " + ", ".join(sandbox) + ".",
                hint=(
                    "Set MPESA_PROVIDER=daraja with MPESA_ENVIRONMENT=production (and "
                    "CARD_PROVIDER=pesapal with PESAPAL_ENVIRONMENT=live, or no card), or "
                    "declare a test installation with HUDUMA_PAYMENTS_SANDBOX=1: its pages, SMS "
                    "and receipts then say SANDBOX."
                ),
                id="payments.E001",
            )
        )
    if settings.MPESA_PROVIDER == "daraja":
        missing = [name for name in MPESA_KEYS if not getattr(settings, name)]
        if missing:
            errors.append(
                checks.Error(
                    "MPESA_PROVIDER=daraja without " + ", ".join(missing) + ".",
                    hint="Daraja's consumer key and secret, the paybill and its passkey.",
                    id="payments.E002",
                )
            )
    elif settings.MPESA_PROVIDER != "sandbox":
        errors.append(
            checks.Error(
                f"Unknown MPESA_PROVIDER {settings.MPESA_PROVIDER!r}.",
                hint='"daraja", or "sandbox" for tests and the demo.',
                id="payments.E002",
            )
        )
    if settings.CARD_PROVIDER == "pesapal":
        missing = [name for name in PESAPAL_KEYS if not getattr(settings, name)]
        if missing:
            errors.append(
                checks.Error(
                    "CARD_PROVIDER=pesapal without " + ", ".join(missing) + ".",
                    hint="Pesapal's consumer key and secret, and the IPN id that "
                    "`manage.py pesapal_register_ipn` prints.",
                    id="payments.E003",
                )
            )
        if settings.PESAPAL_ENVIRONMENT not in ("sandbox", "live"):
            errors.append(
                checks.Error(
                    f"Unknown PESAPAL_ENVIRONMENT {settings.PESAPAL_ENVIRONMENT!r}.",
                    hint='"live", or "sandbox" (Pesapal\'s test mode).',
                    id="payments.E003",
                )
            )
    elif settings.CARD_PROVIDER:
        errors.append(
            checks.Error(
                f"Unknown CARD_PROVIDER {settings.CARD_PROVIDER!r}.",
                hint='"pesapal", or empty: card payments off.',
                id="payments.E003",
            )
        )
    return errors

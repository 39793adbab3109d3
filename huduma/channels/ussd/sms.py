"""The SMS that confirm a USSD action whose verb does not text the citizen itself."""

from django.utils.translation import gettext_lazy as _

from huduma.notify.templates_text import SMS_TEMPLATES

USSD_SMS_TEMPLATES = {
    "ussd_payment_asked": _(
        "Huduma: M-Pesa asked this phone to pay %(amount)s for application %(number)s. "
        "Your receipt comes by SMS once paid."
    ),
    "ussd_rating_thanks": _("Huduma: thank you for rating your visit to %(centre)s."),
}


def register_templates() -> None:
    SMS_TEMPLATES.update(USSD_SMS_TEMPLATES)

"""The SMS texts of Huduma Mashinani: the announcement and the opt-in replies."""

from django.utils.translation import gettext_lazy as _

from huduma.notify.templates_text import SMS_TEMPLATES

OUTREACH_SMS_TEMPLATES = {
    "outreach_announcement": _(
        "Huduma Mashinani: %(dates)s, %(hours)s at %(venue)s. Services: %(services)s. "
        "Bring your ID card and the documents your service needs. Official fees only."
    ),
    "outreach_opted_in": _(
        "Huduma: we will text you when Huduma Mashinani comes to %(sub_county)s. "
        "Send MASHINANI STOP to stop."
    ),
    "outreach_opted_out": _("Huduma: you will get no more Huduma Mashinani messages."),
    "outreach_opt_in_help": _(
        "Huduma: to hear when Huduma Mashinani comes near you, send MASHINANI and your "
        "sub-county, e.g. MASHINANI Westlands."
    ),
}


def register_templates() -> None:
    SMS_TEMPLATES.update(OUTREACH_SMS_TEMPLATES)

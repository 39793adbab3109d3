"""The citizen's SMS at each step of an application, and the referral address; registered with
notify's templates when the app loads (like each app's inbound keywords)."""

from django.utils.translation import gettext_lazy as _

SMS_TEMPLATES = {
    "application_received": _(
        "Huduma: application %(number)s for %(service)s received. Expected by %(due)s. "
        "Track it with this number and your phone."
    ),
    "application_in_processing": _("Huduma: application %(number)s is being processed."),
    "application_query": _(
        "Huduma: application %(number)s needs your answer: %(reason)s. "
        "Your waiting time stops until you answer."
    ),
    "application_approved": _("Huduma: application %(number)s has been approved."),
    "application_rejected": _("Huduma: application %(number)s was not approved: %(reason)s."),
    "application_ready": _(
        "Huduma: application %(number)s is ready. Collect it at %(centre)s with your ID."
    ),
    "application_collected": _("Huduma: application %(number)s was collected. Thank you."),
    "referral_address": _("Huduma: %(service)s is offered at the office of %(mda)s: %(address)s."),
}

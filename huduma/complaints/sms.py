"""The SMS a complainant receives at each step. Short: one SMS page where the text allows."""

from django.utils.translation import gettext_lazy as _

from huduma.notify.templates_text import SMS_TEMPLATES

COMPLAINT_SMS_TEMPLATES = {
    "complaint_received": _(
        "Huduma: we received your complaint, reference %(reference)s. It is with %(handler)s. "
        "Follow it at %(url)s with the reference and this phone number."
    ),
    "complaint_assigned": _("Huduma: complaint %(reference)s has been assigned to %(handler)s."),
    "complaint_in_progress": _("Huduma: work has started on complaint %(reference)s."),
    "complaint_resolved": _(
        "Huduma: complaint %(reference)s is resolved: %(resolution)s. "
        "Confirm and rate it, or reopen it, at %(url)s"
    ),
    "complaint_closed": _("Huduma: complaint %(reference)s is closed. Thank you."),
    "complaint_reopened": _(
        "Huduma: complaint %(reference)s is reopened and is with %(handler)s again."
    ),
    "complaint_escalated": _(
        "Huduma: complaint %(reference)s was not resolved in time; it is now with %(handler)s."
    ),
    "complaint_appealed": _(
        "Huduma: your appeal on complaint %(reference)s has gone to %(handler)s."
    ),
    "complaint_sms_ask_category": _(
        "Huduma: complaint %(reference)s received. What is it about? Reply 1 poor service, "
        "2 delay, 3 bribe, 4 discrimination, 5 maladministration, 6 other."
    ),
    "complaint_sms_ask_staff": _(
        "Huduma: complaint %(reference)s: is it about a member of staff, the Centre Manager "
        "included? Reply 1 yes (it will not go to that centre), 2 no."
    ),
    "complaint_sms_ask_centre": _(
        "Huduma: complaint %(reference)s: which Huduma Centre? Reply with its name, e.g. GPO, "
        "or 0 if not about one centre."
    ),
    "complaint_sms_help": _(
        "Huduma: to complain, send COMPLAINT and what happened, e.g. COMPLAINT GPO centre "
        "counter 4 asked me for money. Or go to %(url)s"
    ),
}


def register_templates() -> None:
    SMS_TEMPLATES.update(COMPLAINT_SMS_TEMPLATES)

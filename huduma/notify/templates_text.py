"""Message templates. Each is a translatable string; the citizen's language picks the catalogue."""

from django.utils.translation import gettext_lazy as _

SMS_TEMPLATES = {
    "test": _("Huduma: this is a test message."),
    "ticket_issued": _(
        "%(centre)s: your ticket is %(number)s for %(services)s. "
        "About %(wait)s min wait. We will text you when you are near the front."
    ),
    "ticket_near_front": _(
        "%(centre)s: ticket %(number)s, you are %(ahead)s away from being served. "
        "Please come to the waiting hall now."
    ),
    "ticket_called": _("%(centre)s: ticket %(number)s, please go to counter %(counter)s."),
    "ticket_day_closed": _(
        "%(centre)s: sorry, ticket %(number)s was not served before we closed today. "
        "When we come again: %(url)s"
    ),
    "sms_join_help": _(
        "Huduma: to queue, send JOIN, the centre code and the service code, e.g. "
        "JOIN GPO-NAIROBI NHIF-REGISTER. Codes are on huduma centre charters."
    ),
    "appointment_booked": _(
        "%(centre)s: appointment %(reference)s for %(service)s on %(when)s. "
        "Bring: %(requirements)s."
    ),
    "appointment_moved": _(
        "%(centre)s: appointment %(reference)s for %(service)s is now on %(when)s. "
        "Bring: %(requirements)s."
    ),
    "appointment_cancelled": _(
        "%(centre)s: appointment %(reference)s on %(when)s is cancelled. Book again any time."
    ),
    "ticket_issued_no_counter": _(
        "%(centre)s: your ticket is %(number)s for %(services)s. No counter for this service "
        "is open yet. We will text you when you are near the front."
    ),
    "ticket_issued_here": _(
        "%(centre)s: your ticket is %(number)s for %(services)s. "
        "Watch the screen in the hall for your number."
    ),
    "rating_invite": _(
        "%(centre)s: how was your visit today (ticket %(number)s)? Rate it once here: %(link)s"
    ),
    "survey_invite": _(
        "Huduma: please help us improve. A short survey about your visit to %(centre)s: %(link)s"
    ),
    "payment_received": _(
        "%(centre)s: %(amount)s received for %(service)s, reference %(reference)s. Thank you."
    ),
    "checkpoint_failed": _(
        "Huduma: chain checkpoints are not reaching their sink or witness (%(problem)s). "
        "Tamper evidence is off until this is fixed."
    ),
    # The contact centre's answer: a knowledge-base article's own words, never an agent's.
    "contact_article": _("Huduma: %(title)s %(text)s More: %(url)s"),
    "knowledge_stale": _(
        'Huduma: the knowledge-base article "%(title)s" was due for review on %(due)s. '
        "Please review it: %(url)s"
    ),
}

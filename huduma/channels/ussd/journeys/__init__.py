"""The mHuduma USSD menu, as a table: every screen a caller can reach, and what each answer
does. Every action is the owning app's own verb (the rule lives there, once); this module only
asks the questions and words the answers.

Menus nest at most 4 levels (home is level 1); a journey's questions then follow one another.
tests/test_ussd_screens.py walks every node in both languages and checks the limits.

The table is here; each journey's steps are in their own module: find.py (a service, a
centre), queue.py, appointments.py, applications.py (status and fee), complaints.py (make,
report a bribe, follow), more.py (rating, receipts, outreach, language); answers.py holds what
they share (reading an answer, wording a date, an amount, a refusal).
"""

import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from huduma.channels.ussd.flow import Ctx, Menu, Node, Step
from huduma.channels.ussd.journeys.applications import (
    application_info_show,
    application_info_take,
    application_take,
    pay_confirm_show,
    pay_confirm_take,
)
from huduma.channels.ussd.journeys.appointments import (
    book_confirm_show,
    book_confirm_take,
    book_day_enter,
    book_day_show,
    book_day_take,
    book_slot_show,
    book_slot_take,
    cancel_confirm_show,
    cancel_confirm_take,
    my_bookings_enter,
    my_bookings_show,
    my_bookings_take,
)
from huduma.channels.ussd.journeys.complaints import (
    bribe_who_take,
    complaint_category_show,
    complaint_category_take,
    complaint_phrase_take,
    complaint_text_take,
    track_how_take,
    track_phrase_take,
    track_ref_take,
)
from huduma.channels.ussd.journeys.find import (
    centre_pick_show,
    centre_pick_take,
    centre_q_take,
    centre_service_show,
    centre_service_take,
    find_pick_show,
    find_pick_take,
    find_take,
    service_info_show,
    service_info_take,
)
from huduma.channels.ussd.journeys.more import (
    language_enter,
    outreach_pick_show,
    outreach_pick_take,
    outreach_q_take,
    rate_enter,
    rate_show,
    rate_take,
    receipt_take,
    resume_show,
)
from huduma.channels.ussd.journeys.queue import (
    join_confirm_show,
    join_confirm_take,
    ticket_enter,
)
from huduma.channels.ussd.screens import View
from huduma.complaints.services import SECRET_PHRASE_MIN


def _ask(text) -> "callable":
    def show(ctx: Ctx) -> View:
        return View(str(text))

    return show


def _no_show(ctx: Ctx) -> View:  # steps that always end or move on when opened
    return View("")


# --- the table ---------------------------------------------------------------------------------

HOME = "home"
NODES: dict[str, Node] = {
    node.key: node
    for node in (
        Menu(
            HOME,
            gettext_lazy("Huduma Kenya"),
            (
                (gettext_lazy("Find a service"), "find_q"),
                (gettext_lazy("Queue"), "queue"),
                (gettext_lazy("Appointment"), "appointment"),
                (gettext_lazy("My application or fee"), "application_q"),
                (gettext_lazy("Complaint"), "complaint"),
                (gettext_lazy("More"), "more"),
                # The other language, named in itself: "Kiswahili" in English, "English" in Swahili.
                (pgettext_lazy("ussd: switch language", "Kiswahili"), "language"),
            ),
        ),
        Menu(
            "queue",
            gettext_lazy("Queue"),
            (
                (gettext_lazy("Join a queue"), "centre_q_join"),
                (gettext_lazy("Check my ticket"), "ticket"),
            ),
        ),
        Menu(
            "appointment",
            gettext_lazy("Appointment"),
            (
                (gettext_lazy("Book"), "centre_q_book"),
                (gettext_lazy("Move"), "bookings_move"),
                (gettext_lazy("Cancel"), "bookings_cancel"),
            ),
        ),
        Menu(
            "complaint",
            gettext_lazy("Complaint"),
            (
                (gettext_lazy("Make a complaint"), "complaint_category"),
                (gettext_lazy("Report a bribe"), "bribe_who"),
                (gettext_lazy("Follow a complaint"), "track_ref"),
            ),
        ),
        Menu(
            "more",
            gettext_lazy("More"),
            (
                (gettext_lazy("Rate my last visit"), "rate"),
                (gettext_lazy("Check a receipt"), "receipt_q"),
                (gettext_lazy("Huduma Mashinani near me"), "outreach_q"),
            ),
        ),
        Step(
            "find_q",
            "find",
            _ask(gettext_lazy("Which service? Type a word, e.g. ID card")),
            find_take,
        ),
        Step("find_pick", "find", find_pick_show, find_pick_take),
        Step("service_info", "find", service_info_show, service_info_take),
        Step(
            "centre_q",
            "find",
            _ask(gettext_lazy("Which Huduma Centre? Type its town")),
            centre_q_take,
        ),
        Step(
            "centre_q_join",
            "join",
            _ask(gettext_lazy("Which Huduma Centre? Type its town")),
            centre_q_take,
            enter=lambda ctx: {"then": "join"},
        ),
        Step(
            "centre_q_book",
            "book",
            _ask(gettext_lazy("Which Huduma Centre? Type its town")),
            centre_q_take,
            enter=lambda ctx: {"then": "book"},
        ),
        Step("centre_pick", "centre", centre_pick_show, centre_pick_take),
        Step("centre_service", "centre", centre_service_show, centre_service_take),
        Step("join_confirm", "join", join_confirm_show, join_confirm_take),
        Step("ticket", "ticket", _no_show, enter=ticket_enter),
        Step("book_day", "book", book_day_show, book_day_take, enter=book_day_enter),
        Step("book_slot", "book", book_slot_show, book_slot_take),
        Step("book_confirm", "book", book_confirm_show, book_confirm_take),
        Step(
            "bookings_move",
            "move",
            my_bookings_show,
            my_bookings_take,
            enter=lambda ctx: _with(my_bookings_enter(ctx), then="move"),
        ),
        Step(
            "bookings_cancel",
            "cancel",
            my_bookings_show,
            my_bookings_take,
            enter=lambda ctx: _with(my_bookings_enter(ctx), then="cancel"),
        ),
        Step("cancel_confirm", "cancel", cancel_confirm_show, cancel_confirm_take),
        Step(
            "application_q",
            "application",
            _ask(gettext_lazy("Type the tracking number from your SMS")),
            application_take,
        ),
        Step("application_info", "application", application_info_show, application_info_take),
        Step("pay_confirm", "pay", pay_confirm_show, pay_confirm_take),
        Step("complaint_category", "complaint", complaint_category_show, complaint_category_take),
        Step(
            "complaint_text",
            "complaint",
            _ask(gettext_lazy("What happened? Say where and when.")),
            complaint_text_take,
        ),
        Step(
            "bribe_who",
            "bribe",
            lambda ctx: View(
                _("Report a bribe or extra fee"),
                (_("Give my number: we reply by SMS"), _("Stay anonymous")),
            ),
            bribe_who_take,
        ),
        Step(
            "complaint_phrase",
            "bribe",
            lambda ctx: View(
                _("Choose a secret phrase of at least %(n)s characters, to follow the report")
                % {"n": SECRET_PHRASE_MIN}
            ),
            complaint_phrase_take,
        ),
        Step(
            "track_ref", "track", _ask(gettext_lazy("Type the complaint reference")), track_ref_take
        ),
        Step(
            "track_how",
            "track",
            lambda ctx: View(
                _("How did you send it?"), (_("From this phone"), _("Anonymously, with a phrase"))
            ),
            track_how_take,
        ),
        Step(
            "track_phrase",
            "track",
            _ask(gettext_lazy("Type your secret phrase")),
            track_phrase_take,
        ),
        Step("rate", "rate", rate_show, rate_take, enter=rate_enter),
        Step("receipt_q", "receipt", _ask(gettext_lazy("Type the receipt number")), receipt_take),
        Step(
            "outreach_q",
            "outreach",
            _ask(gettext_lazy("Which sub-county? Type its name")),
            outreach_q_take,
        ),
        Step("outreach_pick", "outreach", outreach_pick_show, outreach_pick_take),
        Step("language", "language", _no_show, enter=language_enter),
        Step("resume", "resume", resume_show),
    )
}


def _with(outcome, **data):
    """An enter hook's data, plus fixed values (which list a booking choice leads to)."""
    return {**outcome, **data} if isinstance(outcome, dict) else outcome


def session_key(session_id: str) -> str:
    """The idempotency key of a session's one action: 1-80 visible ASCII, whatever the
    operator's sessionId holds."""
    return "ussd-" + hashlib.sha256(session_id.encode()).hexdigest()[:40]

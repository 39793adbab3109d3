"""The verbs of complaints, in one place for every other face and app to call: lodge, classify,
take, start, resolve, escalate, confirm, reopen, sweep; the SMS dialogue and Open311's keys.

Each step opens its transaction, locks the complaint row, writes a ComplaintEvent and the
citizen's SMS in that same transaction (the SMS is an outbox row; the worker only delivers it).
Each concept lives in its own module; this one only names them (import from here):
- lodging.py        lodging from any channel, the same complaint sent again found once
- staff_steps.py    classify, take, start, resolve, escalate
- citizen_steps.py  find one's complaint (reference and proof), confirm and rate, reopen
- ladder.py         the escalation ladder: the levels and their working hours
- sweep.py          the periodic sweep, and due times after a holiday edit
- sms_dialogue.py   the COMPLAINT / MALALAMIKO keyword and its short dialogue
- api_clients.py    Open311 clients and their keys (the API itself is open311.py)
- records.py        what every step shares: reference, row lock, event, the citizen's SMS
"""

from huduma.complaints.api_clients import (
    api_client_create,
    api_client_for_key,
    api_client_rekey,
    new_api_key,
    open311_demo_key,
    open311_demo_lines,
)
from huduma.complaints.citizen_steps import (
    POOR_RATING,
    TRACK_WINDOW_S,
    TRACK_WRONG_TRIES,
    can_reopen,
    complaint_confirm,
    complaint_for_citizen,
    complaint_reopen,
)
from huduma.complaints.ladder import due_at_level
from huduma.complaints.lodging import (
    DUPLICATE_WINDOW,
    SECRET_PHRASE_MIN,
    complaint_lodge,
    complaints_from_kit,
)
from huduma.complaints.records import REFERENCE_ALPHABET, WrongStep, normalise_reference, track_url
from huduma.complaints.sms_dialogue import (
    SMS_CATEGORY_MENU,
    SMS_DIALOGUE_WINDOW,
    SMS_KEYWORDS,
    SMS_NO_CENTRE,
    complaint_from_sms,
)
from huduma.complaints.staff_steps import (
    complaint_classify,
    complaint_escalate,
    complaint_resolve,
    complaint_start,
    complaint_take,
)
from huduma.complaints.sweep import (
    LEVEL_STARTS,
    SWEEP_FIELDS,
    SweepResult,
    complaints_due_recompute,
    complaints_sweep,
)

__all__ = [
    "DUPLICATE_WINDOW",
    "LEVEL_STARTS",
    "POOR_RATING",
    "REFERENCE_ALPHABET",
    "SECRET_PHRASE_MIN",
    "SMS_CATEGORY_MENU",
    "SMS_DIALOGUE_WINDOW",
    "SMS_KEYWORDS",
    "SMS_NO_CENTRE",
    "SWEEP_FIELDS",
    "TRACK_WINDOW_S",
    "TRACK_WRONG_TRIES",
    "SweepResult",
    "WrongStep",
    "api_client_create",
    "api_client_for_key",
    "api_client_rekey",
    "can_reopen",
    "complaint_classify",
    "complaint_confirm",
    "complaint_escalate",
    "complaint_for_citizen",
    "complaint_from_sms",
    "complaint_lodge",
    "complaint_reopen",
    "complaint_resolve",
    "complaint_start",
    "complaint_take",
    "complaints_due_recompute",
    "complaints_from_kit",
    "complaints_sweep",
    "due_at_level",
    "new_api_key",
    "normalise_reference",
    "open311_demo_key",
    "open311_demo_lines",
    "track_url",
]

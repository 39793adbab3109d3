"""Queue verbs, the app's public face: issue a visit, open counters, call, recall, serve,
transfer, add services, close a day. Every face (pages, the API, tasks, other apps) imports
them from here; each lives in the module of its concept:

- issuing.py: visit_issue and its idempotency and per-phone rules;
- counter_sessions.py: signing in to counters, their skills and officers' second skills;
- calling.py: call next, recall, start, finish, no-show (the counter's hot path, over sql.py);
- transfers.py: transfer, add a service, confirm a priority;
- day_close.py: closing a day, numbers continued after a restore, cancelling a visit;
- queueing.py: the steps they share (event rows, a ticket's place in its queue).

Every verb is one transaction that writes the ticket rows and their events together; anything
a client may retry is idempotent.
"""

from huduma.queues.calling import (
    CANDIDATE_WINDOW,
    NO_SHOW_AFTER_CALL,
    RECALL_REPEAT_WINDOW,
    Called,
    FinishedAndCalled,
    Moved,
    ticket_call_next,
    ticket_call_next_answer,
    ticket_finish,
    ticket_finish_and_call_next,
    ticket_finish_answer,
    ticket_no_show,
    ticket_no_show_from,
    ticket_recall,
    ticket_start,
    ticket_start_answer,
)
from huduma.queues.counter_sessions import (
    SERVING_ROLES,
    counter_add_skill_today,
    counter_close,
    counter_open,
    counter_open_for,
    counter_pause,
    counter_skill_check,
    counter_skills,
    current_ticket,
    learning_skills,
    live_session,
    officer_may_serve,
    officer_skill_grant,
    register_learning_skills,
    register_skill_guard,
    skills_at_counter,
    skills_guarded,
)
from huduma.queues.day_close import (
    DayClosed,
    numbers_continue_after,
    tickets_close_day,
    visit_cancel,
)
from huduma.queues.issuing import (
    MAX_SERVICES_PER_VISIT,
    MAX_VIRTUAL_TICKETS_PER_PHONE,
    VIRTUAL_CHANNELS,
    IssuedVisit,
    idempotency_key_checked,
    idempotency_request,
    idempotency_scope,
    services_offered,
    visit_issue,
    visit_issue_answer,
)
from huduma.queues.queueing import (
    APPOINTMENT_GRACE,
    policy,
)
from huduma.queues.transfers import (
    destination_staffed,
    ticket_transfer,
    visit_add_service,
    visit_priority_confirm,
)

__all__ = [
    "APPOINTMENT_GRACE",
    "CANDIDATE_WINDOW",
    "MAX_SERVICES_PER_VISIT",
    "MAX_VIRTUAL_TICKETS_PER_PHONE",
    "NO_SHOW_AFTER_CALL",
    "RECALL_REPEAT_WINDOW",
    "SERVING_ROLES",
    "VIRTUAL_CHANNELS",
    "Called",
    "DayClosed",
    "FinishedAndCalled",
    "IssuedVisit",
    "Moved",
    "counter_add_skill_today",
    "counter_close",
    "counter_open",
    "counter_open_for",
    "counter_pause",
    "counter_skill_check",
    "counter_skills",
    "current_ticket",
    "destination_staffed",
    "idempotency_key_checked",
    "idempotency_request",
    "idempotency_scope",
    "learning_skills",
    "live_session",
    "numbers_continue_after",
    "officer_may_serve",
    "officer_skill_grant",
    "policy",
    "register_learning_skills",
    "register_skill_guard",
    "services_offered",
    "skills_at_counter",
    "skills_guarded",
    "ticket_call_next",
    "ticket_call_next_answer",
    "ticket_finish",
    "ticket_finish_and_call_next",
    "ticket_finish_answer",
    "ticket_no_show",
    "ticket_no_show_from",
    "ticket_recall",
    "ticket_start",
    "ticket_start_answer",
    "ticket_transfer",
    "tickets_close_day",
    "visit_add_service",
    "visit_cancel",
    "visit_issue",
    "visit_issue_answer",
    "visit_priority_confirm",
]

"""Calling and serving at a counter: call next, recall, start, finish (and finish-and-call-next),
no-show. The hot path runs the hand-written statements of sql.py; call-next takes row locks with
SKIP LOCKED on PostgreSQL so two counters never get the same ticket (SQLite serialises writers).
Each verb answers a frozen result (Called, Moved) carrying what the statement read with it."""

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.core import clock
from huduma.core.errors import NotFound
from huduma.notify.services import enqueue_safely
from huduma.places.models import Counter
from huduma.queues import dispatch, notifications, reference, sql, tasks
from huduma.queues.counter_sessions import (
    current_ticket,
    learning_skills,
    own_session,
    skills_at_counter,
)
from huduma.queues.errors import (
    CounterHoldsTicket,
    CounterNotOpen,
    NotYourTicket,
    OtherCentre,
    TicketStateError,
)
from huduma.queues.models import CounterSession, Ticket, TicketEvent, Visit
from huduma.queues.queueing import (
    Kind,
    Status,
    advance_visit,
    dispatch_candidate,
    log_event,
    policy,
)
from huduma.queues.reference import HEAVY_SERVICE_FIELDS

# A no-show may be marked this long after the ticket was called at the counter, counted from
# the call whatever the recalls: counting recalls refused it, with no word why, when two presses
# of Recall fell within RECALL_REPEAT_WINDOW of the call (they count once, as they should).
NO_SHOW_AFTER_CALL = dt.timedelta(seconds=60)
# How many waiting tickets, from the front of the queues by stored key, dispatch re-ranks.
CANDIDATE_WINDOW = 30
# A recall this soon after the last call or recall is the same press repeated (a double click,
# a retried request): it changes nothing. Nobody recalls a number the display showed 10 s ago.
RECALL_REPEAT_WINDOW = dt.timedelta(seconds=10)


@dataclass(frozen=True)
class Called:
    """What call-next answers: the ticket the counter now holds and what the caller needs of
    it, read with the call (no query): the visit's number, and the "go to counter" SMS
    written with the call, which is delivered once the call commits."""

    ticket: Ticket
    number: str  # the visit's number, as the display and the console show it
    called_sms_id: uuid.UUID | None = None  # None: not a virtual ticket, or nothing new called
    repeated: bool = False  # the counter already held this ticket: a repeated press


def _call_candidates(*, counter: Counter, skills: frozenset, learning: frozenset, rules):
    """The front of this counter's queues for dispatch. A learner's own services and the
    services they are learning are read apart, so a long queue of the latter never pushes the
    former out of the window (dispatch must see that their own customers wait)."""
    groups = [skills - learning, skills & learning] if learning else [skills]
    return [
        dispatch_candidate(w)
        for group in groups
        for w in sql.front_of_queues(
            centre_id=counter.centre_id,
            counter_id=counter.pk,
            service_ids=group,
            named_credit_s=rules.named_counter_credit_s,
            limit=CANDIDATE_WINDOW,
        )
    ]


def ticket_call_next(*, counter: Counter, officer, now: dt.datetime | None = None) -> Ticket | None:
    """ticket_call_next_answer(...).ticket: the ticket alone, for callers that need no more."""
    called = ticket_call_next_answer(counter=counter, officer=officer, now=now)
    return called.ticket if called is not None else None


def ticket_call_next_answer(
    *, counter: Counter, officer, now: dt.datetime | None = None
) -> Called | None:
    """Call the most urgent waiting ticket this counter can serve (see dispatch.py).

    Returns None when nobody is waiting for this counter's services. Safe to repeat: while
    the counter holds a ticket (called or being served), calling again answers with it.
    """
    now = now or clock.now()
    skills = skills_at_counter(counter, officer, now)
    learning = learning_skills(officer_id=officer.pk, day=clock.local_date(now)) & skills
    rules = policy()
    try:
        with sql.one_statement():
            ranked = dispatch.rank(
                _call_candidates(counter=counter, skills=skills, learning=learning, rules=rules),
                now=now.timestamp(),
                counter_id=counter.pk,
                skills=skills,
                policy=rules,
                learning=learning,
            )
            # Only if this officer has the counter open and free. Another counter may hold or
            # have taken a row: it is skipped, never waited for.
            claimed = sql.claim(
                ranked_ids=[c.ticket_id for c in ranked],
                counter_id=counter.pk,
                officer_id=officer.pk,
                now=now,
                sms=notifications.called_sms(counter=counter, now=now),
            )
            if claimed is not None:
                transaction.on_commit(
                    partial(_after_call, counter.centre_id, claimed.called_sms_id)
                )
    except IntegrityError:
        # The claim saw the counter free, but another request from it (a double click) claimed
        # a ticket meanwhile, and the index one_held_ticket_per_counter refused this one.
        held = _held_ticket(counter, officer)
        if held is None:
            raise
        return held
    if claimed is not None:
        return Called(
            ticket=_at_counter_read(claimed.ticket, counter),
            number=claimed.number,
            called_sms_id=claimed.called_sms_id,
        )
    try:
        _may_call(counter, officer)  # raises if the counter could not call
    except CounterHoldsTicket:
        held = _held_ticket(counter, officer)
        if held is None:
            raise
        return held
    return None


def _held_ticket(counter: Counter, officer) -> Called | None:
    """The ticket this officer holds at this counter (called or being served), if any."""
    held = current_ticket(counter)
    if held is None or held.officer_id != officer.pk:
        return None
    held.counter = counter
    return Called(ticket=held, number=held.visit.number, repeated=True)


def _may_call(counter: Counter, officer) -> None:
    """Raise the reason this officer cannot call at this counter now, if there is one.

    The ORM's account of the rule sql.claim applies in SQL; tests/test_rule_tables.py runs
    both on one table of cases."""
    state = sql.counter_state(counter.pk)
    if state is None or state.officer_id != officer.pk:
        own_session(counter, officer)  # raises the precise error
    if state.status != CounterSession.Status.OPEN:
        raise CounterNotOpen(_("The counter is paused; resume it to call."), field="counter")
    if state.busy:
        raise CounterHoldsTicket(_("Finish the current ticket first."), field="counter")


def _at_counter_read(ticket: Ticket, counter: Counter) -> Ticket:
    """Set the relations callers read of a ticket a counter holds from rows already at hand
    (the counter, the cached service), without queries. Its visit is read when asked for:
    the typed answers carry the visit's number."""
    ticket.service = reference.service_by_id(ticket.service_id)
    ticket.counter = counter
    return ticket


def _after_call(centre_id: int, called_sms_id: uuid.UUID | None) -> None:
    # The called SMS is already a row; the task delivers it, then texts whoever is now near
    # the front. If the task is lost, the sweeps do both within about a minute.
    message_id = str(called_sms_id) if called_sms_id else None
    enqueue_safely(tasks.after_call_task, centre_id, message_id)


def _at_counter(ticket: Ticket, counter: Counter, officer, *allowed: str) -> Ticket:
    """Lock the ticket and check it is this counter's, in one of the allowed states (callers
    allow the state their own action leaves, to answer a repeat with the current state)."""
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("visit", "service", "counter")
        .defer(*(f"service__{name}" for name in HEAVY_SERVICE_FIELDS))
        .filter(pk=ticket.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("There is no such ticket."), field="ticket")
    if locked.centre_id != counter.centre_id:
        raise OtherCentre(_("This ticket belongs to another centre."), field="ticket")
    # The officer who called a ticket holds the counter's session until it is finished (a
    # counter cannot close with a ticket on it), so matching both is the session check.
    if locked.counter_id != counter.pk or locked.officer_id != officer.pk:
        raise NotYourTicket(_("This ticket is not at your counter."), field="ticket")
    if locked.status not in allowed:
        raise TicketStateError(
            _("Ticket %(number)s is %(status)s.")
            % {"number": locked.visit.number, "status": locked.get_status_display().lower()},
            field="ticket",
        )
    return locked


@transaction.atomic
def ticket_recall(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    """Call the ticket again. A repeat within RECALL_REPEAT_WINDOW changes nothing."""
    ticket = _at_counter(ticket, counter, officer, Status.CALLED)
    now = clock.now()
    if ticket.called_at is not None and now - ticket.called_at < RECALL_REPEAT_WINDOW:
        return ticket
    ticket.recalls += 1
    ticket.called_at = now
    ticket.save(update_fields=["recalls", "called_at"])
    log_event(ticket, Kind.RECALLED, at=now, actor=officer, counter=counter, recalls=ticket.recalls)
    return ticket


@dataclass(frozen=True)
class Moved:
    """What start and finish answer: the ticket, its visit's number (read with the change:
    no query) and whether the visit has services still to come."""

    ticket: Ticket
    number: str
    has_pending: bool
    repeated: bool = False  # the move was already made (a repeated press): nothing changed


def _move(
    ticket: Ticket, counter: Counter, officer, leaving: str, entering: str, stamp: str, kind: str
) -> Moved:
    """One conditional UPDATE (with its event); if it matches nothing, the ORM path says why
    (and raises), or finds the move already made by this officer (a repeated request) and
    answers with the ticket as it is (`repeated`): nothing changed."""
    now = clock.now()
    moved = sql.move(
        ticket_id=ticket.pk,
        counter_id=counter.pk,
        officer_id=officer.pk,
        leaving=leaving,
        entering=entering,
        stamp=stamp,
        kind=kind,
        now=now,
    )
    if moved is None:
        with transaction.atomic():
            current = _at_counter(ticket, counter, officer, leaving, entering)
        if current.status == entering:
            pending = sql.has_pending(current.visit_id)
            return Moved(current, current.visit.number, pending, repeated=True)
        # It was in that state after all: another request moved it meanwhile.
        raise TicketStateError(_("The ticket changed meanwhile; try again."), field="ticket")
    return Moved(_at_counter_read(moved.ticket, counter), moved.number, moved.has_pending)


def ticket_start(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    return ticket_start_answer(ticket=ticket, counter=counter, officer=officer).ticket


def ticket_start_answer(*, ticket: Ticket, counter: Counter, officer) -> Moved:
    """Start serving the ticket called at this counter. A repeat answers with it as it is."""
    with sql.one_statement():
        return _move(
            ticket, counter, officer, Status.CALLED, Status.SERVING, "started_at", Kind.SERVING
        )


def ticket_finish(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    return ticket_finish_answer(ticket=ticket, counter=counter, officer=officer).ticket


def ticket_finish_answer(*, ticket: Ticket, counter: Counter, officer) -> Moved:
    """Finish serving; the visit's next service, if any, joins its queue."""
    with sql.one_statement():
        # The usual case, a visit's last service, in one statement.
        done = sql.move(
            ticket_id=ticket.pk,
            counter_id=counter.pk,
            officer_id=officer.pk,
            leaving=Status.SERVING,
            entering=Status.SERVED,
            stamp="finished_at",
            kind=Kind.SERVED,
            now=clock.now(),
            unless_pending=True,
        )
    if done is not None:
        return Moved(_at_counter_read(done.ticket, counter), done.number, done.has_pending)
    with transaction.atomic():
        moved = _move(
            ticket, counter, officer, Status.SERVING, Status.SERVED, "finished_at", Kind.SERVED
        )
        if not moved.repeated and moved.has_pending:
            advance_visit(
                Visit.objects.get(pk=moved.ticket.visit_id), moved.ticket.finished_at, officer
            )
    return moved


@dataclass(frozen=True)
class FinishedAndCalled:
    finished: Moved
    called: Called | None  # None when nobody is waiting for this counter's services


def ticket_finish_and_call_next(*, ticket: Ticket, counter: Counter, officer) -> FinishedAndCalled:
    """Finish the ticket being served and call the next one, in one transaction (the counter's
    usual press, one request). A repeat (a double click) finds the ticket already finished and
    the counter holding the ticket it called, and answers with both: nothing changes twice."""
    with transaction.atomic():
        finished = ticket_finish_answer(ticket=ticket, counter=counter, officer=officer)
        called = ticket_call_next_answer(counter=counter, officer=officer)
    return FinishedAndCalled(finished=finished, called=called)


def ticket_no_show_from(ticket: Ticket) -> dt.datetime:
    """When a no-show may be marked: NO_SHOW_AFTER_CALL after the ticket's latest call (not a
    recall: a recall moves `called_at`, the call's event stays)."""
    called = (
        TicketEvent.objects.filter(ticket=ticket, kind=Kind.CALLED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return (called or ticket.called_at or clock.now()) + NO_SHOW_AFTER_CALL


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, counter: Counter, officer) -> Ticket:
    ticket = _at_counter(ticket, counter, officer, Status.CALLED, Status.NO_SHOW)
    if ticket.status == Status.NO_SHOW:
        return ticket  # a repeated request: already done
    now = clock.now()
    allowed = ticket_no_show_from(ticket)
    if now < allowed:
        raise TicketStateError(
            _("Not yet: a no-show can be marked from %(time)s, a minute after the call.")
            % {"time": allowed.astimezone(clock.NAIROBI).strftime("%H:%M:%S")},
            field="ticket",
        )
    ticket.status = Status.NO_SHOW
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at"])
    log_event(ticket, Kind.NO_SHOW, at=now, actor=officer, counter=counter)
    # The citizen has gone: the rest of the visit will not be served today.
    for rest in Ticket.objects.filter(visit=ticket.visit, status=Status.PENDING):
        rest.status = Status.CANCELLED
        rest.save(update_fields=["status"])
        log_event(rest, Kind.CANCELLED, at=now, actor=officer, reason="no_show")
    return ticket

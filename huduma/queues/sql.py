"""Hand-written SQL for the statements every counter runs all day: call-next, start, finish.

The ORM builds each of these statements anew on every request, which costs several times what
the database takes to run them (see bench/qms_load.py). Here each is written once, runs on
PostgreSQL and SQLite alike, and answers with model instances through ``Model.objects.raw``
(which applies the backend's type conversions). Rules are kept where they belong:

- Every state change is one conditional UPDATE that names the state it leaves. If it matches
  no row, the caller falls back to the ORM to find out why and to raise the precise error.
- Claiming a ticket on PostgreSQL takes the first of the ranked ids that is still waiting and
  not locked by another counter (FOR UPDATE SKIP LOCKED), in one statement. SQLite runs one
  writer at a time (IMMEDIATE transactions), so it tries the ids in order. The claim's check
  that the counter holds no ticket runs under READ COMMITTED, so two claims from one counter
  can both pass it; the partial unique index one_held_ticket_per_counter then refuses the
  second (a unique violation inside the statement), and the caller answers with the first.
- On PostgreSQL a change and its event are one statement (a data-modifying WITH), and so is a
  whole new visit with its number, tickets and events: one statement is atomic by itself, so
  outside a transaction these run without BEGIN and COMMIT round trips (``one_statement``).
  On SQLite the same steps run as separate statements inside the caller's transaction.
"""

import contextlib
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model

from huduma.core.locks import lock_names
from huduma.notify.models import Message
from huduma.places.models import Centre
from huduma.queues.models import (
    CounterSession,
    DailyCounter,
    IssueChannel,
    Ticket,
    TicketEvent,
    Visit,
)

TICKET = Ticket._meta.db_table
VISIT = Visit._meta.db_table
SESSION = CounterSession._meta.db_table
APPOINTMENT = "queues_appointment"
EVENT = TicketEvent._meta.db_table
NUMBERS = DailyCounter._meta.db_table
MESSAGE = Message._meta.db_table
CENTRE = Centre._meta.db_table
Status = Ticket.Status

# The visit's number rides along with the changed ticket, as the column `visit_number`.
_RETURNING = (
    f"RETURNING *, (SELECT v.number FROM {VISIT} v WHERE v.id = {TICKET}.visit_id) AS visit_number"  # noqa: S608
)


def _uuid(value) -> object:
    """A UUID as this backend stores it (PostgreSQL: uuid; SQLite: 32 hex digits)."""
    return Ticket._meta.pk.get_db_prep_value(value, connection)


def _when(value: dt.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _epoch(column: str) -> str:
    """SQL for a timestamp column as float seconds since the epoch."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::float8"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def one_statement():
    """The transaction for a change the backend makes in one statement: none on PostgreSQL
    outside a transaction (the statement is atomic), else an atomic block (a savepoint when
    nested, so a failed statement leaves the outer transaction usable)."""
    if _postgres() and not connection.in_atomic_block:
        return contextlib.nullcontext()
    return transaction.atomic()


def _one(sql: str, params: Sequence) -> Ticket | None:
    rows = list(Ticket.objects.raw(sql, params))
    return rows[0] if rows else None


def _one_with(sql: str, params: Sequence, *extra: str) -> tuple[Ticket, dict] | None:
    """The one ticket a statement answers, and the values of its `extra` columns (its visit's
    number...) taken off the instance, where ``raw`` puts them: the caller hands them on in a
    typed result, and the ticket leaves here a plain model instance."""
    ticket = _one(sql, params)
    if ticket is None:
        return None
    return ticket, {name: ticket.__dict__.pop(name) for name in extra}


def _message_id(value) -> uuid.UUID | None:
    return Message._meta.pk.to_python(value) if value is not None else None


@dataclass(frozen=True)
class Claimed:
    """A ticket call-next claimed: the row, its visit's number and the id of the "go to
    counter" SMS written with the call (None unless the visit is a virtual ticket)."""

    ticket: Ticket
    number: str
    called_sms_id: uuid.UUID | None


@dataclass(frozen=True)
class Moved:
    """A ticket moved at its counter (started, finished): the row, its visit's number, and
    whether the visit has services still to come."""

    ticket: Ticket
    number: str
    has_pending: bool


# --- reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterState:
    status: str
    officer_id: int
    busy: bool  # a ticket is called or being served at this counter


def counter_state(counter_id: int) -> CounterState | None:
    """The counter's live session and whether it holds a ticket, or None if it is closed."""
    sql = (
        f"SELECT s.status, s.officer_id, EXISTS (SELECT 1 FROM {TICKET} t "  # noqa: S608
        f"WHERE t.counter_id = s.counter_id AND t.status IN (%s, %s)) "
        f"FROM {SESSION} s WHERE s.counter_id = %s AND s.status <> %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [Status.CALLED, Status.SERVING, counter_id, CounterSession.Status.CLOSED]
        )
        row = cursor.fetchone()
    return CounterState(row[0], row[1], bool(row[2])) if row else None


@dataclass(frozen=True)
class WaitingTicket:
    """What dispatch needs of a waiting ticket, read without building model instances."""

    id: uuid.UUID
    service_id: int
    target_counter_id: int | None
    arrived_at: float  # seconds since the epoch
    priority: str
    slot_start: float | None  # the visit's appointment slot, if any


def front_of_queues(
    *, centre_id: int, counter_id: int, service_ids, named_credit_s: float, limit: int
) -> list[WaitingTicket]:
    """The first `limit` waiting tickets of these services by stored queue key, less the
    credit of tickets sent to this counter by name; dispatch re-ranks them."""
    service_ids = sorted(service_ids)
    if not service_ids:
        return []
    marks = ", ".join(["%s"] * len(service_ids))
    sql = (
        f"SELECT t.id, t.service_id, t.target_counter_id, {_epoch('v.arrived_at')}, "  # noqa: S608
        f"v.priority, {_epoch('a.slot_start')}, "
        f"t.queue_key - CASE WHEN t.target_counter_id = %s THEN %s ELSE 0.0 END AS k "
        f"FROM {TICKET} t JOIN {VISIT} v ON v.id = t.visit_id "
        f"LEFT JOIN {APPOINTMENT} a ON a.visit_id = t.visit_id "
        f"WHERE t.centre_id = %s AND t.status = %s AND t.service_id IN ({marks}) "
        f"AND (t.target_counter_id IS NULL OR t.target_counter_id = %s) "
        f"ORDER BY k, t.id LIMIT %s"
    )
    params = [counter_id, float(named_credit_s), centre_id, Status.WAITING, *service_ids]
    params += [counter_id, limit]
    to_uuid = Ticket._meta.pk.to_python
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            WaitingTicket(to_uuid(r[0]), r[1], r[2], float(r[3]), r[4] or "", r[5])
            for r in cursor.fetchall()
        ]


_PLACES_AHEAD = (
    f"SELECT COUNT(*) FROM {TICKET} WHERE centre_id = %s AND status = %s "  # noqa: S608
    f"AND service_id = %s AND (queue_key < %s OR (queue_key = %s AND id < %s))"
)


def _places_ahead_params(centre_id, service_id, queue_key, ticket_id) -> list:
    return [centre_id, Status.WAITING, service_id, queue_key, queue_key, _uuid(ticket_id)]


def places_ahead(*, centre_id: int, service_id: int, queue_key: float, ticket_id) -> int:
    """Waiting tickets of the same service ahead of this one (same key: the older id first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _PLACES_AHEAD, _places_ahead_params(centre_id, service_id, queue_key, ticket_id)
        )
        return cursor.fetchone()[0]


def visit_with_key(centre_id: int, scope: str, key: str):
    """The id of the centre's visit issued with this idempotency key in this scope, or None."""
    sql = (
        f"SELECT id FROM {VISIT} WHERE centre_id = %s "  # noqa: S608
        f"AND idempotency_scope = %s AND idempotency_key = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [centre_id, scope, key])
        row = cursor.fetchone()
    return Visit._meta.pk.to_python(row[0]) if row else None


def lock_citizen(centre_id: int, day: dt.date, phone: str) -> None:
    """Wait for, then hold until commit, the lock of one phone's tickets at one centre on one
    day, so that a limit counted under it holds (core.locks; a LockTimeout after the wait
    allowed). Call it in a transaction."""
    lock_names(f"queues.citizen:{centre_id}|{day.isoformat()}|{phone}")


# --- writes -------------------------------------------------------------------------------


def _rows(objs: Sequence[Model]) -> tuple[str, str, list]:
    """(columns, VALUES rows, parameters) for new rows of one model, defaults filled in as
    the ORM does. For models without save() overrides or signal receivers: neither runs."""
    fields = objs[0]._meta.concrete_fields
    params = []
    for obj in objs:
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        obj._state.adding = False
        obj._state.db = connection.alias
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return columns, ", ".join([row] * len(objs)), params


def insert(objs: Sequence[Model]) -> None:
    """INSERT new rows of one model in one statement."""
    if not objs:
        return
    columns, rows, params = _rows(objs)
    table = connection.ops.quote_name(objs[0]._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {rows}", params)  # noqa: S608


def _event(ticket_id, centre_id, kind, at, actor_id, counter_id) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket_id,
        centre_id=centre_id,
        kind=kind,
        at=at,
        actor_id=actor_id,
        counter_id=counter_id,
        data={},
    )


def _with_event(
    change: str,
    change_params: list,
    event: TicketEvent,
    extra: str = "",
    side: tuple[str, list] | None = None,
) -> tuple:
    """PostgreSQL: `change` (an UPDATE ... RETURNING *) and the event of the row it changed,
    in one statement that answers with the changed row, its visit number and `extra`.
    `side` (SQL, parameters) is one more data-modifying step, named `side`, that reads the
    changed row as `changed`."""
    taken = ("ticket_id", "centre_id")  # from the changed row
    fields = [f for f in TicketEvent._meta.concrete_fields if f.attname not in taken]
    values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    columns = ", ".join([*taken, *(f.column for f in fields)])
    marks = ", ".join(["changed.id", "changed.centre_id", *(["%s"] * len(fields))])
    sql = (
        f"WITH changed AS ({change} RETURNING *), "  # noqa: S608
        f"logged AS (INSERT INTO {EVENT} ({columns}) SELECT {marks} FROM changed)"
        f"{f', side AS ({side[0]})' if side else ''} "
        f"SELECT changed.*, (SELECT v.number FROM {VISIT} v WHERE v.id = changed.visit_id) "
        f"AS visit_number{extra} FROM changed"
    )
    return sql, [*change_params, *values, *(side[1] if side else [])]


@dataclass(frozen=True)
class CalledSms:
    """The "go to counter N" SMS, written with the call when the called visit is a virtual
    ticket (it has a phone and came by web or SMS). The text, in both languages, is
    rendered in Python with `number_slot` and `centre_slot` standing for the visit's number
    and the centre's name, which the statement fills in."""

    message_id: uuid.UUID
    body_en: str
    body_sw: str
    number_slot: str
    centre_slot: str
    now: dt.datetime


def _called_sms_insert(sms: CalledSms, changed: str, changed_params: Sequence = ()) -> tuple:
    """INSERT of the called SMS for the ticket `changed` (a CTE, or a subquery taking
    `changed_params`), if its visit is a virtual ticket; RETURNING the message's id. One
    text for both databases."""
    sql = (
        f'INSERT INTO {MESSAGE} (id, channel, "to", template, language, subject, body, '  # noqa: S608
        f"status, attempts, next_attempt_at, last_error, provider, provider_message_id, "
        f"created_at) "
        f"SELECT %s, %s, v.phone, %s, v.language, '', replace(replace("
        f"CASE WHEN v.language = 'en' THEN %s ELSE %s END, %s, v.number), %s, c.name), "
        f"%s, 0, %s, '', '', '', %s "
        f"FROM {changed} JOIN {VISIT} v ON v.id = changed.visit_id "
        f"JOIN {CENTRE} c ON c.id = changed.centre_id "
        f"WHERE v.phone <> '' AND v.channel IN (%s, %s, %s) RETURNING id"
    )
    when = _when(sms.now)
    params = [
        Message._meta.pk.get_db_prep_value(sms.message_id, connection),
        Message.Channel.SMS,
        "ticket_called",
        sms.body_en,
        sms.body_sw,
        sms.number_slot,
        sms.centre_slot,
        Message.Status.QUEUED,
        when,
        when,
        *changed_params,
        IssueChannel.WEB,
        IssueChannel.SMS,
        IssueChannel.USSD,
    ]
    return sql, params


# What keeps two counters from calling one ticket on PostgreSQL: the claim's pick locks the row
# it takes and skips any row another claim holds. Without it both picks read the same waiting
# row, the second UPDATE waits for the first to commit, then changes the row again (the pick is
# not re-run): one citizen sent to two counters (tests/test_concurrency_controls.py shows it).
CLAIM_ROW_LOCK = "FOR UPDATE SKIP LOCKED"


def claim(
    *, ranked_ids: Sequence, counter_id: int, officer_id: int, now, sms: CalledSms | None = None
) -> Claimed | None:
    """Mark the first still-waiting, unlocked ticket of `ranked_ids` called at this counter
    and log the call, provided this officer has the counter open and it holds no ticket.
    With `sms`, a virtual ticket's "go to counter" SMS is written in the same statement (or
    transaction, on SQLite); its id is in the answer. None if no ticket could be claimed.
    Run it inside ``one_statement()``."""
    if not ranked_ids:
        return None
    may_call = (
        f"AND EXISTS (SELECT 1 FROM {SESSION} s WHERE s.counter_id = %s "  # noqa: S608
        f"AND s.officer_id = %s AND s.status = '{CounterSession.Status.OPEN}') "
        f"AND NOT EXISTS (SELECT 1 FROM {TICKET} b WHERE b.counter_id = %s "
        f"AND b.status IN ('{Status.CALLED}', '{Status.SERVING}')) "
    )
    may_params = [counter_id, officer_id, counter_id]
    set_called = (
        f"UPDATE {TICKET} SET status = %s, counter_id = %s, officer_id = %s, called_at = %s "  # noqa: S608
    )
    head = [Status.CALLED, counter_id, officer_id, _when(now)]
    if _postgres():
        pick = (
            f"{set_called}WHERE id = (SELECT id FROM {TICKET} WHERE id = ANY(%s::uuid[]) "  # noqa: S608
            f"AND status = %s {may_call}ORDER BY array_position(%s::uuid[], id) LIMIT 1 "
            f"{CLAIM_ROW_LOCK})"
        )
        ids = [str(i) for i in ranked_ids]
        event = _event(None, None, TicketEvent.Kind.CALLED, now, officer_id, counter_id)
        side, extra = None, ", NULL AS called_sms_id"
        if sms is not None:
            side, extra = (
                _called_sms_insert(sms, "changed"),
                ", (SELECT id FROM side) AS called_sms_id",
            )
        params = [*head, ids, Status.WAITING, *may_params, ids]
        found = _one_with(
            *_with_event(pick, params, event, extra, side), "visit_number", "called_sms_id"
        )
        if found is None:
            return None
        ticket, columns = found
        return Claimed(ticket, columns["visit_number"], _message_id(columns["called_sms_id"]))
    sql = f"{set_called}WHERE id = %s AND status = %s {may_call}{_RETURNING}"
    for ticket_id in ranked_ids:
        found = _one_with(
            sql, [*head, _uuid(ticket_id), Status.WAITING, *may_params], "visit_number"
        )
        if found is not None:
            ticket, columns = found
            add_event(
                ticket=ticket,
                kind=TicketEvent.Kind.CALLED,
                at=now,
                actor_id=officer_id,
                counter_id=counter_id,
            )
            message_id = None
            if sms is not None:
                by_id = f"(SELECT * FROM {TICKET} WHERE id = %s) changed"  # noqa: S608
                with connection.cursor() as cursor:
                    cursor.execute(*_called_sms_insert(sms, by_id, [_uuid(ticket.pk)]))
                    row = cursor.fetchone()
                message_id = _message_id(row[0]) if row else None
            return Claimed(ticket, columns["visit_number"], message_id)
    return None


def move(
    *,
    ticket_id,
    counter_id: int,
    officer_id: int,
    leaving: str,
    entering: str,
    stamp: str,
    kind: str,
    now,
    unless_pending: bool = False,
) -> Moved | None:
    """Move a ticket held at this counter by this officer from `leaving` to `entering`,
    stamping the time in column `stamp`, and log event `kind`. None if the ticket is not in
    that state here (or, with `unless_pending`, if its visit has services still to come).
    Run it inside ``one_statement()``."""
    if stamp not in ("started_at", "finished_at", "called_at"):
        raise ValueError(stamp)
    change = (
        f"UPDATE {TICKET} SET status = %s, {stamp} = %s "  # noqa: S608
        f"WHERE id = %s AND counter_id = %s AND officer_id = %s AND status = %s"
    )
    params = [entering, _when(now), _uuid(ticket_id), counter_id, officer_id, leaving]
    if unless_pending:
        change += (
            f" AND NOT EXISTS (SELECT 1 FROM {TICKET} p WHERE p.visit_id = {TICKET}.visit_id "  # noqa: S608
            f"AND p.status = '{Status.PENDING}')"
        )
    if _postgres():
        pending = (
            f", EXISTS (SELECT 1 FROM {TICKET} p WHERE p.visit_id = changed.visit_id "  # noqa: S608
            f"AND p.status = '{Status.PENDING}') AS has_pending"
        )
        event = _event(None, None, kind, now, officer_id, counter_id)
        found = _one_with(
            *_with_event(change, params, event, pending), "visit_number", "has_pending"
        )
        if found is None:
            return None
        ticket, columns = found
        return Moved(ticket, columns["visit_number"], bool(columns["has_pending"]))
    found = _one_with(f"{change} {_RETURNING}", params, "visit_number")
    if found is None:
        return None
    ticket, columns = found
    add_event(ticket=ticket, kind=kind, at=now, actor_id=officer_id, counter_id=counter_id)
    return Moved(ticket, columns["visit_number"], has_pending(ticket.visit_id))


def has_pending(visit_id) -> bool:
    """Does the visit have services still to come after the current one?"""
    sql = f"SELECT 1 FROM {TICKET} WHERE visit_id = %s AND status = %s LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [_uuid(visit_id), Status.PENDING])
        return cursor.fetchone() is not None


def add_event(
    *, ticket: Ticket, kind: str, at, actor_id: int | None, counter_id: int | None
) -> None:
    """Append one event to the ticket's log."""
    insert([_event(ticket.pk, ticket.centre_id, kind, at, actor_id, counter_id)])


def next_number(centre_id: int, day: dt.date, prefix: str) -> int:
    """The next number for (centre, day, prefix) in one statement: insert or increment.

    The row stays locked until the issuing transaction commits, so numbers never repeat and
    a rolled-back issue leaves no gap behind a later one.
    """
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER + " RETURNING last", [centre_id, day, prefix])
        return cursor.fetchone()[0]


_NEXT_NUMBER = (
    f"INSERT INTO {NUMBERS} (centre_id, day, prefix, last) VALUES (%s, %s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (centre_id, day, prefix) DO UPDATE SET last = {NUMBERS}.last + 1"
)


def create_visit(visit: Visit, tickets: Sequence[Ticket], events: Sequence[TicketEvent]) -> int:
    """Number the visit (sets its `sequence` and `number`) and write it with its tickets and
    their events; the first ticket waits. Returns the waiting tickets ahead of the first one.
    Run it inside ``one_statement()``."""
    first = tickets[0]
    if not _postgres():
        visit.sequence = next_number(visit.centre_id, visit.service_day, visit.prefix)
        visit.number = visit.format_number()
        insert([visit])
        insert(tickets)
        insert(events)
        return places_ahead(
            centre_id=first.centre_id,
            service_id=first.service_id,
            queue_key=first.queue_key,
            ticket_id=first.pk,
        )
    # One statement: the number, the visit (numbered in SQL), its tickets and events.
    fields = Visit._meta.concrete_fields
    exprs, params = [], []
    for f in fields:
        if f.attname == "sequence":
            exprs.append("n.last")
        elif f.attname == "number":
            exprs.append(
                "%s || CASE WHEN n.last < 1000 THEN lpad(n.last::text, 3, '0') ELSE n.last::text END"
            )
            params.append(visit.prefix)
        else:
            exprs.append("%s")
            params.append(f.get_db_prep_save(f.pre_save(visit, True), connection))
    visit._state.adding = False
    visit._state.db = connection.alias
    visit_columns = ", ".join(f.column for f in fields)
    ticket_columns, ticket_rows, ticket_params = _rows(tickets)
    event_columns, event_rows, event_params = _rows(events)
    sql = (
        f"WITH n AS ({_NEXT_NUMBER} RETURNING last), "  # noqa: S608
        f"v AS (INSERT INTO {VISIT} ({visit_columns}) SELECT {', '.join(exprs)} FROM n "
        f"RETURNING sequence, number), "
        f"t AS (INSERT INTO {TICKET} ({ticket_columns}) VALUES {ticket_rows}), "
        f"e AS (INSERT INTO {EVENT} ({event_columns}) VALUES {event_rows}) "
        f"SELECT sequence, number, ({_PLACES_AHEAD}) FROM v"
    )
    head = [visit.centre_id, visit.service_day, visit.prefix]
    first = tickets[0]
    ahead = _places_ahead_params(first.centre_id, first.service_id, first.queue_key, first.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *params, *ticket_params, *event_params, *ahead])
        visit.sequence, visit.number, ahead = cursor.fetchone()
    return ahead

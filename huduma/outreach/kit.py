"""The field kit's side of sync (HUDUMA_MODE=field, on SQLite): enrol, pull, record, push.

Every insert or update of a record the kit makes offline is written to its change log
(KitChange) by SQLite triggers, whatever code path made it (the ORM, bulk inserts, raw SQL), and
a new record's node_seq is the sequence number of its creation. A push sends the changes after
the cursor (KitState.acked_seq) in order, each with the record's content at that moment, in
batches bounded in count and size; the cursor moves only on the server's acknowledgement, so
a cut at any point means the batch is sent again, which the server answers as duplicates.
"""

import dataclasses
import datetime as dt
import json
import logging
import os
import re
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.db import connection, transaction

from huduma.accounts.models import User
from huduma.catalogue.models import CentreService, Service
from huduma.catalogue.services import service_refresh_search
from huduma.core import audit, clock
from huduma.core.models import AuditEntry
from huduma.outreach.kit_http import (
    BATCH_FIRST_BYTES,
    BATCH_MAX_BYTES,
    BATCH_MAX_RECORDS,
    KitError,
    KitOffline,
    KitRefused,
    _request,
    next_batch_bytes,
    request_timeout,
)
from huduma.outreach.records import SYNCED_MODELS, data_fields, synced_model, wire
from huduma.outreach.sync_models import KitChange, KitDeferred, KitRejection, KitState
from huduma.places.models import Centre
from huduma.queues import services as queues
from huduma.queues.models import CounterSession, Ticket, Visit

logger = logging.getLogger(__name__)

# --- the change log ------------------------------------------------------------------------


_INSERT_TRIGGER = (
    'CREATE TRIGGER "kit_ins_{table}" AFTER INSERT ON "{table}" {log_when_insert}BEGIN '
    "INSERT INTO \"{change}\" (model, record_id) VALUES ('{label}', NEW.id); {set_seq} END"
)
_SET_SEQ = (
    'UPDATE "{table}" SET node_seq = last_insert_rowid() WHERE id = NEW.id AND node_seq IS NULL;'
)
# The update that sets node_seq on a new row is part of its creation, not a change.
_UPDATE_TRIGGER = (
    'CREATE TRIGGER "kit_upd_{table}" AFTER UPDATE ON "{table}" {when}{log_when}BEGIN '
    "INSERT INTO \"{change}\" (model, record_id) VALUES ('{label}', NEW.id); END"
)
# Records logged only once they reach a state the server takes: an officer's time at a tent's
# counter once the counter has closed (open, it would keep the centre's own counter taken), so
# no sequence number is spent on a session still open, and none is held back.
_LOG_WHEN = {"queues.CounterSession": "NEW.status = 'closed'"}


def _trigger_sql(label: str) -> list[str]:
    """Table names and labels come from our own models (SYNCED_MODELS), never from input."""
    model = synced_model(label)
    names = {f.attname for f in model._meta.concrete_fields}
    seq = "node_seq" in names
    parts = {
        "table": model._meta.db_table,
        "change": KitChange._meta.db_table,
        "label": label,
        "when": "WHEN OLD.node_seq IS NOT NULL " if seq else "",
    }
    condition = _LOG_WHEN.get(label)
    parts["log_when_insert"] = f"WHEN {condition} " if condition else ""
    parts["log_when"] = f"{'AND' if seq else 'WHEN'} {condition} " if condition else ""
    parts["set_seq"] = _SET_SEQ.format(**parts) if seq else ""
    return [
        'DROP TRIGGER IF EXISTS "kit_ins_{table}"'.format(**parts),
        'DROP TRIGGER IF EXISTS "kit_upd_{table}"'.format(**parts),
        _INSERT_TRIGGER.format(**parts),
        _UPDATE_TRIGGER.format(**parts),
    ]


def kit_triggers_install() -> None:
    if connection.vendor != "sqlite":
        raise KitError("A field kit runs on SQLite (HUDUMA_MODE=field).")
    with connection.cursor() as cursor:
        for label in SYNCED_MODELS:
            for statement in _trigger_sql(label):
                cursor.execute(statement)


def kit_state() -> KitState:
    state = KitState.objects.filter(pk=1).first()
    if state is None:
        raise KitError("This kit is not enrolled: run `manage.py fieldkit enroll` first.")
    return state


def pending_count(state: KitState | None = None) -> int:
    state = state or kit_state()
    return KitChange.objects.filter(pk__gt=state.acked_seq).count()


# --- enrolment and pull --------------------------------------------------------------------


def _write_kit_file(node_id: str, prefix: str) -> None:
    path = Path(settings.FIELD_KIT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"node_id": node_id, "ticket_prefix": prefix}))
    # This process numbers what it records from now on as the kit.
    settings.NODE_ID = node_id
    settings.FIELD_TICKET_PREFIX = prefix


def _private_file(path: Path, text: str) -> None:
    """Write `text` readable and writable by this account only (mode 0600 from creation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_CREAT


def _token_path() -> Path:
    return Path(settings.FIELD_KIT_FILE).with_name("fieldkit-token")


def _protect_database() -> None:
    """The kit's database holds what the citizens told the tent: this account's only."""
    name = settings.DATABASES["default"].get("NAME")
    if isinstance(name, str | Path) and Path(name).is_file():
        os.chmod(name, 0o600)


def kit_token(state: KitState | None = None) -> str:
    """The kit's token: in its own file (mode 0600) beside the kit file, not in the database a
    copy of which may travel (a backup, a restored copy). A kit enrolled before keeps its
    token in KitState.token until its next contact moves it."""
    path = _token_path()
    if path.exists():
        return path.read_text().strip()
    state = state or kit_state()
    if state.token:
        _private_file(path, state.token)
        KitState.objects.filter(pk=1).update(token="")
    return state.token


PIN_RE = re.compile(r"[0-9]{6,12}")


def officer_pin_set(*, username: str, pin: str) -> None:
    """Set an officer's kit-only PIN (6 to 12 digits), hashed on the kit. It signs them in on
    this kit only: the kit never holds their central password."""
    if not PIN_RE.fullmatch(pin or "") or len(set(pin)) == 1:
        raise KitError("A kit PIN is 6 to 12 digits, not all the same.")
    officer = User.objects.filter(username=username, is_active=True).first()
    if officer is None:
        raise KitError(f"{username} is not an officer of this kit.")
    officer.set_password(pin)
    officer.save(update_fields=["password"])


def kit_enroll(*, server: str, code: str) -> KitState:
    """Exchange the one-time code, take the catalogue, centre, counters and officers, and
    start the change log."""
    if settings.HUDUMA_MODE != "field":
        raise KitError("Enrol a kit with HUDUMA_MODE=field.")
    answer = _request(server, "POST", "/api/outreach/kits/enroll", body={"code": code})
    kit = answer["kit"]
    kit_triggers_install()
    # Enrolling again (a new code for the same kit) keeps the cursor: nothing unsent is skipped.
    with transaction.atomic():
        KitState.objects.update_or_create(
            pk=1,
            defaults={
                "server_url": server.rstrip("/"),
                "token": "",
                "device_id": kit["node_id"],
                "centre_code": kit["centre"],
                "ticket_prefix": kit["ticket_prefix"],
                "catalogue_version": "",
            },
        )
    _private_file(_token_path(), answer["token"])
    _write_kit_file(kit["node_id"], kit["ticket_prefix"])
    _protect_database()
    kit_pull()
    return kit_state()


def kit_pull(*, server: str | None = None) -> bool:
    """Take the plan (every time: it is small), and the catalogue and the centre's charter if
    they or the plan changed since the last pull; True if they did."""
    state = kit_state()
    query = urllib.parse.urlencode({"since": state.catalogue_version})
    answer = _request(
        server or state.server_url,
        "GET",
        f"/api/outreach/kits/snapshot?{query}",
        token=kit_token(state),
    )
    with transaction.atomic():
        offered, pulled = [], []
        pins = dict(User.objects.values_list("pk", "password"))
        for obj in serializers.deserialize("python", answer["objects"]):
            if isinstance(obj.object, User):
                # The officer's kit PIN (set here), never a password from the server.
                obj.object.password = pins.get(obj.object.pk) or make_password(None)
                obj.object.email = obj.object.phone = ""
            obj.save()
            if isinstance(obj.object, CentreService):
                offered.append(obj.object.pk)
            elif isinstance(obj.object, Service):
                pulled.append(obj.object.pk)
        if answer["changed"]:
            # Reception offers what the server offers here now: a service the plan dropped goes.
            CentreService.objects.exclude(pk__in=offered).delete()
        # The kit's own search index, rebuilt from the services as pulled (reception searches
        # offline, the same way as the server).
        for service in Service.objects.filter(pk__in=pulled).select_related("mda"):
            service_refresh_search(service=service)
        # An officer no longer going (deactivated, or taken off the kit) signs in no more.
        going = [int(pk) for pk in answer.get("officers", [])]
        User.objects.exclude(pk__in=going).update(is_active=False, password=make_password(None))
        KitState.objects.filter(pk=1).update(
            catalogue_version=answer["catalogue_version"],
            plan=answer.get("outreach") or {},
            ticket_prefix=answer["ticket_prefix"],
            last_pull_at=clock.now(),
        )
    return bool(answer["changed"])


# --- push ----------------------------------------------------------------------------------


@dataclass
class PushReport:
    batches: int = 0
    sent: int = 0
    counts: dict = field(default_factory=dict)
    rejected: int = 0
    pending: int = 0
    bytes_sent: int = 0
    elapsed_s: float = 0.0
    waiting_s: float = 0.0  # of which waiting for the server's answers
    held_back: int = 0  # changes held back under a ticket still in the tent's queue
    released: int = 0  # records held back before, sent now that their ticket has ended
    rebased: dict | None = None  # the kit's log had gone back (kit_rebase)
    audit_sent: int = 0  # the kit's audit entries the server received (kit_audit_push)


def _in_a_queue(obj) -> bool:
    """A ticket still waiting, called or being served at the tent, or an officer still signed
    in at a tent's counter. It would stand in the centre's own queue (or keep the centre's
    counter taken) if it reached the server now: it is held back on the kit (KitDeferred),
    with the records made under it, until it has ended (served, no-show, cancelled, closed at
    the end of the day; the counter closed); everything else goes on."""
    if isinstance(obj, CounterSession):
        return obj.status != CounterSession.Status.CLOSED
    return isinstance(obj, Ticket) and obj.status in Ticket.ACTIVE


def _points_at(obj, held: set[str]) -> bool:
    """Whether a record refers to one held back (its ticket's events, an application made
    while it was being served, that application's invoice and payment...)."""
    for f in data_fields(type(obj)):
        if f.is_relation:
            value = getattr(obj, f.attname)
            if isinstance(value, uuid.UUID) and value.hex in held:
                return True
    return False


def _hex(record_id: str) -> str:
    return record_id.replace("-", "")


def _records(changes) -> dict:
    by_model: dict[str, set] = {}
    for change in changes:
        by_model.setdefault(change.model, set()).add(change.record_id)
    rows = {}
    for label, ids in by_model.items():
        model = synced_model(label)
        for obj in model._base_manager.filter(pk__in=list(ids)):
            rows[(label, obj.pk.hex)] = obj
    return rows


def _release_deferred() -> int:
    """Changes held back whose ticket has ended go to the end of the change log (one new
    change per record, with its content as it is now), in the order they were made, so a
    parent still comes before its children. Returns how many records were released."""
    deferred = list(KitDeferred.objects.order_by("seq"))
    if not deferred:
        return 0
    rows = _records(deferred)
    still: set[str] = set()
    released = []
    for row in deferred:
        obj = rows.get((row.model, _hex(row.record_id)))
        if obj is not None and (_in_a_queue(obj) or _points_at(obj, still)):
            still.add(_hex(row.record_id))
        else:
            released.append(row)
    if not released:
        return 0
    with transaction.atomic():
        appended = []
        for row in released:
            key = (row.model, _hex(row.record_id))
            if key not in appended and key[1] not in still:
                appended.append(key)
                KitChange.objects.create(model=row.model, record_id=row.record_id)
        KitDeferred.objects.filter(seq__in=[row.seq for row in released]).delete()
    return len(appended)


def _batch(
    after: int, max_bytes: int = BATCH_MAX_BYTES, held: set[str] | None = None
) -> tuple[list[dict], int, list[KitChange]]:
    """The next changes after `after`, as wire records, at most `max_bytes` of them (but at
    least one); the last sequence number they cover (changes of records gone from the kit
    are skipped, and covered); and the changes held back (a ticket still in the tent's queue
    and what refers to it, see _in_a_queue), also covered. `held` (record ids) grows with
    those held back."""
    held = held if held is not None else set()
    changes = list(KitChange.objects.filter(pk__gt=after).order_by("pk")[:BATCH_MAX_RECORDS])
    if not changes:
        return [], after, []
    rows = _records(changes)
    items, deferred, size, last = [], [], 0, after
    for change in changes:
        obj = rows.get((change.model, _hex(change.record_id)))
        if obj is not None and (_in_a_queue(obj) or _points_at(obj, held)):
            held.add(obj.pk.hex)
            deferred.append(change)
        elif obj is not None:
            item = wire(obj, change.pk)
            item_size = len(json.dumps(item, separators=(",", ":"), default=str))
            if items and size + item_size > max_bytes:
                break
            items.append(item)
            size += item_size
        last = change.pk
    return items, last, deferred


@dataclass
class Rebase:
    diverged_at: int  # the first sequence number where the server holds something else
    moved: int  # changes put back in the log above what the server holds
    renumbered: list  # [(old ticket number, new one)] of tickets issued since the copy


def kit_rebase(*, server: str | None = None) -> Rebase | None:
    """Find out whether this kit's change log went back (a copy restored after a power cut or
    a reinstall: the server holds, above the kit's cursor, changes the kit does not have, or
    other records under the same numbers) and, if so, re-base before pushing: every change
    the server does not hold goes back in the log above the server's highest number (so none
    is taken for another, none held as a conflict), the cursor moves there, the day's ticket
    numbers go on after the last one the server holds, and the tickets issued since the copy
    whose numbers the server holds for other citizens take the next free ones. None when the
    log did not go back."""
    state = kit_state()
    answer = _request(
        server or state.server_url,
        "GET",
        f"/api/outreach/sync/status?after={state.acked_seq}",
        token=kit_token(state),
    )
    log = [(int(seq), str(record_id)) for seq, record_id in answer.get("log") or []]
    if not log:
        return None
    mine = {
        pk: _hex(record_id)
        for pk, record_id in KitChange.objects.filter(
            pk__gt=state.acked_seq, pk__lte=log[-1][0]
        ).values_list("pk", "record_id")
    }
    # A change sent again after a refusal is the kit's own, whatever its number.
    resent = set(KitRejection.objects.values_list("seq", flat=True))
    other = [seq for seq, record_id in log if mine.get(seq) != record_id and seq not in resent]
    if not other:
        return None  # the server holds the kit's own changes (answers lost in flight)
    diverged, top = other[0], max(int(answer["highest_seq"]), log[-1][0])
    matched = {seq for seq, record_id in log if mine.get(seq) == record_id}
    on_server = {record_id for _seq, record_id in log}
    centre = Centre.objects.get(code=state.centre_code)
    with transaction.atomic():
        if connection.vendor == "sqlite":  # a kit (tests run the kit's code on PostgreSQL too)
            with connection.cursor() as cursor:
                # New changes are numbered above anything the server holds.
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                    [top, KitChange._meta.db_table],
                )
        moving = list(
            KitChange.objects.filter(pk__gt=state.acked_seq).exclude(pk__in=matched).order_by("pk")
        )
        KitChange.objects.filter(pk__in=[c.pk for c in moving]).delete()
        KitRejection.objects.filter(seq__gt=state.acked_seq).exclude(seq__in=matched).delete()
        appended = []
        for change in moving:
            key = (change.model, _hex(change.record_id))
            if key not in appended:
                appended.append(key)
                KitChange.objects.create(model=change.model, record_id=change.record_id)
        KitState.objects.filter(pk=1).update(acked_seq=top)
        since_copy = [
            pk
            for pk in Visit.objects.filter(node_seq__gte=diverged).values_list("pk", flat=True)
            if pk.hex not in on_server
        ]
        renumbered = []
        for day, last in sorted((answer.get("numbers") or {}).items()):
            renumbered += queues.numbers_continue_after(
                centre=centre,
                day=dt.date.fromisoformat(day),
                prefix=state.ticket_prefix,
                last=int(last),
                renumber=since_copy,
            )
    logger.warning(
        "field kit: its log went back (the server holds #%s on); re-based above #%s, "
        "%s tickets renumbered",
        diverged,
        top,
        len(renumbered),
    )
    return Rebase(diverged_at=diverged, moved=len(appended), renumbered=renumbered)


def kit_push(*, max_batches: int | None = None, server: str | None = None) -> PushReport:
    """Push every pending change, batch after batch. Raises KitOffline when the connection
    fails (what was acknowledged stays acknowledged), KitRefused when the server refuses."""
    state = kit_state()
    if connection.vendor == "sqlite":
        kit_triggers_install()  # a kit enrolled before a table was synced logs it from now on
    report = PushReport()
    started = time.perf_counter()
    max_bytes, rate = BATCH_FIRST_BYTES, None
    rebased = kit_rebase(server=server)
    if rebased is not None:
        report.rebased = dataclasses.asdict(rebased)
        state = kit_state()
    report.released = _release_deferred()
    held = {_hex(r) for r in KitDeferred.objects.values_list("record_id", flat=True)}
    while max_batches is None or report.batches < max_batches:
        items, last, deferred = _batch(state.acked_seq, max_bytes, held)
        if last == state.acked_seq:
            break
        if not items:
            # Only changes held back: nothing to send, the cursor moves past them.
            with transaction.atomic():
                _defer(deferred)
                KitState.objects.filter(pk=1).update(acked_seq=last)
            state.acked_seq = last
            continue
        pending = KitChange.objects.filter(pk__gt=last).count()
        data = json.dumps({"pending": pending, "items": items}, separators=(",", ":")).encode()
        asked = time.perf_counter()
        answer = _request(
            server or state.server_url,
            "POST",
            "/api/outreach/sync/push",
            token=kit_token(state),
            data=data,
            timeout=request_timeout(len(data), rate),
        )
        took = time.perf_counter() - asked
        report.waiting_s += took
        report.bytes_sent += len(data)
        # What this link carried (the server's time included: a slow server also wants
        # smaller batches).
        rate = len(data) / max(took, 1e-3)
        max_bytes = next_batch_bytes(max_bytes, rate)
        with transaction.atomic():
            for result in answer["results"]:
                if result["outcome"] == "rejected":
                    KitRejection.objects.update_or_create(
                        seq=result["seq"] or 0,
                        defaults={
                            "model": items[result["n"]]["model"],
                            "record_id": items[result["n"]]["id"],
                            "reason": (result.get("reason") or "")[:200],
                        },
                    )
                    report.rejected += 1
            _defer(deferred)
            KitState.objects.filter(pk=1).update(
                acked_seq=last, last_push_at=clock.now(), failures=0, last_error=""
            )
        state.acked_seq = last
        report.batches += 1
        report.sent += len(items)
        for outcome, n in answer["counts"].items():
            report.counts[outcome] = report.counts.get(outcome, 0) + n
    try:
        report.audit_sent = kit_audit_push(server=server, state=state)
    except KitRefused as exc:
        # The records went; the audit report waits for the next sync, and the reason is shown.
        logger.warning("field kit audit report refused: %s", exc)
        KitState.objects.filter(pk=1).update(last_error=f"audit: {exc}"[:300])
    report.pending = pending_count(state)
    report.held_back = KitDeferred.objects.count()
    report.elapsed_s = round(time.perf_counter() - started, 3)
    report.waiting_s = round(report.waiting_s, 3)
    return report


AUDIT_BATCH = 200


def audit_pending(state: KitState | None = None) -> int:
    state = state or kit_state()
    return AuditEntry.objects.filter(pk__gt=state.audit_sent_id).count()


def kit_audit_push(*, server: str | None = None, state: KitState | None = None) -> int:
    """Report the kit's audit entries the server has not acknowledged (sign-ins, failed
    sign-ins, audited changes), oldest first, in batches; returns how many went. The server
    appends each to its own chain once (sync_audit.kit_audit_receive)."""
    state = state or kit_state()
    sent = 0
    # What is there now: entries written while this runs go at the next sync.
    top = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    while True:
        entries = list(
            AuditEntry.objects.filter(pk__gt=state.audit_sent_id, pk__lte=top).order_by("pk")[
                :AUDIT_BATCH
            ]
        )
        if not entries:
            return sent
        body = {
            "entries": [
                {
                    "id": entry.pk,
                    **{k: v for k, v in audit.entry_fields(entry).items() if k != "prev"},
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                }
                for entry in entries
            ]
        }
        data = json.dumps(body, separators=(",", ":")).encode()
        answer = _request(
            server or state.server_url,
            "POST",
            "/api/outreach/sync/audit",
            token=kit_token(state),
            data=data,
            timeout=request_timeout(len(data), None),
        )
        acked = int(answer["acked_id"])
        KitState.objects.filter(pk=1).update(audit_sent_id=acked)
        state.audit_sent_id = acked
        sent += len(entries)


def _defer(changes: list[KitChange]) -> None:
    KitDeferred.objects.bulk_create(
        [KitDeferred(seq=c.pk, model=c.model, record_id=c.record_id) for c in changes],
        ignore_conflicts=True,
    )


def kit_retry_refused(*, server: str | None = None) -> int:
    """Send again the changes the server refused (a parent that came later, a catalogue
    entry pulled since); returns how many it took this time."""
    state = kit_state()
    refused = list(KitRejection.objects.order_by("seq")[:BATCH_MAX_RECORDS])
    if not refused:
        return 0
    items = []
    for rejection in refused:
        model = synced_model(rejection.model)
        obj = model._base_manager.filter(pk=rejection.record_id).first() if model else None
        if obj is not None:
            items.append(wire(obj, rejection.seq))
    data = json.dumps(
        {"pending": pending_count(state), "items": items}, separators=(",", ":")
    ).encode()
    answer = _request(
        server or state.server_url,
        "POST",
        "/api/outreach/sync/push",
        token=kit_token(state),
        data=data,
        timeout=request_timeout(len(data), None),
    )
    taken = [r["seq"] for r in answer["results"] if r["outcome"] != "rejected"]
    for result in answer["results"]:
        if result["outcome"] == "rejected":
            KitRejection.objects.filter(seq=result["seq"]).update(
                reason=(result.get("reason") or "")[:200]
            )
    KitRejection.objects.filter(seq__in=taken).delete()
    return len(taken)


# --- the end of the day -------------------------------------------------------------------


def held_back() -> dict:
    """What the kit holds back and why (for `fieldkit status`)."""
    in_queue = list(
        Ticket.objects.filter(status__in=Ticket.ACTIVE)
        .order_by("visit__arrived_at")
        .values_list("visit__number", "status")
    )
    return {
        "changes": KitDeferred.objects.count(),
        "tickets_in_queue": [f"{number} ({status})" for number, status in in_queue],
        "reason": (
            "tickets still in the tent's queue, and what was made under them, go once they "
            "end; `fieldkit close-day` ends the day's unserved tickets"
            if in_queue
            else ""
        ),
    }


def kit_close_day(*, day: dt.date) -> queues.DayClosed:
    """The tent packs up: the day's tickets not yet served end (queues.tickets_close_day) and
    the tent's counters close (queues.counter_close; a counter still serving someone stays
    open); the records held back under them are released at the next push."""
    centre = Centre.objects.get(code=kit_state().centre_code)
    closed = queues.tickets_close_day(centre=centre, day=day)
    live = CounterSession.objects.filter(counter__centre=centre).exclude(
        status=CounterSession.Status.CLOSED
    )
    for session in live.select_related("counter", "officer"):
        try:
            queues.counter_close(counter=session.counter, officer=session.officer)
        except queues.TicketStateError:
            pass  # its officer finishes the citizen first: the session goes once closed
    return closed


# --- automatic sync ------------------------------------------------------------------------


def kit_sync_due(*, now: dt.datetime | None = None) -> str:
    """What the kit's minute task does: if there is something to push and the backoff allows,
    pull and push. A broken connection is recorded and retried later, each time waiting longer
    (up to FIELD_SYNC_MAX_BACKOFF_S), so the kit syncs by itself when the network is back."""
    if settings.HUDUMA_MODE != "field":
        return "not a kit"
    state = KitState.objects.filter(pk=1).first()
    if state is None:
        return "not enrolled"
    now = now or clock.now()
    if state.next_attempt_at and state.next_attempt_at > now:
        return "waiting"
    # Records held back under a ticket that has ended since go back in the log (locally).
    _release_deferred()
    if pending_count(state) == 0 and not KitRejection.objects.exists():
        return "nothing to push"
    try:
        kit_pull()
        kit_push()
        kit_retry_refused()
    except KitOffline as exc:
        failures = state.failures + 1
        wait = min(
            settings.FIELD_SYNC_MIN_BACKOFF_S * 2 ** (failures - 1),
            settings.FIELD_SYNC_MAX_BACKOFF_S,
        )
        KitState.objects.filter(pk=1).update(
            failures=failures,
            next_attempt_at=now + dt.timedelta(seconds=wait),
            last_error=str(exc)[:300],
        )
        logger.info("field kit offline (%s); next try in %s s", exc, wait)
        return "offline"
    except KitRefused as exc:
        # Refused (revoked, say): asking every minute would change nothing; ask now and then.
        KitState.objects.filter(pk=1).update(
            last_error=str(exc)[:300],
            next_attempt_at=now + dt.timedelta(seconds=settings.FIELD_SYNC_MAX_BACKOFF_S),
        )
        logger.warning("field kit refused: %s", exc)
        return "refused"
    KitState.objects.filter(pk=1).update(next_attempt_at=None)
    return "synced"

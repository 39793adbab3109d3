"""The centre server's side of field-kit sync: receive a kit's batches, hold conflicts for a
person, remember every change once per (kit, sequence number).

Outreach writes no other app's table: each record goes through its owning app's rule and writer
(core.kit_rules, registered by queues, applications, payments, feedback, complaints, notify),
with the kit as the actor. A batch is one transaction. Its new records go in with one writer
call per table; if the database refuses any of them, the batch is taken again record by record,
each in its own savepoint, so one bad record is reported with its reason and the others are
kept. A record is created only if its id is absent (PostgreSQL and SQLite alike): the same
record pushed twice, even at the same moment, is stored once (the second writer's insert is
refused by the primary key, and the record compared with what the first stored). Every change a kit pushes is remembered once per (kit,
sequence number) in SyncItem, so a replayed, retried or re-ordered batch changes nothing, and
the numbers never received are the kit's gaps.

A record that exists with other content is overwritten only when it is the same kit's newer
version of a record the server has not touched since the kit last sent it (a ticket called,
then served); anything else (the server changed it, another kit claims the id, a sequence
number comes back with other content) is held as a SyncConflict, never applied.
"""

import logging
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.utils import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from huduma.accounts.models import User
from huduma.core import clock, kit_rules
from huduma.core.errors import DomainError
from huduma.outreach.kit_actor import KitLookups
from huduma.outreach.records import (
    SYNCED_MODELS,
    InvalidRecord,
    PushedRecord,
    content_hash,
    data_fields,
    python_values,
    record_fields,
    synced_model,
)
from huduma.outreach.sync_conflicts import conflict_hold, record_centre_id
from huduma.outreach.sync_models import (
    FieldKit,
    MpesaCodeCheck,
    SyncItem,
)
from huduma.payments import services as payments
from huduma.payments.models import Payment

logger = logging.getLogger(__name__)

MAX_BATCH = 300
Outcome = SyncItem.Outcome


@dataclass
class BatchResult:
    acked_seq: int = 0
    results: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    verify: list = field(default_factory=list)  # offline M-Pesa payments to check after commit
    unreadable: list = field(default_factory=list)  # (item, reason) refused before the batch


def _claim_seq(kit: FieldKit, item: PushedRecord, outcome: str, reason: str = "") -> None:
    """Remember (kit, seq) once; a twin pushed at the same moment finds it and does nothing."""
    qn = connection.ops.quote_name
    table = qn(SyncItem._meta.db_table)
    sql = (
        f"INSERT INTO {table} (node_id, seq, model, record_id, hash, outcome, reason, "  # noqa: S608
        "received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (node_id, seq) DO NOTHING"
    )
    record_field = SyncItem._meta.get_field("record_id")
    at_field = SyncItem._meta.get_field("received_at")
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                kit.node_id,
                item.seq,
                item.model[:40],
                record_field.get_db_prep_save(item.uuid, connection),
                item.hash[:64],
                outcome,
                reason[:200],
                at_field.get_db_prep_save(clock.now(), connection),
            ],
        )


def _envelope(raw, kit: FieldKit) -> PushedRecord:
    """The item's envelope, checked. Raises InvalidRecord."""
    if not isinstance(raw, dict):
        raise InvalidRecord("not an object")
    seq = raw.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 2**62:
        raise InvalidRecord("seq: a whole number from 1")
    label = raw.get("model")
    if not isinstance(label, str) or synced_model(label) is None:
        raise InvalidRecord("unknown model")
    try:
        record_uuid = uuid.UUID(str(raw.get("id")))
    except ValueError:
        raise InvalidRecord("id: not a UUID") from None
    if raw.get("node_id") not in (kit.node_id, "", None):
        raise InvalidRecord("node_id: not this kit's")
    digest = raw.get("hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise InvalidRecord("hash: 64 hexadecimal characters")
    if not isinstance(raw.get("fields"), dict):
        raise InvalidRecord("fields: not an object")
    item = PushedRecord(
        seq=seq,
        model=label,
        uuid=record_uuid,
        id=str(raw.get("id")),
        hash=digest,
        fields=raw["fields"],
    )
    if content_hash(label, item.id, item.fields) != digest:
        raise InvalidRecord("hash does not match the content")
    return item


class _ParentMissing(Exception):
    pass


def _scoped_to_centre(model) -> bool:
    """A record a kit may point at only within its own centre: the synced records and the
    counters (not people, services or the catalogue)."""
    label = f"{model._meta.app_label}.{model.__name__}"
    has_centre = any(f.name == "centre" for f in model._meta.concrete_fields)
    return has_centre and (label in SYNCED_MODELS or label == "places.Counter")


class _References:
    """Which rows the batch's foreign keys point at exist: one query per target table."""

    def __init__(self, items: list[PushedRecord], centre_id: int):
        wanted: dict = {}
        for item in items:
            model = synced_model(item.model)
            for f in data_fields(model):
                if f.is_relation and item.values.get(f.attname) is not None:
                    wanted.setdefault(f.related_model, set()).add(item.values[f.attname])
        self.known = {}
        for target, ids in wanted.items():
            rows = target._base_manager.filter(pk__in=ids)
            if _scoped_to_centre(target):
                # Only the kit's centre's records: a kit's payment must not settle another
                # centre's invoice, nor its ticket join another centre's visit.
                rows = rows.filter(centre_id=centre_id)
            elif target is User:
                # Nor name another centre's officer (the cash would count in their cash-up).
                rows = rows.filter(Q(centre_id=centre_id) | Q(centre__isnull=True))
            self.known[target] = set(rows.values_list("pk", flat=True))

    def check(self, model, values: dict) -> None:
        for f in data_fields(model):
            value = values.get(f.attname)
            if not f.is_relation or value is None:
                continue
            if value in self.known.get(f.related_model, ()):
                continue
            target = f"{f.related_model._meta.app_label}.{f.related_model.__name__}"
            if target in SYNCED_MODELS:
                raise _ParentMissing(f.name)
            raise InvalidRecord(f"unknown {f.name}")

    def add(self, model, record_id) -> None:
        self.known.setdefault(model, set()).add(record_id)


def _refs_ok(refs: _References, item: PushedRecord) -> bool:
    """Whether the record's parents are known (else the record-by-record path waits for them,
    or refuses it for a missing parent, before asking the owning app)."""
    try:
        refs.check(synced_model(item.model), item.values)
    except (_ParentMissing, InvalidRecord):
        return False
    return True


def _write(item: PushedRecord, actor: kit_rules.KitActor) -> kit_rules.KitWrite:
    return kit_rules.KitWrite(item.model, item.values, None, actor, item.uuid)


def _check_new(item: PushedRecord, actor: kit_rules.KitActor) -> None:
    """The owning app's rule for a record the kit creates. Raises KitRefused."""
    if "node_id" in item.values and item.values["node_id"] != actor.node_id:
        raise kit_rules.KitRefused("node_id: not this kit's")
    kit_rules.check(_write(item, actor))


def _latest_accepted(label: str, record_id: uuid.UUID) -> SyncItem | None:
    return (
        SyncItem.objects.filter(
            model=label, record_id=record_id, outcome__in=[Outcome.STORED, Outcome.UPDATED]
        )
        .order_by("-id")
        .first()
    )


def _existing(
    kit: FieldKit, item: PushedRecord, model, actor: kit_rules.KitActor
) -> tuple[str, str]:
    """The record's id is taken: a duplicate, the kit's newer version, an older one, or a
    conflict held for a person."""
    manager = model._base_manager
    current = manager.select_for_update().get(pk=item.uuid)
    if record_centre_id(current) not in (None, kit.device.centre_id):
        # Another centre's record: never held as a conflict, which would show it to this
        # centre's manager and let "take the kit's version" overwrite it.
        raise InvalidRecord("centre: not this kit's centre")
    current_fields = record_fields(current)
    current_hash = content_hash(item.model, item.id, current_fields)
    if current_hash == item.hash:
        return Outcome.DUPLICATE, ""
    if not actor.made(model, item.uuid):
        # Only records the kit made are the kit's to change (and only as their app allows).
        raise kit_rules.KitRefused(
            gettext_noop("made on the server or by another kit: a kit changes only its own")
        )
    if "node_id" in item.values and item.values["node_id"] != current.node_id:
        raise kit_rules.KitRefused("node_id: set once, when the record is made")
    write = kit_rules.KitWrite(item.model, item.values, current, actor, item.uuid)
    kit_rules.check(write)
    last = _latest_accepted(item.model, item.uuid)
    if last is not None and last.node_id == kit.node_id:
        if item.seq < last.seq:
            return Outcome.STALE, "older than the version held"
        if last.hash == current_hash:
            kit_rules.change(write)  # the owning app's writer
            return Outcome.UPDATED, ""
        reason = gettext_noop("changed on the server since the kit sent it")
    elif last is None:
        reason = gettext_noop("the server already holds this id")
    else:
        reason = gettext_noop("another kit sent this id")
    conflict_hold(kit, item, reason, current_fields)
    return Outcome.CONFLICT, reason


def _receive_one(
    kit: FieldKit,
    item: PushedRecord,
    refs: _References,
    result: BatchResult,
    actor: kit_rules.KitActor,
) -> str:
    model = synced_model(item.model)
    refs.check(model, item.values)
    inserted = False
    if not model._base_manager.filter(pk=item.uuid).exists():
        _check_new(item, actor)
        try:
            with transaction.atomic():
                kit_rules.create(item.model, [_write(item, actor)])
            inserted = True
        except IntegrityError:
            if not model._base_manager.filter(pk=item.uuid).exists():
                raise
            # A twin batch stored the same record at the same moment: compared below.
    refs.add(model, item.uuid)  # there now, whoever wrote it (a twin batch, at once)
    if not inserted:
        outcome, reason = _existing(kit, item, model, actor)
        item.reason = reason
        return outcome
    _after_insert(item.model, [item.uuid], result)
    return Outcome.STORED


# One writer call per table for a whole batch (the owning app's bulk insert) instead of a
# savepoint and several statements per record: the usual batch, all new and well formed, costs a
# dozen statements. Any refusal sends the batch back to the record-by-record path, which finds
# the culprit and keeps the rest.
FAST_PATH = True


def _bulk_claim(kit: FieldKit, items: list[PushedRecord], outcome: str) -> None:
    now = clock.now()
    SyncItem.objects.bulk_create(
        [
            SyncItem(
                node_id=kit.node_id,
                seq=item.seq,
                model=item.model,
                record_id=item.uuid,
                hash=item.hash,
                outcome=outcome,
                received_at=now,
            )
            for item in items
        ],
        ignore_conflicts=True,
    )


def _fast_path(
    kit: FieldKit,
    todo: list[PushedRecord],
    refs: "_References",
    result: BatchResult,
    lookups: KitLookups,
    actor: kit_rules.KitActor,
):
    """Store every new record of the batch with one writer call per table. Returns what is left
    for the record-by-record path (records whose id exists, or whose parent is missing), and
    the references to use from now on."""
    fast, rest, first = [], [], set()
    for item in todo:
        model = synced_model(item.model)
        try:
            refs.check(model, item.values)
        except (_ParentMissing, InvalidRecord):
            rest.append(item)
            continue
        if (model, item.uuid) in lookups.existing or not item.checked_new:
            rest.append(item)  # a change of a record the server holds: compared one by one
            continue
        if item.uuid in first:
            rest.append(item)  # the same record again in this batch: compared after
            continue
        first.add(item.uuid)
        refs.add(model, item.uuid)
        fast.append(item)
    if not fast:
        return todo, refs
    stored = []
    try:
        with transaction.atomic():
            for label in SYNCED_MODELS:
                group = sorted((i for i in fast if i.model == label), key=lambda i: (i.uuid, i.seq))
                if not group:
                    continue
                # The owning app's writer; a record a twin batch stored meanwhile makes the
                # database refuse the whole group, and the batch goes record by record.
                kit_rules.create(label, [_write(item, actor) for item in group])
                stored.extend(group)
            # The same record again further on in the change log, with the content just
            # stored (a kit sends a record as it is now, once per change): already had it.
            just_stored = {(item.model, item.uuid): item.hash for item in stored}
            again = [i for i in rest if just_stored.get((i.model, i.uuid)) == i.hash]
            rest = [i for i in rest if just_stored.get((i.model, i.uuid)) != i.hash]
            for label in SYNCED_MODELS:
                ids = [i.uuid for i in stored if i.model == label]
                if ids:
                    _after_insert(label, ids, result)
            _bulk_claim(kit, stored, Outcome.STORED)
            _bulk_claim(kit, again, Outcome.DUPLICATE)
    except (IntegrityError, DatabaseError, DomainError):
        logger.info("batch from %s: one record refused, taking them one by one", kit.node_id)
        result.verify.clear()
        return todo, _References(todo, kit.device.centre_id)
    for item in stored:
        _done(result, item, Outcome.STORED)
    for item in again:
        _done(result, item, Outcome.DUPLICATE)
    rest.sort(key=lambda i: i.n)
    return rest, refs


def _after_insert(label: str, ids: list, result: BatchResult) -> None:
    """What the server does with a kit's records as they arrive: the owning app's own verb
    (kit_rules.arrived: a cash payment posted to the ledger, the SMS the server renders and
    sends itself); an M-Pesa code held to verify is asked about after commit."""
    kit_rules.arrived(label, ids)
    if label == "payments.Payment":
        result.verify.extend(
            Payment.objects.filter(
                pk__in=ids, provider=payments.OFFLINE_CODE_PROVIDER, status=Payment.Status.HELD
            ).values_list("pk", flat=True)
        )


def batch_receive(*, kit: FieldKit, items: list, pending: int = 0) -> BatchResult:
    """Store a kit's batch, record by record; returns what became of each, and the highest
    sequence number the server now holds for good (the kit's cursor)."""
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise DomainError(
            _("A batch holds at most %(n)s records.") % {"n": MAX_BATCH}, field="items"
        )
    result = BatchResult()
    checked: list[PushedRecord] = []
    for n, raw in enumerate(items):
        seq = raw.get("seq") if isinstance(raw, dict) else None
        try:
            item = _envelope(raw, kit)
            item.values = python_values(synced_model(item.model), item.fields)
            # A kit records for its own centre only.
            if item.values.get("centre_id") not in (None, kit.device.centre_id):
                raise InvalidRecord("centre: not this kit's centre")
            item.n = n
            checked.append(item)
        except InvalidRecord as exc:
            result.results.append(
                {"n": n, "seq": seq, "outcome": Outcome.REJECTED, "reason": exc.reason}
            )
            if isinstance(seq, int) and not isinstance(seq, bool) and 1 <= seq < 2**62:
                item = PushedRecord(
                    seq=seq,
                    model=str((raw or {}).get("model", ""))[:40],
                    uuid=_uuid_or_nil((raw or {}).get("id")),
                )
                result.unreadable.append((item, exc.reason))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys are checked at each statement, inside each record's savepoint, not
            # at the commit of the whole batch.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # A number refused before (a missing parent, a bad field) may come again, mended: it
        # is taken afresh. Anything else received before is answered from what was kept.
        seqs = [i.seq for i in checked] + [i.seq for i, _reason in result.unreadable]
        SyncItem.objects.filter(
            node_id=kit.node_id, seq__in=seqs, outcome=Outcome.REJECTED
        ).delete()
        for item, reason in result.unreadable:
            _claim_seq(kit, item, Outcome.REJECTED, reason)
        seen = dict(
            SyncItem.objects.filter(
                node_id=kit.node_id, seq__in=[i.seq for i in checked]
            ).values_list("seq", "hash")
        )
        refs = _References(checked, kit.device.centre_id)
        lookups = KitLookups(kit, checked)
        actor = lookups.actor()
        refreshed = False
        todo = []
        for item in checked:
            if item.seq in seen:
                if seen[item.seq] == item.hash:
                    _done(result, item, Outcome.DUPLICATE)
                else:
                    # Held, not applied: what came first under this number stays.
                    reason = gettext_noop("this sequence number came before with other content")
                    model = synced_model(item.model)
                    current = model._base_manager.filter(pk=item.uuid).first()
                    conflict_hold(kit, item, reason, record_fields(current) if current else None)
                    _done(result, item, Outcome.CONFLICT, reason)
                continue
            if (synced_model(item.model), item.uuid) not in lookups.existing and _refs_ok(
                refs, item
            ):
                try:
                    _check_new(item, actor)
                    item.checked_new = True
                    # Its children later in the batch may point at it: one writer call per
                    # table stores parents first (the fast path), not one record at a time.
                    refs.add(synced_model(item.model), item.uuid)
                except kit_rules.KitRefused as refused:
                    # The owning app's rule refused it: kept out, with the reason shown.
                    _claim_seq(kit, item, Outcome.REJECTED, refused.reason)
                    _done(result, item, Outcome.REJECTED, refused.reason)
                    continue
            todo.append(item)
        if todo and FAST_PATH:
            todo, refs = _fast_path(kit, todo, refs, result, lookups, actor)
        # Children whose parent comes later in the same batch wait for it: passes until none
        # moves. A parent that never comes leaves the child refused, with the reason.
        while todo:
            deferred = []
            for item in todo:
                try:
                    with transaction.atomic():
                        outcome = _receive_one(kit, item, refs, result, actor)
                        _claim_seq(kit, item, outcome, item.reason)
                except _ParentMissing as missing:
                    item.reason = f"parent missing: {missing}"
                    deferred.append(item)
                    continue
                except (InvalidRecord, kit_rules.KitRefused) as exc:
                    outcome, item.reason = Outcome.REJECTED, exc.reason
                except (IntegrityError, DatabaseError, DomainError) as exc:
                    outcome = Outcome.REJECTED
                    item.reason = f"refused by the database: {str(exc).splitlines()[0]}"[:200]
                if outcome == Outcome.REJECTED:
                    _claim_seq(kit, item, outcome, item.reason)
                _done(result, item, outcome, item.reason)
            if len(deferred) == len(todo) and not refreshed:
                # A parent may have been committed meanwhile by another request: look again.
                refs = _References(deferred, kit.device.centre_id)
                refreshed = True
            elif len(deferred) == len(todo):
                for item in deferred:
                    _claim_seq(kit, item, Outcome.REJECTED, item.reason)
                    _done(result, item, Outcome.REJECTED, item.reason)
                break
            else:
                refreshed = False
            todo = deferred
        FieldKit.objects.filter(pk=kit.pk).update(
            last_push_at=clock.now(), pending_reported=max(0, min(int(pending), 10**9))
        )
    result.results.sort(key=lambda r: r["n"])
    seqs = [r["seq"] for r in result.results if isinstance(r.get("seq"), int)]
    result.acked_seq = max(seqs, default=0)
    for payment_id in result.verify:
        _verify_code(kit, payment_id)
    return result


def _uuid_or_nil(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


def _done(result: BatchResult, item: PushedRecord, outcome: str, reason: str = "") -> None:
    entry = {"n": item.n, "seq": item.seq, "id": item.id, "outcome": str(outcome)}
    if reason:
        entry["reason"] = reason
    result.results.append(entry)
    result.counts[str(outcome)] = result.counts.get(str(outcome), 0) + 1


def _verify_code(kit: FieldKit, payment_id, now=None) -> None:
    """Ask M-Pesa about a code recorded offline, after the batch is stored (no transaction is
    held open over the network)."""
    now = now or clock.now()
    payment = Payment.objects.select_related("invoice").get(pk=payment_id)
    check = payments.payment_mpesa_code_verify(payment=payment, now=now)
    MpesaCodeCheck.objects.update_or_create(
        payment=payment,
        defaults={
            "kit": kit,
            "code": payment.provider_receipt,
            "outcome": check.outcome,
            "detail": check.detail[:200],
            "checked_at": now,
        },
    )


# How many held codes one re-check run asks about (it runs every ten minutes).
RECHECK_BATCH = 500


def mpesa_codes_recheck(*, now=None) -> int:
    """Ask again about the codes M-Pesa had not confirmed (or could not be asked about) when
    their kit synced, until CODE_CONFIRMATION_WAIT after they were recorded: a confirmation
    that arrives late verifies its code; one last check after the wait flags it for good.
    Returns how many were asked about."""
    now = now or clock.now()
    due = (
        MpesaCodeCheck.objects.filter(
            outcome__in=[MpesaCodeCheck.Outcome.NOT_FOUND, MpesaCodeCheck.Outcome.UNAVAILABLE],
            payment__status=Payment.Status.HELD,
            # Not yet checked after the wait ended: the last check is still to come.
            checked_at__lt=F("payment__started_at") + payments.CODE_CONFIRMATION_WAIT,
        )
        .select_related("kit")
        .order_by("checked_at")[:RECHECK_BATCH]
    )
    checks = list(due)
    for check in checks:
        _verify_code(check.kit, check.payment_id, now=now)
    return len(checks)

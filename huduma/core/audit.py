"""The audit chain: record changes and sign-ins, and verify nobody edited the past.

Each entry's hash covers its content and the previous entry's hash, so editing, deleting or
re-ordering any row breaks the chain from that row on, which `verify_chain` reports.
"""

import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from huduma.core import clock
from huduma.core.locks import lock_names
from huduma.core.models import AuditEntry

GENESIS = "0" * 64
AUDIT_CHAIN_LOCK = "core.audit-chain"

_current_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def snapshot(instance) -> dict:
    """A JSON-able picture of a model instance's own fields (and many-to-many ids)."""
    data = model_to_dict(instance)
    for field in instance._meta.concrete_fields:
        if field.name not in data:
            data[field.name] = getattr(instance, field.attname)
    return _jsonable(data)


HASHED_FIELDS = (
    "at",
    "actor",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "prev",
)


def hash_of(fields: dict) -> str:
    """The hash of one entry from its fields as JSON values (`at` as its ISO text, `actor` the
    user's id, `prev` the previous entry's hash): what `_entry_hash` computes for a row, and
    what the server checks an entry reported by another installation (a field kit) against."""
    payload = json.dumps(
        {name: fields.get(name) for name in HASHED_FIELDS}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def entry_fields(entry: AuditEntry) -> dict:
    """An entry's hashed fields as JSON values (see hash_of)."""
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "prev": entry.prev_hash,
    }


def _entry_hash(entry: AuditEntry) -> str:
    return hash_of(entry_fields(entry))


def current_actor():
    return _current_actor.get()


def set_actor(user):
    """Make `user` the actor of audit entries written in this context; returns a reset token."""
    return _current_actor.set(user if user is not None and user.is_authenticated else None)


def reset_actor(token) -> None:
    _current_actor.reset(token)


def _actor_and_label(actor, actor_label: str | None):
    actor = actor if actor is not None else current_actor()
    if actor_label is None:
        actor_label = actor.get_username() if actor is not None else "system"
    return actor, actor_label[:150]


def _chain_end() -> str:
    """Under the chain's lock (one append at a time: each entry hashes the last), its last hash."""
    lock_names(AUDIT_CHAIN_LOCK)
    return AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


def _linked(prev: str, **fields) -> AuditEntry:
    """A new entry after `prev`, hashed (not saved)."""
    entry = AuditEntry(at=clock.now(), prev_hash=prev, **fields)
    entry.hash = _entry_hash(entry)
    return entry


def record(
    *,
    action: str,
    instance=None,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction. `actor_label` names an
    actor with no account here (a field kit's officer, as the kit reported them)."""
    actor, actor_label = _actor_and_label(actor, actor_label)
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
    with transaction.atomic():
        entry = _linked(
            _chain_end(),
            actor=actor,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
        )
        entry.save()
    return entry


def record_created(instances: list, *, actor=None) -> int:
    """One "<model>.create" entry per instance just made in bulk (bulk_create sends no signals),
    appended in order under one lock and one read of the chain's end: what `audit_model_changes`
    would have recorded row by row, in a few statements. Inside the caller's transaction."""
    if not instances:
        return 0
    actor, label = _actor_and_label(actor, None)
    with transaction.atomic():
        prev = _chain_end()
        entries = []
        for instance in instances:
            entry = _linked(
                prev,
                actor=actor,
                actor_label=label,
                action=f"{instance._meta.label_lower}.create",
                object_type=instance._meta.label_lower,
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                before=None,
                after=_tracked(snapshot(instance)),
            )
            prev = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries)
    return len(entries)


@dataclass
class ChainReport:
    checked: int
    first_bad_id: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain() -> ChainReport:
    """Walk the whole chain in order; report the first entry whose hash or link is wrong."""
    prev = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.id, "link to the previous entry is broken")
        if _entry_hash(entry) != entry.hash:
            return ChainReport(checked, entry.id, "content does not match its hash")
        prev = entry.hash
        checked += 1
    return ChainReport(checked, None)


@dataclass(frozen=True)
class ChainVerdict:
    """What a chain verifier found: `summary` is the one line printed (or the error raised),
    `problems` the findings printed before it."""

    ok: bool
    summary: str
    problems: tuple[str, ...] = ()


# The verifier `verify_audit_chain` uses instead of verify_chain() alone: registered by the
# ledger app (which checks the chains against signed checkpoints). Core imports no ledger.
# Called as verifier(chain="audit"|"ledger", checkpoint_files=[...], keys_file=None|path).
_chain_verifier = None


def register_chain_verifier(verifier) -> None:
    global _chain_verifier
    _chain_verifier = verifier


def chain_verifier():
    return _chain_verifier


class AuditActorMiddleware:
    """Makes the signed-in user the actor of any audit entry written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)


_IGNORED_FIELDS = {"updated_at", "search_text", "boundary"}


def _tracked(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in _IGNORED_FIELDS}


def _before_save(sender, instance, raw=False, **kwargs):
    instance._audit_before = None
    if instance.pk is not None and not raw:
        old = sender._default_manager.filter(pk=instance.pk).first()
        instance._audit_before = _tracked(snapshot(old)) if old is not None else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    after = _tracked(snapshot(instance))
    if before == after:
        return  # re-loading unchanged reference data is not a change
    action = "create" if created or before is None else "update"
    record(
        action=f"{instance._meta.label_lower}.{action}",
        instance=instance,
        before=before,
        after=after,
    )


def _after_delete(sender, instance, **kwargs):
    record(
        action=f"{instance._meta.label_lower}.delete",
        instance=instance,
        before=_tracked(snapshot(instance)),
    )


def audit_model_changes(*models) -> None:
    """Record every create, update and delete of these models, whichever face made it.

    Signals, not explicit calls, because catalogue and reference data change through the admin,
    the loader, imports and the shell alike, and the audit must miss none of them.
    """
    from django.db.models.signals import post_delete, post_save, pre_save

    for model in models:
        uid = f"audit-{model._meta.label_lower}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + "-del")

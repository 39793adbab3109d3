"""A field kit's audit entries (sign-ins, failed sign-ins, changes audited on the kit) reach
the server's chain.

A kit's chain is its own (integer ids, its own hashes), so its entries cannot travel as synced
records. The kit reports them in order; the server appends each to its own chain through
`core.audit.record` as "kit.<action>", naming the kit and the officer as the kit reported them,
and keeps with it the kit's time, entry id, hash and link (`after.on_kit`). Nothing a kit says
is taken as proof: the officer is linked to their account only if the kit carries them; the
entry is marked unverified when its hash does not match its content or it does not link to
the kit's previous entry (a kit restored from an old copy, entries removed on the kit), and a
break in the kit's chain is itself recorded. Received once per kit and entry hash (a unique
constraint), so a batch sent twice, or twice at once, appends once.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.core import audit, clock
from huduma.core.errors import DomainError
from huduma.outreach.sync_models import FieldKit, KitAuditReceipt

MAX_ENTRIES = 500
# The prefix of what a kit reports: never one of the server's own actions.
KIT_ACTION = "kit."
CHAIN_BREAK = "kit.audit_chain_break"


@dataclass(frozen=True)
class KitAuditEntry:
    """One entry as the kit holds it (its hashed fields, core.audit.hash_of)."""

    id: int
    at: str
    actor: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None
    prev_hash: str
    hash: str

    def hashed_fields(self) -> dict:
        return {
            "at": self.at,
            "actor": self.actor,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "prev": self.prev_hash,
        }


@dataclass
class AuditAnswer:
    acked_id: int = 0
    stored: int = 0
    duplicate: int = 0
    unverified: int = 0
    breaks: int = 0
    ids: list[int] = field(default_factory=list)


def _at_checked(entry: KitAuditEntry) -> None:
    try:
        at = dt.datetime.fromisoformat(entry.at)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise DomainError(_("An audit entry's time is an ISO 8601 time with its zone."), field="at")


def kit_audit_receive(*, kit: FieldKit, entries: list[KitAuditEntry]) -> AuditAnswer:
    """Append the kit's entries (in the kit's order) to the server's chain, each once."""
    if len(entries) > MAX_ENTRIES:
        raise DomainError(_("At most %(n)d entries at a time.") % {"n": MAX_ENTRIES}, "entries")
    for entry in entries:
        _at_checked(entry)
    answer = AuditAnswer()
    entries = sorted(entries, key=lambda e: e.id)
    with transaction.atomic():
        # One report of this kit at a time: each entry's link is checked against the last.
        kit = FieldKit.objects.select_related("device").select_for_update().get(pk=kit.pk)
        # The officer the kit names is linked to their account only if the kit carries them.
        officers = {officer.pk: officer for officer in kit.officers.all()}
        last = kit.audit_receipts.order_by("-pk").values_list("kit_hash", flat=True).first()
        held = set(
            kit.audit_receipts.filter(kit_hash__in=[e.hash for e in entries]).values_list(
                "kit_hash", flat=True
            )
        )
        now = clock.now()
        for entry in entries:
            answer.acked_id = max(answer.acked_id, entry.id)
            if entry.hash in held:
                answer.duplicate += 1
                last = entry.hash
                continue
            linked = last is None or entry.prev_hash == last
            if not linked:
                answer.breaks += 1
                audit.record(
                    action=CHAIN_BREAK,
                    object_type="outreach.fieldkit",
                    object_id=kit.node_id,
                    object_repr=kit.device.name,
                    actor_label=_kit_label(kit, "system"),
                    after={"kit_entry": entry.id, "expected_prev": last, "prev": entry.prev_hash},
                )
            hash_ok = audit.hash_of(entry.hashed_fields()) == entry.hash
            verified = hash_ok and linked
            answer.unverified += not verified
            server_entry = audit.record(
                action=(KIT_ACTION + entry.action)[:64],
                actor=officers.get(entry.actor),
                actor_label=_kit_label(kit, entry.actor_label),
                object_type=entry.object_type,
                object_id=entry.object_id,
                object_repr=entry.object_repr,
                before=entry.before,
                after={
                    "after": entry.after,
                    "on_kit": {
                        "kit": kit.node_id,
                        "entry": entry.id,
                        "at": entry.at,
                        "hash": entry.hash,
                        "prev": entry.prev_hash,
                        "hash_matches": hash_ok,
                        "linked": linked,
                    },
                },
            )
            # The unique constraint (kit, hash) keeps one receipt per entry even if the lock
            # above were gone: the second insert fails and its transaction appends nothing.
            KitAuditReceipt.objects.create(
                kit=kit,
                kit_entry_id=entry.id,
                kit_hash=entry.hash,
                kit_prev_hash=entry.prev_hash,
                verified=verified,
                audit_entry=server_entry,
                received_at=now,
            )
            held.add(entry.hash)
            answer.stored += 1
            answer.ids.append(entry.id)
            last = entry.hash
    return answer


def _kit_label(kit: FieldKit, label: str) -> str:
    return f"{label} @ {kit.device.name}"[:150]

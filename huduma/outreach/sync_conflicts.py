"""Conflicts a field kit's push can raise: held for a person, never applied, until the centre
keeps the server's version or takes the kit's."""

import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.complaints.models import MONITOR_CATEGORIES
from huduma.core import audit, clock, kit_rules
from huduma.core.errors import Conflict, DomainError
from huduma.outreach.kit_actor import KitLookups
from huduma.outreach.records import (
    InvalidRecord,
    PushedRecord,
    python_values,
    synced_model,
)
from huduma.outreach.sync_models import (
    FieldKit,
    SyncConflict,
)

# Synced records with no centre of their own belong to their parent's.
_CENTRE_VIA = {
    "Payment": "invoice",
    "ApplicationEvent": "application",
    "ComplaintEvent": "complaint",
    "CounterSession": "counter",
}


def record_centre_id(record) -> int | None:
    parent = _CENTRE_VIA.get(type(record).__name__)
    if parent is not None:
        record = getattr(record, parent)
    return getattr(record, "centre_id", None)


def conflict_hold(
    kit: FieldKit, item: PushedRecord, reason: str, server_fields: dict | None
) -> None:
    SyncConflict.objects.get_or_create(
        kit=kit,
        seq=item.seq,
        defaults={
            "model": item.model,
            "record_id": item.uuid,
            "reason": reason,
            "kit_fields": item.fields,
            "server_fields": json.loads(json.dumps(server_fields, default=str)),
            "created_at": clock.now(),
        },
    )


# Never overwritten from a kit, whatever a manager clicks: money (the ledger holds what was
# posted) and complaints about corruption or naming staff (their reporters are protected).
MONEY = ("payments.Invoice", "payments.Payment")


def take_kit_refusal(conflict: SyncConflict, record=None) -> str | None:
    """Why the kit's version of this conflict cannot be taken, or None when it can: only a
    record the kit made, only changes the owning app allows a kit (core.kit_rules), never
    money nor a complaint about corruption or staff."""
    model = synced_model(conflict.model)
    if model is None:
        return _("This kind of record is not synced.")
    if record is None:
        record = model._base_manager.filter(pk=conflict.record_id).first()
    if record is None:
        return _("The server holds no such record.")
    kit = conflict.kit
    if record_centre_id(record) not in (None, kit.device.centre_id):
        return _("The record is another centre's.")
    if conflict.model in MONEY:
        return _("Money records are never overwritten from a kit.")
    if conflict.model == "complaints.Complaint" and (
        record.category in MONITOR_CATEGORIES or record.names_staff
    ):
        return _("A complaint about corruption or staff is never overwritten from a kit.")
    lookups = KitLookups(kit, [])
    if not lookups.made(model, record.pk):
        return _("The kit did not make this record: only the server changes it.")
    try:
        values = python_values(model, conflict.kit_fields)
        kit_rules.check(kit_rules.KitWrite(conflict.model, values, record, lookups.actor()))
    except InvalidRecord as exc:
        return exc.reason
    except kit_rules.KitRefused as exc:
        return exc.reason
    return None


@dataclass(frozen=True)
class FieldRow:
    name: str
    server: object
    kit: object
    differs: bool


def conflict_fields(conflict: SyncConflict) -> list[FieldRow]:
    """Each field with the server's value and the kit's, those that differ first."""
    server = conflict.server_fields or {}
    kit = conflict.kit_fields or {}
    rows = [
        FieldRow(name, server.get(name), kit.get(name), server.get(name) != kit.get(name))
        for name in sorted(set(server) | set(kit))
        if name not in ("node_id", "node_seq")
    ]
    return sorted(rows, key=lambda row: not row.differs)


@transaction.atomic
def conflict_resolve(*, conflict: SyncConflict, choice: str, actor) -> SyncConflict:
    """Keep the server's record, or take the kit's content instead."""
    conflict = SyncConflict.objects.select_for_update().select_related("kit").get(pk=conflict.pk)
    if conflict.status != SyncConflict.Status.OPEN:
        raise Conflict(_("This conflict is already resolved."), field="conflict")
    if choice == "take_kit":
        model = synced_model(conflict.model)
        record = model._base_manager.select_for_update().filter(pk=conflict.record_id).first()
        refusal = take_kit_refusal(conflict, record)
        if refusal is not None:
            raise Conflict(
                _("The kit's version cannot be applied: %(reason)s") % {"reason": refusal},
                field="choice",
            )
        try:
            values = python_values(model, conflict.kit_fields)
            lookups = KitLookups(conflict.kit, [])
            write = kit_rules.KitWrite(
                conflict.model, values, record, lookups.actor(), conflict.record_id
            )
            with transaction.atomic():
                kit_rules.change(write)  # the owning app's writer
        except (InvalidRecord, IntegrityError, kit_rules.KitRefused) as exc:
            raise Conflict(
                _("The kit's version cannot be applied: %(reason)s") % {"reason": str(exc)[:100]},
                field="choice",
            ) from None
        conflict.status = SyncConflict.Status.TOOK_KIT
    elif choice == "keep_server":
        conflict.status = SyncConflict.Status.KEPT_SERVER
    else:
        raise DomainError(_("Keep the server's version or take the kit's."), field="choice")
    conflict.resolved_at = clock.now()
    conflict.resolved_by = actor
    conflict.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit.record(
        action=f"outreach.conflict_{conflict.status}",
        actor=actor,
        object_type=conflict.model.lower(),
        object_id=str(conflict.record_id),
        object_repr=f"{conflict.model} {conflict.record_id}",
    )
    return conflict

"""Conflicts a field kit's push can raise: held for a person, never applied, until the centre
keeps the server's version or takes the kit's."""

import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.core import audit, clock
from huduma.core.errors import Conflict, DomainError
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


@transaction.atomic
def conflict_resolve(*, conflict: SyncConflict, choice: str, actor) -> SyncConflict:
    """Keep the server's record, or take the kit's content instead."""
    conflict = SyncConflict.objects.select_for_update().select_related("kit").get(pk=conflict.pk)
    if conflict.status != SyncConflict.Status.OPEN:
        raise Conflict(_("This conflict is already resolved."), field="conflict")
    if choice == "take_kit":
        model = synced_model(conflict.model)
        record = model._base_manager.filter(pk=conflict.record_id).first()
        if record is not None and record_centre_id(record) not in (
            None,
            conflict.kit.device.centre_id,
        ):
            raise Conflict(
                _("The kit's version cannot be applied: the record is another centre's."),
                field="choice",
            )
        try:
            values = python_values(model, conflict.kit_fields)
            with transaction.atomic():
                model._base_manager.filter(pk=conflict.record_id).update(**values)
        except (InvalidRecord, IntegrityError) as exc:
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

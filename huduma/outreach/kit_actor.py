"""The field kit as an actor with its own limits (core.kit_rules.KitActor), built for one batch
or one conflict: its centre, node, letter and active officers, and the lookups its rules ask."""

from huduma.core import kit_rules
from huduma.outreach.records import PushedRecord, synced_model
from huduma.outreach.sync_models import FieldKit, SyncItem

Outcome = SyncItem.Outcome


class KitLookups:
    """What a batch's rules ask about the records it points at: one record's values (from this
    batch, or the server's), and whether this kit made it (a record of this batch whose id the
    server does not hold yet, or a stored record carrying the kit's node id or first stored
    from it)."""

    def __init__(self, kit: FieldKit, items: list[PushedRecord]):
        self.kit = kit
        by_model: dict = {}
        for item in items:
            by_model.setdefault(synced_model(item.model), set()).add(item.uuid)
        self.existing = set()
        for model, ids in by_model.items():
            held = model._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
            self.existing |= {(model, pk) for pk in held}
        self.pending = {}
        for item in items:
            key = (synced_model(item.model), item.uuid)
            if key not in self.existing:
                self.pending.setdefault(key, item.values)
        self._rows: dict = {}

    def row(self, model, pk) -> dict | None:
        key = (model, pk)
        if key in self.pending:
            return self.pending[key]
        if key not in self._rows:
            self._rows[key] = model._base_manager.filter(pk=pk).values().first()
        return self._rows[key]

    def made(self, model, pk) -> bool:
        if pk is None:
            return False
        if (model, pk) in self.pending:
            return True
        if any(f.name == "node_id" for f in model._meta.concrete_fields):
            return model._base_manager.filter(pk=pk, node_id=self.kit.node_id).exists()
        return SyncItem.objects.filter(
            node_id=self.kit.node_id, record_id=pk, outcome=Outcome.STORED
        ).exists()

    def actor(self) -> kit_rules.KitActor:
        kit = self.kit
        officers = kit.officers.filter(is_active=True, centre_id=kit.device.centre_id)
        return kit_rules.KitActor(
            node_id=kit.node_id,
            centre_id=kit.device.centre_id,
            officer_ids=frozenset(officers.values_list("pk", flat=True)),
            ticket_prefix=kit.ticket_prefix,
            row=self.row,
            made=self.made,
        )

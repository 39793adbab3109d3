"""The field kit as an actor with its own limits (core.kit_rules.KitActor), built for one batch
or one conflict: its centre, node, letter and active officers, and the lookups its rules ask."""

import functools

from django.apps import apps

from huduma.core import kit_rules
from huduma.outreach.records import (
    SYNCED_MODELS,
    PushedRecord,
    data_fields,
    label_of,
    synced_model,
)
from huduma.outreach.sync_models import FieldKit, SyncItem

Outcome = SyncItem.Outcome


# Read ahead for a batch besides the synced records: the services whose official fees the
# payments and applications rules compare.
@functools.cache
def _prefetched() -> frozenset:
    return frozenset({apps.get_model("catalogue.Service")})


@functools.cache
def _has_node(model) -> bool:
    return any(f.name == "node_id" for f in model._meta.concrete_fields)


class KitLookups:
    """What a batch's rules ask about the records it points at: one record's values (from this
    batch, or the server's), and whether this kit made it (a record of this batch whose id the
    server does not hold yet, or a stored record carrying the kit's node id or first stored
    from it). Asked once per batch: the records the batch points at (and the catalogue services
    whose fees the rules compare) are read with one query per table, not one per record."""

    def __init__(self, kit: FieldKit, items: list[PushedRecord]):
        self.kit = kit
        by_model: dict = {}
        for item in items:
            by_model.setdefault(synced_model(item.model), set()).add(item.uuid)
        self.existing = set()
        self._made: set = set()
        for model, ids in by_model.items():
            if _has_node(model):
                held = model._base_manager.filter(pk__in=ids).values_list("pk", "node_id")
                for pk, node_id in held:
                    self.existing.add((model, pk))
                    if node_id == kit.node_id:
                        self._made.add((model, pk))
            else:
                held = model._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
                self.existing |= {(model, pk) for pk in held}
        self.pending = {}
        for item in items:
            key = (synced_model(item.model), item.uuid)
            if key not in self.existing:
                self.pending.setdefault(key, item.values)
        self._rows: dict = {}
        self._asked: set = set()  # (model, pk) whose `made` the server has been asked
        self._prefetch(items)

    def _prefetch(self, items: list[PushedRecord]) -> None:
        wanted: dict = {}
        for item in items:
            for f in data_fields(synced_model(item.model)):
                value = item.values.get(f.attname) if f.is_relation else None
                if value is None or (f.related_model, value) in self.pending:
                    continue
                if f.related_model in _prefetched() or label_of(f.related_model) in SYNCED_MODELS:
                    wanted.setdefault(f.related_model, set()).add(value)
        no_node = []
        for model, ids in wanted.items():
            pk_name = model._meta.pk.attname
            for row in model._base_manager.filter(pk__in=ids).values():
                self._rows[(model, row[pk_name])] = row
            self._rows.update({(model, pk): None for pk in ids if (model, pk) not in self._rows})
            if label_of(model) not in SYNCED_MODELS:
                continue
            self._asked |= {(model, pk) for pk in ids}
            if _has_node(model):
                self._made |= {
                    (model, pk)
                    for pk in ids
                    if (self._rows[(model, pk)] or {}).get("node_id") == self.kit.node_id
                }
            else:
                no_node.extend((model, pk) for pk in ids)
        self._asked |= self.existing
        existing_no_node = [(m, pk) for m, pk in self.existing if not _has_node(m)]
        ask = no_node + existing_no_node
        if ask:
            stored = set(
                SyncItem.objects.filter(
                    node_id=self.kit.node_id,
                    record_id__in={pk for _m, pk in ask},
                    outcome=Outcome.STORED,
                ).values_list("record_id", flat=True)
            )
            self._made |= {(m, pk) for m, pk in ask if pk in stored}

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
        key = (model, pk)
        if key in self.pending or key in self._made:
            return True
        if key in self._asked:
            return False
        if _has_node(model):
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

"""Per-node sequence numbers for records that may be born offline."""

from django.db import transaction
from django.db.models import F

from huduma.core.ids import current_node_id
from huduma.core.models import NodeSequence


def next_node_seq(node_id: str | None = None) -> int:
    node_id = node_id or current_node_id()
    with transaction.atomic():
        updated = NodeSequence.objects.filter(node_id=node_id).update(value=F("value") + 1)
        if not updated:
            NodeSequence.objects.get_or_create(node_id=node_id)
            NodeSequence.objects.filter(node_id=node_id).update(value=F("value") + 1)
        return NodeSequence.objects.values_list("value", flat=True).get(node_id=node_id)

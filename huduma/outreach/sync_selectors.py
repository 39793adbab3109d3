"""What the centre sees of its field kits: one row per kit, its conflicts and flagged codes."""

from dataclasses import dataclass

from django.db.models import Count, Q

from huduma.outreach import sync
from huduma.outreach.sync_models import FieldKit, MpesaCodeCheck, SyncConflict
from huduma.places.models import Centre


@dataclass(frozen=True)
class KitRow:
    kit: FieldKit
    received: int
    highest_seq: int
    gaps: list
    open_conflicts: int
    refused_pushes: int
    last_refused_at: object
    flagged_codes: int


def field_kits_for_centre(centre: Centre) -> list[KitRow]:
    kits = (
        FieldKit.objects.filter(device__centre=centre)
        .select_related("device", "outreach__sub_county")
        .annotate(
            open_conflicts=Count(
                "conflicts", filter=Q(conflicts__status=SyncConflict.Status.OPEN), distinct=True
            ),
            refused=Count("refused_pushes", distinct=True),
            flagged=Count(
                "code_checks",
                filter=~Q(code_checks__outcome=MpesaCodeCheck.Outcome.MATCHED),
                distinct=True,
            ),
        )
        .order_by("-device__created_at")
    )
    rows = []
    for kit in kits:
        received, highest = sync.kit_received(kit.node_id)
        last_refused = kit.refused_pushes.values_list("at", flat=True).first()
        rows.append(
            KitRow(
                kit=kit,
                received=received,
                highest_seq=highest,
                gaps=sync.kit_gaps(kit.node_id, limit=10),
                open_conflicts=kit.open_conflicts,
                refused_pushes=kit.refused,
                last_refused_at=last_refused,
                flagged_codes=kit.flagged,
            )
        )
    return rows


def open_conflicts(centre: Centre):
    return (
        SyncConflict.objects.filter(kit__device__centre=centre, status=SyncConflict.Status.OPEN)
        .select_related("kit__device")
        .order_by("created_at")[:100]
    )


def flagged_codes(centre: Centre):
    return (
        MpesaCodeCheck.objects.filter(kit__device__centre=centre)
        .exclude(outcome=MpesaCodeCheck.Outcome.MATCHED)
        .select_related("kit__device", "payment")
        .order_by("-checked_at")[:100]
    )

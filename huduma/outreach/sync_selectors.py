"""What the centre sees of its field kits: one row per kit, its conflicts and flagged codes."""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Max, Q

from huduma.core import clock
from huduma.core.models import AuditEntry
from huduma.outreach.sync_models import (
    FieldKit,
    KitAuditReceipt,
    MpesaCodeCheck,
    SyncConflict,
    SyncItem,
)
from huduma.places.models import Centre
from huduma.queues.models import Visit

MAX_GAPS_SHOWN = 50


def kit_gaps(node_id: str, limit: int = MAX_GAPS_SHOWN) -> list[tuple[int, int]]:
    """Runs of sequence numbers below the highest received that never arrived."""
    gaps = []
    expected = 1
    for seq in (
        SyncItem.objects.filter(node_id=node_id)
        .order_by("seq")
        .values_list("seq", flat=True)
        .iterator(chunk_size=5000)
    ):
        if seq > expected:
            gaps.append((expected, seq - 1))
            if len(gaps) >= limit:
                break
        expected = seq + 1
    return gaps


def kit_received(node_id: str) -> tuple[int, int]:
    """(how many changes received, the highest sequence number received)."""
    row = SyncItem.objects.filter(node_id=node_id).aggregate(n=Count("pk"), top=Max("seq"))
    return row["n"], row["top"] or 0


# How much of its log a kit is told at once (about 45 bytes each): a kit restored from a copy
# older than that re-bases in several rounds.
MAX_LOG_SHOWN = 5000


def kit_log(node_id: str, *, after: int, limit: int = MAX_LOG_SHOWN) -> list[list]:
    """[sequence number, record id (hex)] of each change of the kit received above `after`."""
    rows = (
        SyncItem.objects.filter(node_id=node_id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "record_id")[:limit]
    )
    return [[seq, record_id.hex] for seq, record_id in rows]


def kit_last_numbers(kit: FieldKit, days_back: int = 7) -> dict[str, int]:
    """The highest ticket number the server holds under the kit's letter at its centre, per
    day from `days_back` days ago."""
    since = clock.local_date() - dt.timedelta(days=days_back)
    rows = (
        Visit.objects.filter(
            centre_id=kit.device.centre_id, prefix=kit.ticket_prefix, service_day__gte=since
        )
        .values("service_day")
        .annotate(last=Max("sequence"))
        .values_list("service_day", "last")
    )
    return {day.isoformat(): last for day, last in rows}


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
    # Records the server refused (their reasons are listed below the kits): a kit with
    # refusals is not "fine".
    refused_records: int = 0
    # The kit's audit entries received (sync_audit), and those whose hash or link did not check.
    audit_received: int = 0
    audit_unverified: int = 0


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
    kits = list(kits)
    audit = {
        kit_id: (n, bad)
        for kit_id, n, bad in KitAuditReceipt.objects.filter(kit__in=kits)
        .values("kit")
        .annotate(n=Count("pk"), bad=Count("pk", filter=Q(verified=False)))
        .values_list("kit", "n", "bad")
    }
    refused = dict(
        SyncItem.objects.filter(
            node_id__in=[k.node_id for k in kits], outcome=SyncItem.Outcome.REJECTED
        )
        .values("node_id")
        .annotate(n=Count("pk"))
        .values_list("node_id", "n")
    )
    rows = []
    for kit in kits:
        received, highest = kit_received(kit.node_id)
        last_refused = kit.refused_pushes.values_list("at", flat=True).first()
        rows.append(
            KitRow(
                kit=kit,
                received=received,
                highest_seq=highest,
                gaps=kit_gaps(kit.node_id, limit=10),
                open_conflicts=kit.open_conflicts,
                refused_pushes=kit.refused,
                last_refused_at=last_refused,
                flagged_codes=kit.flagged,
                refused_records=refused.get(kit.node_id, 0),
                audit_received=audit.get(kit.pk, (0, 0))[0],
                audit_unverified=audit.get(kit.pk, (0, 0))[1],
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


@dataclass(frozen=True)
class RefusedRecord:
    kit_name: str
    seq: int
    model: str
    record_id: object
    reason: str
    received_at: object


def refused_records(centre: Centre, limit: int = 100) -> list[RefusedRecord]:
    """The records the centre's kits pushed that the server refused, newest first, each with
    the reason (the owning app's rule, a bad field, a missing parent)."""
    names = dict(
        FieldKit.objects.filter(device__centre=centre).values_list("node_id", "device__name")
    )
    rows = (
        SyncItem.objects.filter(node_id__in=list(names), outcome=SyncItem.Outcome.REJECTED)
        .order_by("-received_at", "-seq")
        .values_list("node_id", "seq", "model", "record_id", "reason", "received_at")[:limit]
    )
    return [RefusedRecord(names[row[0]], *row[1:]) for row in rows]


@dataclass(frozen=True)
class Change:
    by: str
    at: object


# Where the server keeps who changed a synced record, and when: its events, by parent field.
_EVENTS = {
    "queues.Ticket": ("queues.TicketEvent", "ticket_id"),
    "queues.Visit": ("queues.TicketEvent", "ticket__visit_id"),
    "applications.Application": ("applications.ApplicationEvent", "application_id"),
    "complaints.Complaint": ("complaints.ComplaintEvent", "complaint_id"),
    "payments.Payment": ("payments.PaymentEvent", "payment_id"),
}


def server_change(conflict: SyncConflict) -> Change | None:
    """Who last changed the server's version of a conflict's record, and when: its latest
    event, else its latest audit entry."""
    source = _EVENTS.get(conflict.model)
    if source is not None:
        label, parent = source
        event = (
            apps.get_model(label)
            .objects.filter(**{parent: conflict.record_id})
            .select_related("actor")
            .order_by("-at")
            .first()
        )
        if event is not None:
            actor = event.actor.get_full_name() or event.actor.username if event.actor else ""
            return Change(by=actor or getattr(event, "actor_label", "") or "—", at=event.at)
    entry = AuditEntry.objects.filter(object_id=str(conflict.record_id)).order_by("-id").first()
    if entry is not None:
        return Change(by=entry.actor_label or "—", at=entry.at)
    return None

"""Reads shared by the complaint pages and the API."""

from django.db.models import Count, Q, QuerySet

from huduma.complaints.models import Complaint, ComplaintEvent, Status
from huduma.complaints.permissions import visible_complaints

# What the citizen's page shows of the history: the steps, never staff names or notes.
PUBLIC_KINDS = [k for k in ComplaintEvent.Kind.values if k != ComplaintEvent.Kind.SENT_AGAIN]


def public_events(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.filter(kind__in=PUBLIC_KINDS).only("kind", "at", "level")


def worklist(user, *, include_closed: bool = False) -> QuerySet[Complaint]:
    complaints = visible_complaints(user).select_related("centre", "mda", "assigned_to")
    if not include_closed:
        complaints = complaints.exclude(status=Status.CLOSED)
    return complaints.order_by("due_at", "created_at")[:500]


def complaints_for_phone(phone: str, *, limit: int = 20) -> list[Complaint]:
    """The complaints lodged from this phone number, newest first (the contact centre reads
    them during a call with that number; anonymous reports carry no phone, so never appear)."""
    if not phone:
        return []
    return list(
        Complaint.objects.filter(phone=phone, anonymous=False)
        .select_related("centre", "service")
        .order_by("-created_at")[:limit]
    )


def received_count(*, centre, since, until) -> int:
    """Complaints about the centre received in [since, until)."""
    return Complaint.objects.filter(
        centre=centre, created_at__gte=since, created_at__lt=until
    ).count()


def overdue_count(*, centre, now) -> int:
    """Open complaints of the centre past their due time (or flagged overdue at the top)."""
    return (
        Complaint.objects.filter(centre=centre)
        .exclude(status__in=[Status.RESOLVED, Status.CLOSED])
        .filter(Q(overdue_since__isnull=False) | Q(due_at__lt=now))
        .count()
    )


def upheld_counts(*, officer_ids: list[int], since, until) -> dict[int, int]:
    """Complaints about a ticket each officer served, resolved in [since, until): acted on
    with a resolution, not thrown out (the complaint app records no separate finding, so a
    resolution about the officer's own ticket is what counts as upheld; docs/performance.md)."""
    rows = Complaint.objects.filter(
        ticket__officer_id__in=officer_ids,
        status__in=[Status.RESOLVED, Status.CLOSED],
        resolved_at__gte=since,
        resolved_at__lt=until,
    )
    return dict(rows.values_list("ticket__officer_id").annotate(n=Count("id")).order_by())

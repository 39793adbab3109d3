"""Reads shared by the complaint pages and the API."""

from django.db.models import QuerySet

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

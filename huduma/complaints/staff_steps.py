"""What staff do with a complaint: classify it, take it, start, resolve (in the complainant's
language), escalate to the next level."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from huduma.complaints.ladder import _levels, _move_up, _next_level, due_at_level
from huduma.complaints.models import (
    ACTIONABLE,
    PUBLIC_NOTE_MAX_LENGTH,
    Category,
    Complaint,
    ComplaintEvent,
    Status,
)
from huduma.complaints.records import (
    WrongStep,
    _event,
    _expect,
    _locked,
    _require_holder,
    _save,
    _tell,
)
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.text import shorten, written_in


@transaction.atomic
def complaint_take(*, complaint: Complaint, actor) -> Complaint:
    """The holder of the level takes the complaint (assigned to them)."""
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, Status.ACKNOWLEDGED, Status.REOPENED)
    complaint.status = Status.ASSIGNED
    complaint.assigned_to = actor
    _save(complaint, "status", "assigned_to")
    _event(complaint, ComplaintEvent.Kind.ASSIGNED, actor=actor, note=actor.get_full_name())
    _tell(complaint, "complaint_assigned")
    return complaint


@transaction.atomic
def complaint_start(*, complaint: Complaint, actor) -> Complaint:
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, Status.ASSIGNED)
    complaint.status = Status.IN_PROGRESS
    _save(complaint, "status")
    _event(complaint, ComplaintEvent.Kind.IN_PROGRESS, actor=actor)
    _tell(complaint, "complaint_in_progress")
    return complaint


@transaction.atomic
def complaint_resolve(
    *,
    complaint: Complaint,
    actor,
    resolution: str,
    public_note: str = "",
    send_as_written: bool = False,
) -> Complaint:
    """Record what was done. The citizen then confirms (and rates) or reopens; without an
    answer the complaint closes by itself after COMPLAINT_AUTO_CLOSE_DAYS.

    `resolution` is for the complainant alone (their page and SMS: it may name staff and the
    citizen, so it is never published); `public_note` is what the public may read (Open311
    status_notes), written for that purpose, optional. The complainant reads it in their own
    language: a resolution plainly written in the other one is refused unless the officer
    chose to send it as written (`send_as_written`; the staff page asks, other callers say so)."""
    public_note = (public_note or "").strip()
    if len(public_note) > PUBLIC_NOTE_MAX_LENGTH or "\x00" in public_note:
        raise DomainError(
            _("Write the public note in %(max)s characters or fewer")
            % {"max": PUBLIC_NOTE_MAX_LENGTH},
            field="public_note",
        )
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_("Say what was done to resolve the complaint"), field="resolution")
    if len(resolution) > 1000 or "\x00" in resolution:
        raise DomainError(
            _("Write the resolution in 1,000 characters or fewer"), field="resolution"
        )
    if not send_as_written and written_in(resolution) not in (None, complaint.language):
        raise DomainError(
            _(
                "The complainant reads Kiswahili: write what was done in Kiswahili (it is sent "
                "to them by SMS), or tick 'Send it as written'"
            )
            if complaint.language == "sw"
            else _(
                "The complainant reads English: write what was done in English (it is sent "
                "to them by SMS), or tick 'Send it as written'"
            ),
            field="resolution",
        )
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, Status.ASSIGNED, Status.IN_PROGRESS)
    now = clock.now()
    complaint.status = Status.RESOLVED
    complaint.resolution = resolution
    complaint.public_note = public_note
    complaint.resolved_at = now
    complaint.due_at = now + dt.timedelta(days=settings.COMPLAINT_AUTO_CLOSE_DAYS)
    complaint.overdue_since = None
    _save(
        complaint, "status", "resolution", "public_note", "resolved_at", "due_at", "overdue_since"
    )
    _event(complaint, ComplaintEvent.Kind.RESOLVED, actor=actor, note=resolution, at=now)
    short = shorten(resolution, 70)  # cut between words, never mid-word
    _tell(complaint, "complaint_resolved", resolution=short)
    return complaint


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, actor, note: str = "") -> Complaint:
    """The holder passes on a matter they cannot address (the Centre Manager to the MDA, the
    MDA to the Secretariat)."""
    complaint = _locked(complaint)
    _require_holder(actor, complaint)
    _expect(complaint, *ACTIONABLE)
    level = _next_level(complaint, complaint.level)
    if level is None:
        raise WrongStep(_("There is no higher level for this complaint"), field="level")
    _move_up(complaint, level, start=clock.now())
    _save(complaint, "level", "status", "assigned_to", "due_at", "overdue_since")
    _event(complaint, ComplaintEvent.Kind.ESCALATED, actor=actor, note=note[:1000])
    _tell(complaint, "complaint_escalated")
    return complaint


@transaction.atomic
def complaint_classify(
    *,
    complaint: Complaint,
    category: str | None = None,
    centre=None,
    no_centre: bool = False,
    names_staff: bool | None = None,
) -> Complaint:
    """Give a complaint received without them (by SMS) its category, whether it names staff,
    or its centre, and route it again while nobody has taken it: a bribery report then reaches
    the monitors, one naming staff stays away from the centre."""
    complaint = _locked(complaint)
    notes = []
    if names_staff is not None:
        complaint.names_staff = names_staff
        if names_staff:
            notes.append(_("names a member of staff"))
    if category is not None:
        if category not in Category.values:
            raise DomainError(_("Choose what the complaint is about"), field="category")
        complaint.category = category
        notes.append(str(Category(category).label))
    if centre is not None:
        complaint.centre = centre
        notes.append(centre.name)
    elif no_centre:
        notes.append(_("not about one centre"))
    fields = ["category", "centre", "names_staff"]
    if complaint.status == Status.ACKNOWLEDGED:
        level = _levels(complaint)[0]
        if level != complaint.level:
            complaint.level = level
            complaint.due_at = due_at_level(level, clock.now())
            fields += ["level", "due_at"]
    _save(complaint, *fields)
    _event(complaint, ComplaintEvent.Kind.CLASSIFIED, note="; ".join(notes))
    return complaint

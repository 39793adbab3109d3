"""Who sees and who acts on which complaint. Every complaint page, endpoint and verb asks here.

- Monitors (EACC, Ombudsman) see corruption and maladministration complaints in full, and
  nothing else; they act on them.
- A Centre Manager sees their own centre's complaints, except protected ones: corruption and
  maladministration reports (named or anonymous), anonymous reports, and any report that names a
  member of the centre's staff, the manager included (the accused or their chain of command);
  they act on the ones at the centre level.
- MDA back-office officers see their MDA's unprotected complaints once escalated to the MDA.
- The Secretariat sees every complaint and acts on those at its level (protected complaints
  other than corruption start there).
- The Commission on Administrative Justice (a monitor whose institution is CAJ) is also the
  independent reviewer: it sees and acts on every complaint at the review level.
No role edits what the citizen wrote or deletes a complaint: there is no such verb.
"""

from django.db.models import Q, QuerySet

from huduma.accounts.models import CENTRE_ROLES, Role
from huduma.complaints.models import MONITOR_CATEGORIES, Complaint, Level


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role)


# The institution code of the independent reviewer (huduma/data/mdas.yaml).
REVIEWER_CODE = "CAJ"

# Kept from the centre's own management and MDA officers: they may be the people accused, or
# their chain of command. The same rule in Python is `is_protected`; tests check they agree.
PROTECTED = Q(category__in=MONITOR_CATEGORIES) | Q(names_staff=True) | Q(anonymous=True)


def is_protected(complaint: Complaint) -> bool:
    return complaint.category in MONITOR_CATEGORIES or complaint.names_staff or complaint.anonymous


def is_reviewer(user) -> bool:
    return bool(
        _staff(user)
        and user.role == Role.MONITOR
        and user.mda_id
        and user.mda.code == REVIEWER_CODE
    )


def visible_complaints(user) -> QuerySet[Complaint]:
    complaints = Complaint.objects.all()
    if not _staff(user):
        return complaints.none()
    if user.role == Role.SECRETARIAT:
        return complaints
    if user.role == Role.MONITOR:
        if is_reviewer(user):
            return complaints.filter(Q(category__in=MONITOR_CATEGORIES) | Q(level=Level.REVIEW))
        return complaints.filter(category__in=MONITOR_CATEGORIES)
    if user.role == Role.CENTRE_MANAGER and user.centre_id:
        return complaints.filter(centre_id=user.centre_id).exclude(PROTECTED)
    if user.role == Role.BACK_OFFICE and user.mda_id:
        return complaints.filter(
            mda_id=user.mda_id, level__in=[Level.MDA, Level.SECRETARIAT]
        ).exclude(PROTECTED)
    return complaints.filter(created_by=user)


def can_see(user, complaint: Complaint) -> bool:
    return visible_complaints(user).filter(pk=complaint.pk).exists()


def can_act(user, complaint: Complaint) -> bool:
    """Take, start, resolve or escalate: the holder of the complaint's current level."""
    if not can_see(user, complaint):
        return False
    holders = {
        Level.CENTRE: user.role == Role.CENTRE_MANAGER and user.centre_id == complaint.centre_id,
        Level.MDA: user.role == Role.BACK_OFFICE and user.mda_id == complaint.mda_id,
        Level.SECRETARIAT: user.role == Role.SECRETARIAT,
        Level.MONITOR: user.role == Role.MONITOR,
        Level.REVIEW: is_reviewer(user),
    }
    return holders.get(complaint.level, False)


def can_lodge_for_citizen(user) -> bool:
    """Staff entry: centre staff at their centre, the Secretariat's contact-centre and
    social-media team."""
    return _staff(user) and (user.role in CENTRE_ROLES or user.role == Role.SECRETARIAT)


def has_worklist(user) -> bool:
    return _staff(user) and user.role in (
        Role.CENTRE_MANAGER,
        Role.BACK_OFFICE,
        Role.SECRETARIAT,
        Role.MONITOR,
    )

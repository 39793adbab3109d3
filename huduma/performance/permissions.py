"""Who may read and do what in performance, derived from the roles in accounts.

- Daily report of a centre: its Centre Manager, and the national watchers (Secretariat,
  system administrators), as every centre page (accounts.permissions.require_centre_view).
- Standards compliance: the Secretariat (who also sets the targets), the Technical Committee
  (whose quarterly evaluation report it is), Centre Managers and the external monitors: figures
  per service, centre and MDA name no officer.
- Appraisals name one officer: that officer, the Centre Managers of the officer's centre and the
  Secretariat, nobody else (not a monitor, not the Technical Committee, not a colleague).
- Rewards and sanctions: proposed by a Centre Manager of the officer's centre or the Secretariat,
  approved by another of them (never the proposer).
- What Huduma saves citizens: public figures; only the Secretariat edits the method.
"""

from django.core.exceptions import PermissionDenied

from huduma.accounts.models import CENTRE_ROLES, Role
from huduma.accounts.permissions import has_role, require_centre_view, require_staff

STANDARDS_READERS = (
    Role.SECRETARIAT,
    Role.TECHNICAL_COMMITTEE,
    Role.CENTRE_MANAGER,
    Role.MONITOR,
)
EVALUATION_READERS = (Role.SECRETARIAT, Role.TECHNICAL_COMMITTEE)
# Whose work is appraised at a centre: everyone there but its managers (the Secretariat
# appraises those).
APPRAISED_ROLES = frozenset(CENTRE_ROLES)


def require_report(user, centre) -> None:
    require_centre_view(user, centre, Role.CENTRE_MANAGER)


def require_standards(user) -> None:
    require_staff(user, *STANDARDS_READERS)


def require_evaluation(user) -> None:
    require_staff(user, *EVALUATION_READERS)


def require_secretariat(user) -> None:
    require_staff(user, Role.SECRETARIAT)


def manages(user, officer) -> bool:
    """A Centre Manager of the officer's centre (not the officer), or the Secretariat."""
    if officer is None or user.pk == officer.pk:
        return False
    # Only centre staff are appraised here (an appraisal belongs to the officer's centre).
    if officer.role not in APPRAISED_ROLES or officer.centre_id is None:
        return False
    if has_role(user, Role.SECRETARIAT):
        return True
    return (
        has_role(user, Role.CENTRE_MANAGER)
        and officer.centre_id is not None
        and user.centre_id == officer.centre_id
        and officer.role != Role.CENTRE_MANAGER
    )


def may_see_appraisals(user, officer) -> bool:
    return (has_role(user, *APPRAISED_ROLES) and user.pk == officer.pk) or manages(user, officer)


def require_see_appraisals(user, officer) -> None:
    if not may_see_appraisals(user, officer):
        raise PermissionDenied("Not your appraisal")


def require_manages(user, officer) -> None:
    if not manages(user, officer):
        raise PermissionDenied("You do not manage this officer")

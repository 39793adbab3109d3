"""Who sees the national dashboard, and how much of it.

The Secretariat, the Technical Committee and the external monitors (read-only: nothing on these
pages changes anything) see every centre; a Centre Manager sees the dashboard of their own
centre only; every other role is refused. The open data (aggregates, no personal data) is for
everyone."""

from django.core.exceptions import PermissionDenied

from huduma.accounts.models import Role
from huduma.accounts.permissions import require_staff

NATIONAL_VIEWERS = (Role.SECRETARIAT, Role.TECHNICAL_COMMITTEE, Role.MONITOR)
CENTRE_VIEWERS = (Role.CENTRE_MANAGER,)


def dashboard_scope(user) -> int | None:
    """None: the whole nation; a centre id: that centre only. Refuses anyone else."""
    require_staff(user, *NATIONAL_VIEWERS, *CENTRE_VIEWERS)
    if user.role in NATIONAL_VIEWERS:
        return None
    if user.centre_id is None:
        raise PermissionDenied("A Centre Manager without a centre sees no figures")
    return user.centre_id

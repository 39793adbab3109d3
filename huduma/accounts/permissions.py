"""Every role and centre-scope check lives here; every staff view and endpoint calls it."""

from django.core.exceptions import PermissionDenied

from huduma.accounts.models import CENTRE_ROLES, Role


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role)


def has_role(user, *roles: str) -> bool:
    return is_staff_member(user) and user.role in roles


def is_national(user) -> bool:
    return has_role(user, Role.SECRETARIAT, Role.SYSADMIN)


def can_view_centre(user, centre) -> bool:
    """Secretariat and system admins see every centre; centre staff only their own."""
    if is_national(user):
        return True
    return has_role(user, *CENTRE_ROLES) and user.centre_id == centre.pk


def require_staff(user, *roles: str) -> None:
    if not is_staff_member(user):
        raise PermissionDenied("Staff only")
    if roles and user.role not in roles and not is_national(user):
        raise PermissionDenied("Your role cannot do this")


def require_centre(user, centre, *roles: str) -> None:
    """Refuse unless the user works at `centre` (or is national) and has one of `roles`."""
    require_staff(user, *roles)
    if not can_view_centre(user, centre):
        raise PermissionDenied("This is another centre")

"""Every role and centre-scope check lives here; every staff view and endpoint calls it.

Least privilege: a role passes only the checks that name it. National roles do not pass every
check: the Secretariat and system administrators watch every centre (the read-only pages call
`require_centre_view`) but operate a centre's queue (`require_centre`) only with that role.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from huduma.accounts.models import (
    CENTRE_ROLES,
    CENTRE_WATCHER_ROLES,
    DEVICE_FACTOR_ROLES,
    NATIONAL_ROLES,
    TWO_FACTOR_ROLES,
)
from huduma.core.permissions import is_staff_member  # the one test, kept in core for catalogue


def has_role(user, *roles: str) -> bool:
    return is_staff_member(user) and user.role in roles


def is_national(user) -> bool:
    """Works for no single centre: Secretariat, system administrators, external monitors."""
    return has_role(user, *NATIONAL_ROLES)


def watches_every_centre(user) -> bool:
    return has_role(user, *CENTRE_WATCHER_ROLES)


def works_at(user, centre) -> bool:
    return has_role(user, *CENTRE_ROLES) and user.centre_id == centre.pk


def can_view_centre(user, centre) -> bool:
    """Secretariat and system admins see every centre; centre staff only their own."""
    return watches_every_centre(user) or works_at(user, centre)


def needs_two_factor(user) -> bool:
    """Secretariat, system administrators and anyone who can enter the admin sign in with TOTP;
    counter officers and Centre Managers with TOTP or their registered device."""
    return bool(
        user
        and user.is_authenticated
        and (
            user.role in TWO_FACTOR_ROLES
            or user.is_staff
            or user.is_superuser
            or (settings.STAFF_SECOND_FACTOR_AT_COUNTERS and user.role in DEVICE_FACTOR_ROLES)
        )
    )


def device_may_be_second_factor(user) -> bool:
    """Whose registered device stands for the second factor (never the Secretariat's or an
    admin's: they type a code at every sign-in)."""
    return (
        user.role in DEVICE_FACTOR_ROLES
        and user.role not in TWO_FACTOR_ROLES
        and not (user.is_staff or user.is_superuser)
    )


def require_staff(user, *roles: str) -> None:
    if not is_staff_member(user):
        raise PermissionDenied("Staff only")
    if roles and user.role not in roles:
        raise PermissionDenied("Your role cannot do this")


def require_centre(user, centre, *roles: str) -> None:
    """Operate a centre: refuse unless the user works at `centre` with one of `roles`."""
    require_staff(user, *roles)
    if not works_at(user, centre):
        raise PermissionDenied("This is another centre")


def require_centre_view(user, centre, *roles: str) -> None:
    """Watch a centre (read only): its own staff with one of `roles`, or a national watcher."""
    if watches_every_centre(user):
        return
    require_centre(user, centre, *roles)

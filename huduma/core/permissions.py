"""The one permission test every layer may ask: is this a signed-in, active staff member?

The roles and the rules per role live in accounts.permissions (which re-exports this); the
apps below accounts (catalogue) ask only this question, by the user's `role` field."""


def is_staff_member(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and getattr(user, "role", "")  # AnonymousUser has no role
    )

"""Account verbs: recording sign-ins in the audit chain."""

from huduma.core import audit


def record_sign_in(sender, request, user, **kwargs) -> None:
    audit.record(action="auth.sign_in", instance=user, actor=user)


def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The attempted username only: never the password, and nothing personal beyond it.
    username = str(credentials.get("username", ""))[:150]
    audit.record(action="auth.sign_in_failed", object_type="accounts.user", object_repr=username)

"""Progressive lockout of staff sign-in, on django-axes: whose failures count, how long a
lockout lasts, and the page a locked-out person sees.

Failures are counted per username, whatever the address they come from (a botnet spreads its
guesses over many addresses, and behind the TLS proxy many officers share one). A lockout lasts
STAFF_LOCKOUT_MINUTES and doubles with each further lockout of the same username within a day,
up to a day; lockouts are counted from the audit chain, where each one is recorded.
"""

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render

from huduma.core import clock
from huduma.core.models import AuditEntry

LOCKED_OUT_ACTION = "auth.locked_out"
LOCKOUT_MEMORY = dt.timedelta(days=1)
LONGEST_LOCKOUT = dt.timedelta(days=1)


def signin_username(request, credentials) -> str | None:
    """The username a failure counts against: the one typed, or, at the second-factor step,
    the user whose password was already accepted."""
    if credentials and credentials.get("username"):
        return str(credentials["username"])[:150]
    if request is None:
        return None
    posted = request.POST.get("username") if request.method == "POST" else None
    if posted:
        return posted[:150]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return None


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    # What axes writes to the log: the staff username only, never an address or a browser.
    return f"username={username!r}"


def lockouts_in_last_day(username: str) -> int:
    return AuditEntry.objects.filter(
        action=LOCKED_OUT_ACTION,
        object_repr=username[:200],
        at__gte=clock.now() - LOCKOUT_MEMORY,
    ).count()


def cool_off(request) -> dt.timedelta:
    """AXES_COOLOFF_TIME: the base lockout, doubled for each earlier lockout within a day."""
    base = dt.timedelta(minutes=settings.STAFF_LOCKOUT_MINUTES)
    username = signin_username(request, getattr(request, "axes_credentials", None))
    earlier = max(lockouts_in_last_day(username) - 1, 0) if username else 0
    return min(base * 2 ** min(earlier, 16), LONGEST_LOCKOUT)


def locked_until(request, username: str | None) -> dt.datetime:
    last = None
    if username:
        last = AccessAttempt.objects.filter(username=username).aggregate(t=Max("attempt_time"))["t"]
    return (last or clock.now()) + cool_off(request)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a 429 page that says, in the reader's language, when to retry."""
    username = signin_username(request, credentials)
    until = locked_until(request, username)
    seconds = max(int((until - clock.now()).total_seconds()), 1)
    response = render(
        request,
        "accounts/locked_out.html",
        {"until": until, "minutes": (seconds + 59) // 60},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response

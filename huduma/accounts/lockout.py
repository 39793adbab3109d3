"""Progressive lockout of staff sign-in, on django-axes: whose failures count, how long a
lockout lasts, and the page a locked-out person sees.

Failures are counted per username, whatever the address they come from (a botnet spreads its
guesses over many addresses, and behind the TLS proxy many officers share one). A lockout lasts
STAFF_LOCKOUT_MINUTES and doubles with each further lockout of the same username within a day,
up to a day; lockouts are counted from the audit chain, where each one is recorded.

No stranger can lock an officer out of their own device: each complete sign-in leaves a signed
"known device" cookie, and failures at a known device count in that device's own bucket
("alice#<device>"), so a lockout of "alice" caused elsewhere does not reach it. Failures at
unknown devices also count per address (the source), which then stops answering for a while.
"""

import datetime as dt
import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import Max
from django.shortcuts import render
from django.utils.translation import gettext as _

from huduma.core import clock
from huduma.core.models import AuditEntry
from huduma.core.throttle import client_address, target_check, target_missed

LOCKED_OUT_ACTION = "auth.locked_out"
LOCKOUT_MEMORY = dt.timedelta(days=1)
LONGEST_LOCKOUT = dt.timedelta(days=1)


KNOWN_DEVICE_COOKIE = "huduma_known_device"
KNOWN_DEVICE_SALT = "huduma.accounts.known-device"
KNOWN_DEVICE_MAX_AGE = dt.timedelta(days=180)
KNOWN_DEVICE_USERS = 10  # a shared counter PC knows a few officers
# Wrong sign-ins from one address at unknown devices before it stops answering for a while.
SOURCE_FAILURE_LIMIT = 30
SOURCE_WINDOW_S = 900


def _known(request) -> dict:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE) if request is not None else None
    if not raw:
        return {}
    try:
        known = signing.loads(
            raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:
        return {}
    return known if isinstance(known, dict) else {}


def known_device_id(request, username: str) -> str | None:
    """This browser's id for `username` if a complete sign-in of theirs happened here."""
    value = _known(request).get(username.lower())
    return value if isinstance(value, str) else None


def remember_device(request, response, username: str) -> None:
    """Called after a complete sign-in: this browser is now a known device of `username`."""
    known = _known(request)
    known.pop(username.lower(), None)
    known[username.lower()] = known_device_id(request, username) or secrets.token_urlsafe(9)
    known = dict(list(known.items())[-KNOWN_DEVICE_USERS:])
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(known, salt=KNOWN_DEVICE_SALT),
        max_age=int(KNOWN_DEVICE_MAX_AGE.total_seconds()),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def source_check(request, username: str) -> None:
    """Refuse (TooManyTries) a sign-in from an address that has failed too often, unless this
    browser is a known device of the username typed."""
    if not known_device_id(request, username):
        target_check(
            "signin-source",
            client_address(request),
            limit=SOURCE_FAILURE_LIMIT,
            message=_("Too many wrong sign-ins from this network. Please wait a few minutes."),
            field="username",
        )


def source_failed(request, username: str) -> None:
    if request is not None and not known_device_id(request, username):
        target_missed("signin-source", client_address(request), window_s=SOURCE_WINDOW_S)


def signin_username(request, credentials) -> str | None:
    """The bucket a failure counts against: the username, or, at a known device of that
    username, the device's own bucket ("alice#<device>")."""
    username = _typed_username(request, credentials)
    if username and request is not None:
        device = known_device_id(request, username)
        if device:
            return f"{username}#{device}"[:150]
    return username


def _typed_username(request, credentials) -> str | None:
    """The username typed, or, at the second-factor step, the user whose password was
    already accepted."""
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

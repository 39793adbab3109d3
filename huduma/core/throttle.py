"""Rate limits on the shared cache: per client (address, device or API key) for the public
pages that write, and per target for anything a stranger could guess.

Anyone on the internet can reach the kiosk, web-join and booking pages; without a limit one
script could fill a centre's queue. A limit per address alone fails both ways: a botnet spreads
its guesses over many addresses, and many real users share one (a centre's tablets, a cyber
café). So a secret's target (a complaint reference, a tracking number, a username) counts its own
wrong tries whatever the address, and a channel that identifies its client (a registered device,
an API key) is counted per client, not per address.
"""

from collections.abc import Callable
from functools import wraps
from hashlib import sha256

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from huduma.core.errors import DomainError


class TooManyTries(DomainError):
    status = 429
    code = "throttled"


def client_address(request) -> str:
    # Behind a trusted proxy, huduma.core.proxy.TrustedProxyMiddleware has already replaced
    # REMOTE_ADDR (the proxy's) with the client's address from X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or "unknown"


def per_address(request) -> str:
    return f"addr:{client_address(request)}"


def per_device(request) -> str:
    """A registered device (kiosk, tablet) counts on its own, not with the hall it shares an
    address with; anything else counts per address."""
    device = getattr(request, "device", None)
    if device is not None and getattr(device, "pk", None):
        return f"device:{device.pk}"
    return per_address(request)


def per_browser(request) -> str:
    """One browser (its session): many people behind one address each count on their own. A
    script that drops its cookie gets a new count, so pair this with an address ceiling."""
    session = getattr(request, "session", None)
    if session is None:
        return per_address(request)
    if not session.session_key:
        session.save()
    return f"browser:{session.session_key}"


def hit(key: str, *, limit: int, window_s: int) -> bool:
    """Count one use of `key`; False once it has been used `limit` times in the window."""
    cache_key = f"throttle:{key}"
    if cache.add(cache_key, 1, window_s):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, window_s)
        return True
    return count <= limit


def _target_key(scope: str, target: str) -> str:
    # Hashed: a reference or username never sits in the cache in clear, and any length fits.
    digest = sha256(" ".join(str(target).split()).upper().encode()).hexdigest()[:32]
    return f"throttle:target:{scope}:{digest}"


def target_check(
    scope: str, target: str, *, limit: int, message: str | None = None, field: str = "reference"
) -> None:
    """Refuse (TooManyTries) once `target` has had `limit` wrong tries in its window, from
    whatever addresses: the right answer too, or a guesser would still find it."""
    if (cache.get(_target_key(scope, target)) or 0) >= limit:
        raise TooManyTries(
            message or _("Too many wrong tries for this reference. Please wait and try again."),
            field=field,
        )


def target_missed(scope: str, target: str, *, window_s: int) -> None:
    """Count one wrong try against `target` (the window starts at its first wrong try)."""
    key = _target_key(scope, target)
    if not cache.add(key, 1, window_s):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, window_s)


def throttled_response(window_s: int, *, json: bool = False, message: str | None = None):
    message = message or _("Too many requests from this device. Please wait a few minutes.")
    if json:
        response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain")
    response["Retry-After"] = str(window_s)
    return response


def throttle_writes(
    scope: str,
    *,
    limit: int,
    window_s: int,
    json: bool = False,
    key: Callable = per_address,
    address_limit: int | None = None,
    respond: Callable[[HttpRequest, int, str], HttpResponse] | None = None,
):
    """View decorator: limit POSTs per client (`key`: per address unless said otherwise), and,
    with `address_limit`, also per address as a ceiling; GETs are never limited. `respond`
    writes the 429 in the API's own error format (Open311's error list)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                allowed = hit(f"{scope}:{key(request)}", limit=limit, window_s=window_s)
                if allowed and address_limit is not None:
                    allowed = hit(
                        f"{scope}:ceiling:{per_address(request)}",
                        limit=address_limit,
                        window_s=window_s,
                    )
                if not allowed and respond is not None:
                    response = respond(
                        request,
                        429,
                        _("Too many requests from this device. Please wait a few minutes."),
                    )
                    response["Retry-After"] = str(window_s)
                    return response
                if not allowed:
                    return throttled_response(window_s, json=json)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

"""A small fixed-window rate limit on the shared cache, for the public pages that write.

Anyone on the internet can reach the kiosk, web-join and booking pages; without a limit one
script could fill a centre's queue. The window is per client address and scope.
"""

from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def client_address(request) -> str:
    # Behind a trusted proxy, huduma.core.proxy.TrustedProxyMiddleware has already replaced
    # REMOTE_ADDR (the proxy's) with the client's address from X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or "unknown"


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


def throttle_writes(scope: str, *, limit: int, window_s: int, json: bool = False):
    """View decorator: limit POSTs per client address; GETs are never limited."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and not hit(
                f"{scope}:{client_address(request)}", limit=limit, window_s=window_s
            ):
                message = _("Too many requests from this device. Please wait a few minutes.")
                if json:
                    response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
                else:
                    response = HttpResponse(message, status=429, content_type="text/plain")
                response["Retry-After"] = str(window_s)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

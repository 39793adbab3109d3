"""HTTP helpers shared by the API: conditional GETs for catalogue reads, strict query params."""

import hashlib
from functools import wraps

from django.http import HttpResponseNotModified
from django.utils.translation import get_language

from huduma.core.errors import DomainError


def reject_unknown_params(request, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise DomainError(
            f"Unknown filter {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}.",
            field=unknown[0],
        )


def conditional_get(version_func, max_age: int = 60):
    """View decorator: a strong ETag over (data version, URL, language) and Cache-Control.

    A client sending the same If-None-Match gets 304 without the body being rebuilt.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            raw = f"{version_func()}|{request.get_full_path()}|{get_language()}"
            etag = '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'
            if etag in request.headers.get("If-None-Match", ""):
                response = HttpResponseNotModified()
            else:
                response = view(request, *args, **kwargs)
            if response.status_code in (200, 304):
                response["ETag"] = etag
                response["Cache-Control"] = f"public, max-age={max_age}"
                response["Vary"] = "Accept-Language, Cookie"
            return response

        return wrapper

    return decorator

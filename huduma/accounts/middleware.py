"""Staff session rules applied to every request: the idle timeout and the second factor."""

import functools
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from huduma.accounts.permissions import needs_two_factor
from huduma.accounts.services import LAST_ACTIVITY_KEY
from huduma.core import clock

# The stamp is rewritten at most this often, so an active officer costs one session write a
# minute, not one per request; the timeout is therefore exact to within a minute.
STAMP_EVERY_S = 60


def is_poll(request) -> bool:
    """An htmx GET: the live view, the hall display and ticket pages refresh themselves with
    these. A screen refreshing itself is not a person at work, so it keeps no session alive."""
    return request.method in ("GET", "HEAD") and request.headers.get("HX-Request") == "true"


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class StaffIdleTimeoutMiddleware:
    """Ends a signed-in session after STAFF_IDLE_TIMEOUT_MINUTES without activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout_s = settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
        # Reading the session (not request.user) keeps anonymous requests free of queries.
        if timeout_s and SESSION_KEY in request.session:
            now = int(clock.now().timestamp())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > timeout_s:
                logout(request)
                return self.signed_out(request)
            if last is None or (not is_poll(request) and now - last >= STAMP_EVERY_S):
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    @staticmethod
    def signed_out(request):
        message = _(
            "You were signed out after %(minutes)s minutes without activity. Sign in again."
        ) % {"minutes": settings.STAFF_IDLE_TIMEOUT_MINUTES}
        if is_api(request):
            return JsonResponse({"detail": message, "code": "session_expired"}, status=401)
        messages.info(request, message)
        login_url = reverse(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            # htmx follows this header with a full page load, so the whole screen signs out.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{login_url}?next={quote(request.path)}"
            return response
        return redirect_to_login(request.get_full_path(), login_url)


class TwoFactorRequiredMiddleware:
    """Whoever must sign in with a second factor reaches nothing else until they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session and not self.exempt(request):
            user = request.user
            if needs_two_factor(user) and not user.is_verified():
                if is_api(request):
                    return JsonResponse(
                        {
                            "detail": "Finish signing in with your authenticator code first.",
                            "code": "two_factor_required",
                        },
                        status=403,
                    )
                return redirect_to_login(request.get_full_path(), reverse("accounts:two_factor"))
        return self.get_response(request)

    @staticmethod
    def exempt(request) -> bool:
        """The pages someone halfway through signing in may use."""
        path = request.path_info
        return path in _exempt_paths() or path.startswith(settings.STATIC_URL)


@functools.cache
def _exempt_paths() -> frozenset[str]:
    return frozenset(
        reverse(name) for name in ("accounts:two_factor", "accounts:logout", "set_language")
    )

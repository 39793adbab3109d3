"""While the database is away, every request gets a clear 503 with Retry-After, not a 500.

A PostgreSQL restart or a network cut surfaces as OperationalError or InterfaceError, in a
view (caught by the middleware) or in another middleware, e.g. saving the session (caught
by the 500 handler). The answer needs neither the database nor the session: JSON under
/api/, else a small page in English and Swahili. The broken connection is dropped at the
end of the request and the next one reconnects (CONN_HEALTH_CHECKS), so the server recovers
on its own when the database is back.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def unavailable(request) -> HttpResponse:
    logger.warning("database unavailable: answered 503 to %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("The service is briefly unavailable. Please try again shortly."),
                "code": "unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(_page(), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _page() -> str:
    parts = []
    for language in ("en", "sw"):
        with translation.override(language):
            title = escape(_("Briefly unavailable"))
            text = escape(_("The service is briefly unavailable. Please try again shortly."))
        parts.append(f'<section lang="{language}"><h1>{title}</h1><p>{text}</p></section>')
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Huduma</title></head><body>{''.join(parts)}</body></html>"
    )


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return unavailable(request)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: a database error raised outside a view is an outage too."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return unavailable(request)
    return defaults.server_error(request, template_name)

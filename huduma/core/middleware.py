"""One gate for hostile input, in front of every page and API endpoint.

It refuses, with a 4xx naming the input at fault, what no view should ever see:
- a body larger than the configured limit (413), counted before it is read;
- more form fields or files than Django allows (400);
- a control character (NUL above all) or a lone surrogate in the path, a query or form field
  (name or value), a JSON string (key or value), a cookie or a header. PostgreSQL refuses NUL
  in text and neither database can store a lone surrogate: without this gate such a character
  reached a query and the citizen got a 500.
Views still validate meaning (lengths, choices, formats); this only removes the impossible.
"""

import functools
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from huduma.core.inputs import has_forbidden_characters

API_PREFIX = "/api/"
# Paths whose API answers refusals in its own error format (Open311's error list): an app
# registers its renderer at start-up, so this module imports no app.
RefusalRenderer = Callable[[HttpRequest, int, str], HttpResponse]
_renderers: dict[str, RefusalRenderer] = {}


def register_refusal_renderer(prefix: str, renderer: RefusalRenderer) -> None:
    _renderers[prefix] = renderer


# Header values are latin-1 text; horizontal tab is the one control character legal there.
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class Refused(Exception):
    """A refusal; its message is translated only when answered, in the client's language."""

    def __init__(self, status: int, code: str, message, field: str | None = None, **params):
        super().__init__(code)
        self.status, self.code, self.field = status, code, field
        self.template, self.params = message, params

    @property
    def message(self) -> str:
        return str(self.template) % self.params if self.params else str(self.template)


def _bad_characters(field: str) -> Refused:
    return Refused(
        400,
        "invalid_characters",
        _("%(name)s contains a control character, which is not allowed."),
        field,
        name=field,
    )


def _check_text(field: str, value) -> None:
    if isinstance(value, str) and has_forbidden_characters(value):
        raise _bad_characters(field)


def _check_pairs(pairs) -> None:
    for name, values in pairs:
        if has_forbidden_characters(name):
            raise _bad_characters("parameter name")
        for value in values:
            _check_text(name, value)


def _check_json(value, field: str = "body") -> None:
    if isinstance(value, str):
        _check_text(field, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_forbidden_characters(key):
                raise _bad_characters(field)
            _check_json(item, key)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, field)


ADMIN_IMPORT_VIEWS = ("_import", "_process_import")  # django-import-export's admin views


def takes_files(request) -> bool:
    """Whether the request is for one of the few views that take a file upload (marked with
    `accepts_uploads`, and the admin's imports); every other address takes small bodies."""
    if request.content_type != "multipart/form-data":
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if getattr(match.func, "takes_files", False):
        return True
    return "admin" in match.namespaces and (match.url_name or "").endswith(ADMIN_IMPORT_VIEWS)


def body_limit(request) -> int:
    """The upload limit for the views that take files; every other body is small."""
    if takes_files(request):
        return settings.HUDUMA_MAX_UPLOAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _check_request(request) -> None:
    _check_text("path", request.path_info)
    for name, value in request.META.items():
        if name.startswith("HTTP_") and _HEADER_CONTROL.search(str(value)):
            raise _bad_characters(name[5:].replace("_", "-").title())
    length_text = request.META.get("CONTENT_LENGTH") or "0"
    if not (length_text.isascii() and length_text.isdigit()):
        raise Refused(400, "invalid", _("The Content-Length header is not a number."))
    if int(length_text) > body_limit(request):
        raise Refused(
            413,
            "too_large",
            _("The request is too large (at most %(kb)d KB)."),
            kb=body_limit(request) // 1024,
        )
    for name, value in request.COOKIES.items():
        _check_text(f"cookie {name}", name + value)
    _check_query(request)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and not takes_files(request):
        # A file upload is read by its view, after the sign-in and the CSRF check
        # (accepts_uploads): an anonymous 5 MB post is refused before it is parsed.
        _check_body(request)


def _check_query(request) -> None:
    try:
        _check_pairs(request.GET.lists())
    except SuspiciousOperation as exc:
        raise Refused(
            400,
            "invalid",
            _("The request could not be read: %(reason)s"),
            reason=str(exc) or exc.__class__.__name__,
        ) from exc


def _check_body(request) -> None:
    try:
        if request.path_info.startswith(API_PREFIX):
            # Read the bytes first: the API reads them again (request.body), which it could
            # not do once the form parser had consumed the stream (a multipart body was a 500).
            request.body  # noqa: B018
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _check_pairs(request.POST.lists())
            for name, uploaded in request.FILES.items():
                _check_text(name, uploaded.name or "")
        elif request.content_type == "application/json" or request.content_type.endswith("+json"):
            try:
                data = json.loads(request.body)
            except (ValueError, RecursionError):
                return  # malformed JSON: the API answers it with its own 400
            # json.loads refuses nesting deeper than the walk below can recurse.
            _check_json(data)
    except RequestDataTooBig as exc:
        raise Refused(413, "too_large", _("The request is too large.")) from exc
    except BadRequest as exc:
        # Django reads a form only in UTF-8: one declaring another charset was a bare 400 page
        # (in no API's error format, naming nothing).
        raise Refused(
            400,
            "invalid_charset",
            _("A form is read in UTF-8 only: send it without a charset or with charset=utf-8."),
            "charset",
        ) from exc
    except (SuspiciousOperation, MultiPartParserError) as exc:
        # Too many fields or files, or a malformed multipart body.
        raise Refused(
            400,
            "invalid",
            _("The request could not be read: %(reason)s"),
            reason=str(exc) or exc.__class__.__name__,
        ) from exc


def accepts_uploads(view):
    """Mark a page that takes a file: its body may reach HUDUMA_MAX_UPLOAD_BYTES, and it is read
    only after the sign-in and the CSRF check (which this decorator runs, in that order, for a
    POST), then filtered like every other body. Put it outside `login_required`."""
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # CSRF before reading: the token is the one field read from a refused body.
            refused = CsrfViewMiddleware(lambda r: None).process_view(request, view, args, kwargs)
            if refused is not None:
                return refused
            try:
                _check_body(request)
            except Refused as refusal:
                return HostileInputMiddleware.refusal(request, refusal)
        return protected(request, *args, **kwargs)

    wrapper.csrf_exempt = True  # checked above, after the sign-in
    wrapper.takes_files = True
    return wrapper


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            _check_request(request)
        except Refused as refused:
            return self.refusal(request, refused)
        return self.get_response(request)

    @staticmethod
    def refusal(request, refused: Refused) -> HttpResponse:
        # This runs before LocaleMiddleware: answer in the language the client asked for.
        with translation.override(translation.get_language_from_request(request)):
            message = refused.message
            for prefix, renderer in _renderers.items():
                if request.path_info.startswith(prefix):
                    return renderer(request, refused.status, message)
        if request.path_info.startswith(API_PREFIX):
            body = {"detail": message, "code": refused.code}
            if refused.field:
                body["field"] = refused.field
            return JsonResponse(body, status=refused.status)
        return HttpResponse(
            message, status=refused.status, content_type="text/plain; charset=utf-8"
        )

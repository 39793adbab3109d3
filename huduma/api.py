"""The JSON API: one NinjaAPI, a router per app, errors turned into clear 4xx JSON.

Every refusal, whoever raises it (a DomainError, ninja's validation, authentication, CSRF,
the hostile-input middleware, the rate limit), has one body: ErrorOut. HudumaAPI documents
it on every operation, so clients and the fuzzing test (tests/test_api_fuzz.py) can rely on
each 4xx being declared.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from huduma.accounts.api import router as devices_router
from huduma.catalogue.api import router as catalogue_router
from huduma.channels.contact.api import router as contact_router
from huduma.core.errors import DomainError
from huduma.core.periodic import tasks_late
from huduma.feedback.api import router as feedback_router
from huduma.notify.api import router as notify_router
from huduma.outreach.api import router as outreach_router
from huduma.outreach.sync_api import router as outreach_sync_router
from huduma.payments.api import router as payments_router
from huduma.queues.api import router as queues_router


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None
    errors: list[dict] | None = None


# Which refusals an operation can answer with, beyond the ones it declares itself.
ALWAYS = (400, 404, 422)  # unreadable input, unknown object, invalid parameter
SIGNED_IN = (401, 403)  # no session; wrong role, other centre, missing CSRF token
WRITES = (403, 409, 413, 429)  # refused, conflicting state, body too large, rate limited


class UnsupportedMediaType(ValueError):
    """A body that is not JSON sent to an operation that takes JSON."""


class JsonOnlyParser(Parser):
    """JSON operations read JSON only: a form or multipart body is a 415 naming the type to
    send (ninja's own parser tried it as JSON; the input filter had already consumed it: 500)."""

    def parse_body(self, request):
        content_type = request.content_type or ""
        if (
            content_type
            and content_type != "application/json"
            and not content_type.endswith("+json")
        ):
            raise UnsupportedMediaType(content_type)
        return super().parse_body(request)


class HudumaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                codes = set(ALWAYS)
                if operation.get("security"):
                    codes.update(SIGNED_IN)
                if method.lower() != "get":
                    codes.update(WRITES)
                if "application/json" in operation.get("requestBody", {}).get("content", {}):
                    codes.add(415)  # a form or multipart body (JsonOnlyParser)
                responses = operation.setdefault("responses", {})
                for code in sorted(codes):
                    responses.setdefault(
                        str(code),
                        {
                            "description": HTTPStatus(code).phrase,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    )
        return schema


api = HudumaAPI(
    title="Huduma API",
    version="1.0",
    description="Service catalogue, charters, queues and notifications of the Huduma platform.",
    urls_namespace="api",
    parser=JsonOnlyParser(),
)


def error_response(request, status: int, detail: str, code: str, **extra):
    body = {"detail": detail, "code": code}
    body.update({k: v for k, v in extra.items() if v is not None})
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_json(), status=exc.status)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return error_response(request, 403, str(exc) or "You may not do this.", "forbidden")


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(request, 404, "Not found.", "not_found")


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """ninja's 422, in the shared shape: the first problem in words, naming its field."""
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"loc": [], "msg": "Invalid input."}
    names = [part for part in first["loc"][1:] if not part.isdigit()]
    field = names[-1] if names else None
    detail = f"{field}: {first['msg']}" if field else first["msg"]
    return error_response(request, 422, detail, "validation", field=field, errors=errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return error_response(request, 401, "Sign in first.", "unauthorized")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, UnsupportedMediaType):  # ninja wraps every parse error in 400
        return error_response(
            request,
            415,
            f"This operation takes a JSON body (Content-Type: application/json), "
            f"not {exc.__cause__}.",
            "unsupported_media_type",
        )
    code = {400: "invalid", 403: "forbidden", 404: "not_found", 429: "throttled"}
    return error_response(request, exc.status_code, str(exc), code.get(exc.status_code, "error"))


api.add_router("/catalogue", catalogue_router)
api.add_router("/contact", contact_router)
api.add_router("/devices", devices_router)
api.add_router("/feedback", feedback_router)
api.add_router("/notify", notify_router)
api.add_router("/outreach", outreach_router)
api.add_router("/outreach", outreach_sync_router)
api.add_router("/payments", payments_router)
api.add_router("/queues", queues_router)


@api.get("/health", summary="Liveness: the server answers", tags=["health"])
def health(request):
    """Always 200 while the server answers; `late_tasks` names the scheduled tasks that have
    not completed within twice their period (the worker is down or stuck): status "late"."""
    try:
        late = [
            {
                "name": task.name,
                "completed_at": task.completed_at.isoformat() if task.completed_at else None,
            }
            for task in tasks_late()
        ]
    except DatabaseError:
        return {"status": "ok", "late_tasks": None}  # the 503 of every other page says it
    return {"status": "late" if late else "ok", "late_tasks": late}

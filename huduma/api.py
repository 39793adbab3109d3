"""The JSON API: one NinjaAPI, a router per app, errors turned into clear 4xx JSON."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI

from huduma.accounts.api import router as devices_router
from huduma.catalogue.api import router as catalogue_router
from huduma.core.errors import DomainError
from huduma.feedback.api import router as feedback_router
from huduma.notify.api import router as notify_router
from huduma.queues.api import router as queues_router

api = NinjaAPI(
    title="Huduma API",
    version="1.0",
    description="Service catalogue, charters, queues and notifications of the Huduma platform.",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_json(), status=exc.status)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "You may not do this.", "code": "forbidden"}, status=403
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found.", "code": "not_found"}, status=404)


api.add_router("/catalogue", catalogue_router)
api.add_router("/devices", devices_router)
api.add_router("/feedback", feedback_router)
api.add_router("/notify", notify_router)
api.add_router("/queues", queues_router)


@api.get("/health", summary="Liveness: the server answers", tags=["health"])
def health(request):
    return {"status": "ok"}

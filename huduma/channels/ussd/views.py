"""Africa's Talking's USSD callback and its end-of-session notification.

Both are form POSTs from the operator's gateway. They are refused unless the URL carries the
shared token (settings.USSD_CALLBACK_TOKEN; empty turns the channel off) and, when
settings.USSD_ALLOWED_IPS is set, unless the request comes from one of those addresses. Each
phone is limited to USSD_REQUESTS_PER_MINUTE requests a minute.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from huduma.channels.ussd import services
from huduma.core.inputs import ascii_int, tokens_equal
from huduma.core.proxy import is_trusted, parse_networks
from huduma.core.throttle import client_address, hit

TEXT = "text/plain; charset=utf-8"


@lru_cache(maxsize=4)
def _networks(values: tuple[str, ...]):
    return parse_networks(values)


def _refusal(request) -> HttpResponse | None:
    if not settings.USSD_CALLBACK_TOKEN:
        raise Http404("The USSD channel is off.")
    if not tokens_equal(request.GET.get("token", ""), settings.USSD_CALLBACK_TOKEN):
        return HttpResponse("Unknown token.", status=403, content_type=TEXT)
    allowed = tuple(settings.USSD_ALLOWED_IPS)
    if allowed:
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            address = None
        if not is_trusted(address, _networks(allowed)):
            return HttpResponse("Not an allowed address.", status=403, content_type=TEXT)
    return None


@csrf_exempt
@require_POST
def callback(request):
    refused = _refusal(request)
    if refused is not None:
        return refused
    post = request.POST
    try:
        session_id = services.session_id_checked(post.get("sessionId", ""))
        phone = services.phone_checked(post.get("phoneNumber", ""))
    except services.BadRequest as exc:
        body = "END " + _("Bad request: %(field)s is missing or malformed.") % {"field": exc.field}
        return HttpResponse(body, status=400, content_type=TEXT)
    if not hit(f"ussd:{phone}", limit=settings.USSD_REQUESTS_PER_MINUTE, window_s=60):
        body = "END " + _("Too many requests from this number. Please wait a minute.")
        return HttpResponse(body, content_type=TEXT)
    answer = services.ussd_answer(
        session_id=session_id,
        phone=phone,
        text=post.get("text", ""),
        service_code=post.get("serviceCode", ""),
        network_code=post.get("networkCode", ""),
    )
    return HttpResponse(answer.reply, content_type=TEXT)


@csrf_exempt
@require_POST
def session_end(request):
    """The end-of-session notification: stored once per sessionId; always 200 once valid."""
    refused = _refusal(request)
    if refused is not None:
        return refused
    post = request.POST
    try:
        services.session_end_record(
            session_id=post.get("sessionId", ""),
            status=post.get("status", ""),
            phone=post.get("phoneNumber", ""),
            service_code=post.get("serviceCode", ""),
            network_code=post.get("networkCode", ""),
            date=post.get("date", ""),
            duration_ms=ascii_int(post.get("durationInMillis", ""), minimum=0, maximum=10**9),
            hops=ascii_int(post.get("hopsCount", ""), minimum=0, maximum=10**6),
            cost=post.get("cost", ""),
            input_text=post.get("input", ""),
            last_response=post.get("lastAppResponse", ""),
            error_message=post.get("errorMessage", ""),
        )
    except services.BadRequest as exc:
        return HttpResponse(exc.message, status=400, content_type=TEXT)
    return HttpResponse("OK", content_type=TEXT)

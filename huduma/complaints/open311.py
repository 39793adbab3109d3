"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at /open311/v2/, in XML and JSON.

Service types are the complaint categories; a service request is a complaint. Only complaints
filed through Open311 are listed. What is public (GET) names nobody: status_notes is the public
note the officer writes for the purpose (never the internal resolution), the address is the
centre's name; the description, coordinates and media only to the client that filed them; the
submitter's name, email, phone, device and account to nobody. Every refusal, including the
method, size and rate limits, is the specification's error list in the format asked for.
"""

import datetime as dt
import hashlib
import re
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from huduma.catalogue.models import Service
from huduma.complaints import services
from huduma.complaints.models import (
    MONITOR_CATEGORIES,
    OPEN311_TEXT_MAX_LENGTH,
    Category,
    Channel,
    Complaint,
    Level,
    Status,
)
from huduma.core import clock
from huduma.core.clock import NAIROBI
from huduma.core.errors import DomainError
from huduma.core.throttle import per_address, throttle_writes
from huduma.places.models import Centre

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The spec's defaults for GET requests: the last 90 days, at most 1000 requests.
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_REQUESTS = 1000
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The spec's attribute datatypes used here.
CENTRE_ATTRIBUTE, SERVICE_ATTRIBUTE, NAMES_STAFF_ATTRIBUTE = "centre", "service", "names_staff"
# The submitter's details the spec lets a client send: kept for the officers, never published.
REPORTER_FIELDS = {
    "email": 254, "first_name": 100, "last_name": 100, "device_id": 200, "account_id": 200,
}  # fmt: skip
_FORMAT_SUFFIX = re.compile(r"\.([a-z0-9]{1,8})$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def w3c(moment: dt.datetime | None) -> str | None:
    """W3C datetime with the offset: 2026-11-24T09:00:00+03:00."""
    return moment.astimezone(NAIROBI).isoformat(timespec="seconds") if moment else None


# --- rendering ----------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, list):
        item_name = {"values": "value", "attributes": "attribute", "formats": "format",
                     "endpoints": "endpoint"}.get(name, "item")  # fmt: skip
        for item in value:
            _xml_value(child, item_name, item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _xml_value(child, key, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def render(fmt: str, root: str, item: str | None, data, status: int = 200) -> HttpResponse:
    """`data` is a list of dicts (rendered as <root><item>...</item></root>) or one dict
    (rendered as <root>...</root>)."""
    if fmt == "json":
        return JsonResponse(
            data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_value(element, item, entry)
    else:
        for key, value in data.items():
            _xml_value(element, key, value)
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    body = body.replace(
        b"<?xml version='1.0' encoding='utf-8'?>", b'<?xml version="1.0" encoding="UTF-8"?>'
    )
    return HttpResponse(body, status=status, content_type=FORMATS["xml"])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(
        fmt if fmt in FORMATS else "xml",
        "errors",
        "error",
        [{"code": status, "description": description}],
        status=status,
    )


def requested_format(request) -> str:
    """The format the address asks for (.json or .xml); XML, the spec's required one, else."""
    match = _FORMAT_SUFFIX.search(request.path_info)
    return match.group(1) if match and match.group(1) in FORMATS else "xml"


def refusal(request, status: int, description: str) -> HttpResponse:
    """A refusal made outside the views (the size gate, the rate limit) in the spec's format."""
    return error(requested_format(request), status, description)


def open311_view(*methods: str):
    """Format and method checks, and the spec's error list for every refusal. No view takes a
    browser session, so none needs (or answers with) Django's CSRF page."""

    def decorator(view):
        @csrf_exempt
        def wrapper(request, fmt: str, *args, **kwargs):
            if fmt not in FORMATS:
                return error("xml", 404, _("Unknown format: use .xml or .json"))
            if request.method not in methods:
                response = error(
                    fmt,
                    405,
                    _("Method %(method)s is not allowed here; use %(allowed)s")
                    % {"method": request.method[:10], "allowed": ", ".join(methods)},
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, *args, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.description)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorator


# --- discovery and services ----------------------------------------------------------------


@open311_view("GET", "HEAD")
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/").rstrip("/")
    changeset = "2026-11-26T00:00:00+03:00"
    data = {
        "changeset": changeset,
        "contact": f"{settings.COMPLAINTS_EMAIL}, {settings.COMPLAINTS_PHONE}",
        "key_service": _("API keys are issued by the Huduma Kenya Secretariat"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", None, data)


def _service(category: str) -> dict:
    return {
        "service_code": category,
        "service_name": str(Category(category).label),
        "description": str(Category(category).label),
        "metadata": True,
        "type": "realtime",
        "keywords": "huduma,complaint",
        "group": "corruption" if category in MONITOR_CATEGORIES else "service",
    }


@open311_view("GET", "HEAD")
def service_list(request, fmt):
    return render(fmt, "services", "service", [_service(c) for c in Category.values])


def _attributes(category: str) -> list[dict]:
    centres = Centre.objects.filter(status=Centre.Status.OPEN).order_by("name")
    attributes = [
        {
            "variable": True,
            "code": CENTRE_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": _("The code of the Huduma Centre concerned"),
            "order": 1,
            "description": _("Which Huduma Centre is the complaint about?"),
            "values": [{"key": c.code, "name": c.name} for c in centres],
        },
        {
            "variable": True,
            "code": SERVICE_ATTRIBUTE,
            "datatype": "string",
            "required": False,
            "datatype_description": _("A service code from the Huduma catalogue"),
            "order": 2,
            "description": _("Which service? (optional)"),
        },
    ]
    # Any category: a report naming staff (the Centre Manager included) skips the centre and
    # the MDA and goes to the Secretariat (or the monitors).
    attributes.append(
        {
            "variable": True,
            "code": NAMES_STAFF_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("yes or no"),
            "order": 3,
            "description": _("Does the report name a member of the centre's staff?"),
            "values": [{"key": "yes", "name": _("Yes")}, {"key": "no", "name": _("No")}],
        }
    )
    return attributes


@open311_view("GET", "HEAD")
def service_definition(request, fmt, code: str):
    if code not in Category.values:
        raise Open311Error(404, _("service_code not found"))
    return render(
        fmt,
        "service_definition",
        None,
        {"service_code": code, "attributes": _attributes(code)},
    )


# --- requests -----------------------------------------------------------------------------


def _status_notes(complaint: Complaint) -> str:
    """The officer's public note, else the status: never the internal resolution."""
    return complaint.public_note or str(Status(complaint.status).label)


def _request(complaint: Complaint, *, full: bool) -> dict:
    """One service request as the spec names its fields. `full` (the client that filed it)
    adds what that client itself sent: the description, its coordinates and its media."""
    agency = (
        complaint.mda.name
        if complaint.level == Level.MDA and complaint.mda
        else str(Level(complaint.level).label)
    )
    location = complaint.location or {}
    return {
        "service_request_id": complaint.reference,
        "status": "closed" if complaint.status == Status.CLOSED else "open",
        "status_notes": _status_notes(complaint),
        "service_name": str(Category(complaint.category).label),
        "service_code": complaint.category,
        "description": complaint.text if full else None,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": w3c(complaint.created_at),
        "updated_datetime": w3c(complaint.updated_at),
        "expected_datetime": w3c(complaint.due_at),
        "address": complaint.centre.name if complaint.centre else "",
        "address_id": complaint.centre.code if complaint.centre else "",
        "zipcode": "",
        "lat": location.get("lat") if full else None,
        "long": location.get("long") if full else None,
        "media_url": location.get("media_url", "") if full else "",
    }


def per_api_key(request) -> str:
    """POSTs count per API key (one integrator posts for a whole city from one address); a
    request without a key is refused anyway, and counts per address."""
    key = request.POST.get("api_key") if request.method == "POST" else ""
    if key:
        return "api_key:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    return per_address(request)


def _client(request, *, required: bool):
    key = request.POST.get("api_key") if request.method == "POST" else request.GET.get("api_key")
    if not key:
        if required:
            raise Open311Error(403, _("api_key is required"))
        return None
    client = services.api_client_for_key(key)
    if client is None:
        raise Open311Error(403, _("Invalid or revoked api_key"))
    return client


_COORDINATE = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,15})?", re.ASCII)


def _float(name: str, value: str, low: float, high: float) -> float | None:
    if not value:
        return None
    # float() also reads "٣", "1_0", " 3 ", "nan" and "1e2": a coordinate is plain ASCII decimal.
    number = float(value) if _COORDINATE.fullmatch(value) else None
    if number is None or not low <= number <= high:
        raise Open311Error(
            400,
            _("%(name)s must be a number from %(low)s to %(high)s")
            % {"name": name, "low": low, "high": high},
        )
    return number


def _location(post) -> dict:
    location = {}
    lat = _float("lat", post.get("lat", ""), -90, 90)
    long = _float("long", post.get("long", ""), -180, 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, _("lat and long go together"))
    if lat is not None:
        location.update(lat=lat, long=long)
    address = post.get("address_string", "").strip()
    if address:
        location["address_string"] = address[:250]
    address_id = post.get("address_id", "").strip()
    if address_id:
        location["address_id"] = address_id[:100]
    if not location:
        # GeoReport v2: "A full location parameter must be submitted".
        raise Open311Error(
            400, _("A location is required: lat and long, address_string or address_id")
        )
    media_url = post.get("media_url", "").strip()
    if media_url:
        if not media_url.startswith(("https://", "http://")) or len(media_url) > 500:
            raise Open311Error(400, _("media_url must be an http(s) address"))
        location["media_url"] = media_url
    return location


def _reporter(post) -> dict:
    reporter = {}
    for name, limit in REPORTER_FIELDS.items():
        value = post.get(name, "").strip()
        if len(value) > limit:
            raise Open311Error(
                400,
                _("%(name)s is longer than %(max)s characters") % {"name": name, "max": limit},
            )
        if value:
            reporter[name] = value
    if "email" in reporter and "@" not in reporter["email"]:
        raise Open311Error(400, _("email is not an email address"))
    return reporter


def _post_request(request, fmt):
    client = _client(request, required=True)
    post = request.POST
    code = post.get("service_code", "")
    if not code:
        raise Open311Error(400, _("service_code is required"))
    if code not in Category.values:
        raise Open311Error(404, _("service_code not found: %(code)s") % {"code": code[:40]})
    location = _location(post)
    reporter = _reporter(post)
    # address_id is our addressing system's id: a Huduma Centre's code stands for the centre.
    centre_code = post.get(f"attribute[{CENTRE_ATTRIBUTE}]", "").strip() or location.get(
        "address_id", ""
    )
    if not centre_code:
        raise Open311Error(400, _("attribute[centre] is required"))
    centre = Centre.objects.filter(code=centre_code[:40]).first()
    if centre is None:
        raise Open311Error(400, _("attribute[centre] is not a Huduma Centre code"))
    service = None
    service_code = post.get(f"attribute[{SERVICE_ATTRIBUTE}]", "").strip()
    if service_code:
        service = Service.objects.filter(code=service_code[:40]).first()
        if service is None:
            raise Open311Error(400, _("attribute[service] is not a service code"))
    description = post.get("description", "")
    if len(description) > OPEN311_TEXT_MAX_LENGTH:
        raise Open311Error(
            400,
            _("description is longer than %(max)s characters") % {"max": OPEN311_TEXT_MAX_LENGTH},
        )
    try:
        complaint = services.complaint_lodge(
            channel=Channel.OPEN311,
            category=code,
            text=description,
            phone=post.get("phone", ""),
            centre=centre,
            service=service,
            names_staff=post.get(f"attribute[{NAMES_STAFF_ATTRIBUTE}]") == "yes",
            api_client=client,
            idempotency_key=request.headers.get("Idempotency-Key"),
            location=location,
            reporter=reporter,
            language=request.LANGUAGE_CODE[:2],
        )
    except DomainError as exc:
        field = {"text": "description"}.get(exc.field or "", exc.field or "request")
        raise Open311Error(exc.status, f"{field}: {exc.message}") from exc
    notice = _("Complaint received. It is with %(handler)s.") % {
        "handler": Level(complaint.level).label
    }
    return render(
        fmt,
        "service_requests",
        "request",
        [
            {
                "service_request_id": complaint.reference,
                "service_notice": notice,
                "account_id": complaint.reporter.get("account_id"),
            }
        ],
        status=201,
    )


def _date(name: str, value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Open311Error(
            400,
            _("%(name)s must be a W3C datetime with a time zone, e.g. 2026-11-24T09:00:00+03:00")
            % {"name": name},
        )
    return moment


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()][:100]


def _get_requests(request, fmt):
    client = _client(request, required=False)
    params = request.GET
    complaints = Complaint.objects.filter(channel=Channel.OPEN311).select_related("centre", "mda")
    # Corruption reports are listed only to the client that filed them.
    sensitive = Q(category__in=MONITOR_CATEGORIES)
    complaints = complaints.exclude(sensitive & ~Q(api_client=client) if client else sensitive)
    ids = _list(params.get("service_request_id", ""))
    if ids:  # the spec: other parameters are then ignored
        complaints = complaints.filter(reference__in=[services.normalise_reference(i) for i in ids])
    else:
        codes = _list(params.get("service_code", ""))
        if codes:
            complaints = complaints.filter(category__in=codes)
        statuses = _list(params.get("status", ""))
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error(400, _("status must be open or closed"))
        if statuses == ["open"]:
            complaints = complaints.exclude(status=Status.CLOSED)
        elif statuses == ["closed"]:
            complaints = complaints.filter(status=Status.CLOSED)
        start = _date("start_date", params.get("start_date", ""))
        end = _date("end_date", params.get("end_date", ""))
        if start is None and end is None:
            end = clock.now()
            start = end - DEFAULT_WINDOW
        if start is not None:
            complaints = complaints.filter(created_at__gte=start)
        if end is not None:
            complaints = complaints.filter(created_at__lte=end)
    rows = complaints.order_by("-created_at")[:MAX_REQUESTS]
    data = [_request(c, full=client is not None and c.api_client_id == client.pk) for c in rows]
    return render(fmt, "service_requests", "request", data)


@open311_view("GET", "HEAD", "POST")
@throttle_writes("open311", limit=120, window_s=600, key=per_api_key, respond=refusal)
def requests_view(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    return _get_requests(request, fmt)


@open311_view("GET", "HEAD")
def request_detail(request, fmt, reference: str):
    client = _client(request, required=False)
    complaint = (
        Complaint.objects.filter(
            channel=Channel.OPEN311, reference=services.normalise_reference(reference)
        )
        .select_related("centre", "mda")
        .first()
    )
    own = complaint is not None and client is not None and complaint.api_client_id == client.pk
    if complaint is None or (complaint.category in MONITOR_CATEGORIES and not own):
        raise Open311Error(404, _("service_request_id not found"))
    return render(fmt, "service_requests", "request", [_request(complaint, full=own)])

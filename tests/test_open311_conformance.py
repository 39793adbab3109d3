"""GeoReport v2 conformance, point by point, in both formats: one table of POST cases named by
the specification's own fields (wiki.open311.org/GeoReport_v2, "POST Service Request":
required and optional arguments, "Possible Errors"), then the refusals made outside the views
(method, size, rate, hostile input), which must be the spec's {code, description} list too."""

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from huduma.complaints.models import Complaint
from huduma.complaints.services import api_client_create

FORMATS = ["json", "xml"]


@pytest.fixture
def api_key(world):
    return api_client_create(name="Civic app")[1]


def base(key, world, **extra):
    data = {
        "api_key": key,
        "jurisdiction_id": "huduma.go.ke",
        "service_code": "service_quality",
        "attribute[centre]": world.gpo.code,
        "lat": "-1.2841",
        "long": "36.8155",
    }
    data.update(extra)
    return {name: value for name, value in data.items() if value is not None}


def errors(response, fmt):
    """The spec's error list: [{code, description}], as JSON or <errors><error>..."""
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
    else:
        assert response["Content-Type"].startswith("text/xml")
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        body = [
            {"code": int(e.find("code").text), "description": e.find("description").text}
            for e in root.findall("error")
        ]
    assert isinstance(body, list) and len(body) == 1, body
    assert set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status_code
    return body[0]


def created(response, fmt):
    if fmt == "json":
        return response.json()[0]
    request = ET.fromstring(response.content).find("request")
    return {child.tag: child.text for child in request}


# (case, overrides of the base filing, expected status, what the error names or None).
# None as a value removes the field from the request.
POST_CASES = [
    ("service_code unknown: 404", {"service_code": "potholes"}, 404, "service_code"),
    ("service_code missing: 400", {"service_code": None}, 400, "service_code"),
    ("description optional", {"description": None}, 201, None),
    ("description empty is as absent", {"description": ""}, 201, None),
    ("description of 4,000 characters", {"description": "x" * 4000}, 201, None),
    ("description over 4,000", {"description": "x" * 4001}, 400, "description"),
    ("no location at all", {"lat": None, "long": None}, 400, "location"),
    ("lat without long", {"long": None}, 400, "lat"),
    (
        "address_string alone is a location",
        {"lat": None, "long": None, "address_string": "Huduma Centre GPO, Nairobi"},
        201,
        None,
    ),
    (
        "address_id alone is a location (a centre code)",
        {"lat": None, "long": None, "attribute[centre]": None, "address_id": "gpo-nairobi"},
        201,
        None,
    ),
    ("email not an address", {"email": "not-an-email"}, 400, "email"),
    ("first_name too long", {"first_name": "x" * 101}, 400, "first_name"),
    (
        "submitter fields accepted",
        {
            "email": "wanjiru@example.com",
            "first_name": "Wanjiru",
            "last_name": "Kamau",
            "device_id": "tt222111",
            "account_id": "acct-77",
            "phone": "0712345678",
        },
        201,
        None,
    ),
    ("api_key missing", {"api_key": None}, 403, "api_key"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("case", "overrides", "status", "names"), POST_CASES, ids=[c[0] for c in POST_CASES]
)
def test_post_service_request_table(
    client, world, clock, api_key, fmt, case, overrides, status, names
):
    response = client.post(f"/open311/v2/requests.{fmt}", base(api_key, world, **overrides))
    assert response.status_code == status, response.content
    if status == 201:
        body = created(response, fmt)
        assert set(body) == {"service_request_id", "service_notice", "account_id"}
        complaint = Complaint.objects.get(reference=body["service_request_id"])
        assert complaint.centre == world.gpo
        return
    assert names in errors(response, fmt)["description"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_submitter_fields_are_kept_for_officers_and_never_published(
    client, world, clock, api_key, fmt
):
    filing = base(
        api_key,
        world,
        email="wanjiru@example.com",
        first_name="Wanjiru",
        last_name="Kamau",
        device_id="tt222111",
        account_id="acct-77",
        phone="0712345678",
        address_id="gpo-nairobi",
        description="Counter 2 closed at 11:00.",
    )
    response = client.post(f"/open311/v2/requests.{fmt}", filing)
    assert response.status_code == 201
    assert created(response, fmt)["account_id"] == "acct-77"  # the spec's POST response field
    complaint = Complaint.objects.get()
    assert complaint.reporter == {
        "email": "wanjiru@example.com",
        "first_name": "Wanjiru",
        "last_name": "Kamau",
        "device_id": "tt222111",
        "account_id": "acct-77",
    }
    assert complaint.location["address_id"] == "gpo-nairobi"
    assert complaint.phone == "+254712345678"
    for params in ({}, {"api_key": api_key}):  # the public, and even the filing client
        for path in ("requests", f"requests/{complaint.reference}"):
            body = client.get(f"/open311/v2/{path}.{fmt}", params).content.decode()
            for personal in ("wanjiru", "Wanjiru", "Kamau", "tt222111", "acct-77", "712345678"):
                assert personal not in body, (path, personal)


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_addresses_answer_other_methods_with_405_in_the_spec_format(world, fmt):
    # A real client carries no CSRF token: the answer must not be Django's CSRF page.
    client = Client(enforce_csrf_checks=True)
    for method, path in (
        ("post", "discovery"),
        ("post", "services"),
        ("post", "services/bribery"),
        ("delete", "requests"),
        ("put", "requests"),
        ("delete", "requests/ABCD-EFGH"),
        ("post", "requests/ABCD-EFGH"),
    ):
        response = getattr(client, method)(f"/open311/v2/{path}.{fmt}")
        assert response.status_code == 405, (method, path, response.content[:200])
        assert method.upper() in errors(response, fmt)["description"]
        assert "GET" in response["Allow"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_too_large_is_413_in_the_spec_format(client, world, api_key, fmt, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(
        f"/open311/v2/requests.{fmt}", base(api_key, world, description="x" * 20_000)
    )
    assert response.status_code == 413
    assert errors(response, fmt)["code"] == 413


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_input_is_400_in_the_spec_format(client, world, api_key, fmt):
    response = client.post(
        f"/open311/v2/requests.{fmt}", base(api_key, world, description="nul\x00here")
    )
    assert response.status_code == 400
    assert "description" in errors(response, fmt)["description"]
    assert client.get(f"/open311/v2/requests.{fmt}", {"status": "op\x00en"}).status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_rate_limit_is_429_in_the_spec_format(client, world, api_key, fmt, real_cache):
    for _attempt in range(1000):
        response = client.post(
            f"/open311/v2/requests.{fmt}", base(api_key, world, service_code="potholes")
        )
        if response.status_code == 429:
            break
        assert response.status_code == 404
    assert response.status_code == 429
    assert errors(response, fmt)["code"] == 429
    assert response["Retry-After"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_names_staff_is_offered_for_every_service_and_protects_the_complainant(
    client, world, clock, api_key, fmt
):
    definition = client.get(f"/open311/v2/services/service_quality.{fmt}")
    assert b"names_staff" in definition.content
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        base(api_key, world, **{"attribute[names_staff]": "yes", "description": "Rude officer"}),
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert complaint.names_staff and complaint.level == "secretariat"
    client.force_login(world.bob)  # the centre's manager
    assert complaint.reference not in client.get("/staff/complaints/").content.decode()

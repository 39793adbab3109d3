"""Open311 GeoReport v2 at /open311/v2/: discovery, services, definitions, POST and GET
requests in XML and JSON, with the specification's field names and error lists."""

import datetime as dt
import io
import re
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from huduma.complaints.models import Channel, Complaint
from huduma.complaints.services import api_client_create
from huduma.core import clock as core_clock
from huduma.notify.models import Message

# GeoReport v2 field names of a service request (GET requests / GET requests/<id>).
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
}  # fmt: skip
W3C = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$"


@pytest.fixture
def api_key(world):
    return api_client_create(name="Civic app")[1]


def post(client, fmt, **data):
    return client.post(f"/open311/v2/requests.{fmt}", data)


def filing(key, world, **extra):
    data = {
        "api_key": key,
        "jurisdiction_id": "huduma.go.ke",
        "service_code": "service_quality",
        "attribute[centre]": world.gpo.code,
        "attribute[service]": world.nhif_reg.code,
        "description": "Counter 2 closed at 11:00 with people waiting.",
        "phone": "0712345678",
        "lat": "-1.2841",
        "long": "36.8155",
    }
    data.update(extra)
    return data


def xml_requests(response):
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in request} for request in root.findall("request")]


def test_round_trip_in_json(client, world, clock, api_key):
    response = post(client, "json", **filing(api_key, world))
    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    complaint = Complaint.objects.get()
    assert created["service_request_id"] == complaint.reference
    assert complaint.channel == Channel.OPEN311 and complaint.centre == world.gpo
    assert Message.objects.filter(template="complaint_received").count() == 1

    listed = client.get("/open311/v2/requests.json", {"api_key": api_key}).json()
    one = client.get(f"/open311/v2/requests/{complaint.reference}.json", {"api_key": api_key})
    for request in (listed[0], one.json()[0]):
        assert set(request) == REQUEST_FIELDS
        assert request["service_request_id"] == complaint.reference
        assert request["service_code"] == "service_quality"
        assert request["status"] == "open"
        assert request["description"].startswith("Counter 2 closed")
        assert request["address_id"] == world.gpo.code
        assert request["lat"] == -1.2841 and request["long"] == 36.8155
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert request[field].endswith("+03:00"), field
    # Without the filing client's key the request is listed, its description is not.
    public = client.get(f"/open311/v2/requests/{complaint.reference}.json").json()[0]
    assert public["description"] is None and public["status"] == "open"


def test_round_trip_in_xml(client, world, clock, api_key):
    response = post(client, "xml", **filing(api_key, world))
    assert response.status_code == 201
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    [created] = xml_requests(response)
    reference = created["service_request_id"]
    assert reference == Complaint.objects.get().reference

    detail = client.get(f"/open311/v2/requests/{reference}.xml", {"api_key": api_key})
    [request] = xml_requests(detail)
    assert set(request) == REQUEST_FIELDS
    assert request["status"] == "open" and request["service_code"] == "service_quality"
    assert request["description"].startswith("Counter 2 closed")
    assert re.match(W3C, request["requested_datetime"])
    listed = xml_requests(client.get("/open311/v2/requests.xml", {"status": "open"}))
    assert [r["service_request_id"] for r in listed] == [reference]
    assert xml_requests(client.get("/open311/v2/requests.xml", {"status": "closed"})) == []


def test_discovery_services_and_definitions(client, world):
    discovery = client.get("/open311/v2/discovery.json").json()
    endpoint = discovery["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert ET.fromstring(client.get("/open311/v2/discovery.xml").content).tag == "discovery"

    services = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} >= {"service_quality", "bribery", "delay"}
    assert set(services[0]) == {
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
    }  # fmt: skip
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/metadata").text == "true"

    definition = client.get("/open311/v2/services/bribery.json").json()
    assert definition["service_code"] == "bribery"
    centre = definition["attributes"][0]
    assert centre["code"] == "centre" and centre["required"] is True
    assert centre["datatype"] == "singlevaluelist"
    assert {"key": "gpo-nairobi", "name": "Huduma Centre GPO"} in centre["values"]
    root = ET.fromstring(client.get("/open311/v2/services/bribery.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = client.get("/open311/v2/services/potholes.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code not found"}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_are_refused_with_the_spec_error_list(client, world, clock, api_key, fmt):
    def errors(response):
        if fmt == "json":
            return response.json()
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        return [
            {"code": int(e.find("code").text), "description": e.find("description").text}
            for e in root.findall("error")
        ]

    cases = [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "o311_wrong"}, 403, "api_key"),
        ({"service_code": "potholes"}, 404, "service_code"),
        ({"attribute[centre]": ""}, 400, "attribute[centre]"),
        ({"attribute[centre]": "atlantis"}, 400, "attribute[centre]"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"phone": "12"}, 400, "phone"),
        ({"lat": "91"}, 400, "lat"),
    ]
    for overrides, status, word in cases:
        response = post(client, fmt, **filing(api_key, world, **overrides))
        assert response.status_code == status, overrides
        [error] = errors(response)
        assert error["code"] == status and word in error["description"], overrides
    assert not Complaint.objects.exists()
    assert client.get(f"/open311/v2/requests/ZZZZ-ZZZZ.{fmt}").status_code == 404
    assert client.get(f"/open311/v2/requests.{fmt}", {"start_date": "yesterday"}).status_code == 400


def test_revoked_key_is_refused(client, world, clock):
    api_client, key = api_client_create(name="Old app")
    api_client.revoked_at = core_clock.now()
    api_client.save()
    assert post(client, "json", **filing(key, world)).status_code == 403


def test_get_requests_filters_and_default_window(client, world, clock, api_key):
    post(client, "json", **filing(api_key, world))
    clock.advance(days=100)
    recent = post(
        client, "json", **filing(api_key, world, service_code="delay", description="Late card.")
    ).json()[0]["service_request_id"]
    listed = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [recent]  # the last 90 days
    old_start = (core_clock.now() - dt.timedelta(days=120)).isoformat()
    everything = client.get("/open311/v2/requests.json", {"start_date": old_start}).json()
    assert len(everything) == 2
    by_code = client.get(
        "/open311/v2/requests.json", {"start_date": old_start, "service_code": "service_quality"}
    ).json()
    assert len(by_code) == 1 and by_code[0]["service_code"] == "service_quality"
    ids = ",".join(Complaint.objects.values_list("reference", flat=True))
    assert len(client.get("/open311/v2/requests.json", {"service_request_id": ids}).json()) == 2


def test_corruption_reports_are_listed_only_to_the_client_that_filed_them(
    client, world, clock, api_key
):
    reference = post(client, "json", **filing(api_key, world, service_code="bribery")).json()[0][
        "service_request_id"
    ]
    assert client.get("/open311/v2/requests.json").json() == []
    assert client.get(f"/open311/v2/requests/{reference}.json").status_code == 404
    mine = client.get(f"/open311/v2/requests/{reference}.json", {"api_key": api_key})
    assert mine.status_code == 200


def test_demo_prints_a_working_key(client, world, clock):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    line = next(
        line for line in out.getvalue().splitlines() if line.startswith("Open311 API key: ")
    )
    key = line.removeprefix("Open311 API key: ")
    assert post(client, "json", **filing(key, world)).status_code == 201

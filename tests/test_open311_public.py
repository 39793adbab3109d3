"""What Open311 publishes (GET requests, .json and .xml, one by id) names nobody: status_notes
is the public note the officer wrote for the purpose, never the internal resolution; the
address is the centre's name, never the client's address_string; no names, no phones."""

from xml.etree import ElementTree as ET

import pytest

from huduma.complaints import services
from huduma.complaints.models import Complaint
from huduma.complaints.services import api_client_create

INTERNAL = "Officer Peter Mwangi (counter 1) was warned; we called the citizen on 0712 555 010."
PUBLIC = "The counter's opening hours are now posted and enforced."
PERSONAL = ("Peter", "Mwangi", "0712 555 010", "555", "712345678", "Wanjiru")


def listed(client, fmt, path, **params):
    response = client.get(f"/open311/v2/{path}.{fmt}", params)
    assert response.status_code == 200
    if fmt == "json":
        return response.content.decode(), response.json()
    root = ET.fromstring(response.content)
    rows = [{child.tag: child.text for child in r} for r in root.findall("request")]
    return response.content.decode(), rows


@pytest.fixture
def filed(client, world, clock):
    key = api_client_create(name="Civic app")[1]
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "service_quality",
            "attribute[centre]": world.gpo.code,
            "address_string": "counter 1 (Peter Mwangi)",
            "first_name": "Wanjiru",
            "phone": "0712345678",
            "description": "Counter 1 closed at 11:00.",
        },
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    services.complaint_take(complaint=complaint, actor=world.bob)
    return complaint


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_public_note_is_published_and_the_internal_resolution_is_not(
    client, world, clock, filed, fmt
):
    services.complaint_resolve(
        complaint=filed, actor=world.bob, resolution=INTERNAL, public_note=PUBLIC
    )
    for path in ("requests", f"requests/{filed.reference}"):
        body, [row] = listed(client, fmt, path)
        assert row["status_notes"] == PUBLIC
        assert row["address"] == "Huduma Centre GPO"
        assert row["address_id"] == world.gpo.code
        for personal in PERSONAL:
            assert personal not in body, (path, personal)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_without_a_public_note_only_the_status_is_published(client, world, clock, filed, fmt):
    services.complaint_resolve(complaint=filed, actor=world.bob, resolution=INTERNAL)
    body, [row] = listed(client, fmt, "requests")
    assert row["status_notes"] == "Resolved, waiting for your confirmation"
    for personal in PERSONAL:
        assert personal not in body, personal


def test_the_officer_writes_the_public_note_on_the_resolve_form(client, world, clock, filed):
    client.force_login(world.bob)
    page = client.get(f"/staff/complaints/{filed.reference}/")
    services.complaint_start(complaint=filed, actor=world.bob)
    page = client.get(f"/staff/complaints/{filed.reference}/").content.decode()
    assert 'name="public_note"' in page and "Public status note" in page
    too_long = client.post(
        f"/staff/complaints/{filed.reference}/resolve/",
        {"resolution": INTERNAL, "public_note": "x" * 501},
    )
    assert too_long.status_code == 400
    assert "public note in 500 characters" in too_long.content.decode()
    client.post(
        f"/staff/complaints/{filed.reference}/resolve/",
        {"resolution": INTERNAL, "public_note": PUBLIC},
    )
    filed.refresh_from_db()
    assert filed.public_note == PUBLIC and filed.resolution == INTERNAL

"""Limits per target as well as per address (issue 17): a complaint reference, a tracking
number and the pairing codes stop answering after a few wrong tries, whatever the address the
tries come from; real users behind one address (a cyber café, a centre's tablets) are not shut
out, and authenticated channels count per device or API key."""

import pytest
from django.core.cache import cache
from django.test import Client

from huduma.accounts import devices
from huduma.accounts.models import Device
from huduma.applications import services as applications
from huduma.complaints.models import Complaint
from huduma.complaints.services import api_client_create
from huduma.queues import services as queues
from huduma.queues.models import Visit
from tests.conftest import pair_device

pytestmark = pytest.mark.django_db


def from_address(n: int) -> Client:
    """A client at its own address (a botnet's rotating addresses)."""
    return Client(REMOTE_ADDR=f"10.{n // 250}.{n % 250}.7")


CAFE = "196.201.214.10"


def lodge(client, n=0):
    return client.post(
        "/complaints/new/details/?category=service_quality",
        {
            "text": f"Waited four hours and nobody served me ({n}).",
            "phone": "0712345678",
            "form_token": f"cafe-{n}",
        },
    )


def test_100_rotating_addresses_guessing_one_reference_are_blocked(world, clock, real_cache):
    lodge(Client())
    complaint = Complaint.objects.get()
    statuses = [
        from_address(n)
        .post("/complaints/track/", {"reference": complaint.reference, "proof": f"07220{n:05d}"})
        .status_code
        for n in range(100)
    ]
    assert statuses[:5] == [400] * 5  # a citizen mistyping is told so
    assert set(statuses[5:]) == {429}  # then the reference stops answering, whatever the address
    # Even the right phone, from yet another address, no longer opens the complaint.
    right = from_address(500).post(
        "/complaints/track/", {"reference": complaint.reference, "proof": "0712345678"}
    )
    assert right.status_code == 429
    assert "Too many wrong tries for this reference" in right.content.decode()
    assert "Waited four hours" not in right.content.decode()
    # Another complaint's reference is not affected.
    lodge(Client(), n=1)
    other = Complaint.objects.exclude(pk=complaint.pk).get()
    opened = from_address(501).post(
        "/complaints/track/", {"reference": other.reference, "proof": "0712345678"}
    )
    assert opened.status_code == 302


def test_50_clients_behind_one_address_each_lodge_and_track(world, clock, real_cache):
    """A cyber café: fifty people, one address; each lodges a complaint and tracks it."""
    results = []
    for n in range(50):
        citizen = Client(REMOTE_ADDR=CAFE)
        lodged = lodge(citizen, n)
        reference = Complaint.objects.get(text__contains=f"({n})").reference
        tracked = Client(REMOTE_ADDR=CAFE).post(
            "/complaints/track/", {"reference": reference, "proof": "0712345678"}
        )
        results.append((lodged.status_code, tracked.status_code))
    assert results == [(302, 302)] * 50
    # One browser is still limited: the eleventh complaint in a quarter hour is refused.
    one = Client(REMOTE_ADDR=CAFE)
    statuses = [lodge(one, 100 + n).status_code for n in range(11)]
    assert statuses == [302] * 10 + [429]


@pytest.fixture
def application(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    return applications.application_open(ticket=ticket, officer=world.alice)[0]


def test_tracking_number_stops_answering_whatever_the_address(application, real_cache):
    number = application.tracking_number
    statuses = [
        from_address(n)
        .post("/applications/track/", {"tracking_number": number, "phone": f"07220{n:05d}"})
        .status_code
        for n in range(20)
    ]
    assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}
    right = from_address(99).post(
        "/applications/track/", {"tracking_number": number, "phone": "0712345678"}
    )
    assert right.status_code == 429
    assert "Replacement of a lost ID card" not in right.content.decode()


def test_fifty_cafe_users_track_their_applications(application, real_cache):
    statuses = {
        Client(REMOTE_ADDR=CAFE)
        .post(
            "/applications/track/",
            {"tracking_number": application.tracking_number, "phone": "0712345678"},
        )
        .status_code
        for _n in range(50)
    }
    assert statuses == {200}


def test_a_centre_pairs_fifty_devices_from_its_one_address(world, real_cache):
    codes = [
        devices.device_register(
            centre=world.gpo, kind=Device.Kind.KIOSK, name=f"Kiosk {n}", actor=world.bob
        )[1]
        for n in range(50)
    ]
    statuses = [
        Client(REMOTE_ADDR=CAFE).post("/device/pair/", {"code": code}).status_code for code in codes
    ]
    assert statuses == [302] * 50
    assert Device.objects.filter(status=Device.Status.ACTIVE).count() == 50


def test_wrong_pairing_codes_are_limited_nationwide(world, real_cache, monkeypatch):
    monkeypatch.setattr(devices, "PAIRING_WRONG_NATIONWIDE", 30)
    _device, code = devices.device_register(
        centre=world.gpo, kind=Device.Kind.KIOSK, name="Kiosk", actor=world.bob
    )
    statuses = [
        from_address(n).post("/device/pair/", {"code": f"WRONG{n:03d}"}).status_code
        for n in range(40)
    ]
    assert statuses[:30] == [400] * 30 and set(statuses[30:]) == {429}
    refused = from_address(99).post("/api/devices/pair", {"code": code}, "application/json")
    assert refused.status_code == 429
    assert Device.objects.get().status == Device.Status.PENDING


def test_wrong_pairing_codes_are_limited_per_address(world, real_cache):
    cafe = Client(REMOTE_ADDR=CAFE)
    statuses = [
        cafe.post("/device/pair/", {"code": f"WRONG{n:03d}"}).status_code for n in range(21)
    ]
    assert statuses == [400] * 20 + [429]
    # Another address is still answered.
    assert from_address(1).post("/device/pair/", {"code": "WRONG999"}).status_code == 400


def test_kiosks_sharing_an_address_count_on_their_own(world, clock, real_cache):
    """A centre's kiosks share its address; each has its own limit (counted per device)."""
    first, second = (pair_device(world, world.gpo, "kiosk", name=f"Kiosk {n}") for n in (1, 2))
    url = "/kiosk/gpo-nairobi/"

    def issue(token):
        kiosk = Client(REMOTE_ADDR=CAFE)
        kiosk.cookies[devices.COOKIE_NAME] = token
        form = {
            "services": [world.nhif_reg.pk],
            "language": "en",
            "confirm": "1",
            "requirements_confirmed": "yes",
            "idempotency_key": token[:4].encode().hex() * 8,
        }
        return kiosk.post(url, form).status_code

    # The first kiosk has used up its limit (a busy hour's worth of tickets)...
    first_device = Device.objects.get(name="Kiosk 1")
    cache.set(f"throttle:kiosk:device:{first_device.pk}", 600, 600)
    assert issue(first) == 429
    # ...the second kiosk, at the same address, still issues tickets.
    assert issue(second) == 302
    assert Visit.objects.count() == 1


def test_open311_posts_count_per_api_key(world, clock, real_cache):
    busy = api_client_create(name="Busy app")[1]
    quiet = api_client_create(name="Quiet app")[1]
    client = Client(REMOTE_ADDR=CAFE)
    # The busy integrator's 120 POSTs (badly formed: quick to refuse, still counted).
    for _n in range(120):
        client.post("/open311/v2/requests.json", {"api_key": busy})
    assert client.post("/open311/v2/requests.json", {"api_key": busy}).status_code == 429
    # Another integrator at the same address still files.
    filed = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": quiet,
            "jurisdiction_id": "huduma.go.ke",
            "service_code": "service_quality",
            "attribute[centre]": world.gpo.code,
            "description": "Counter 2 closed at 11:00 with people waiting.",
            "phone": "0712345678",
            "lat": "-1.2841",
            "long": "36.8155",
        },
    )
    assert filed.status_code == 201

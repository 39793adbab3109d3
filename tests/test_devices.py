"""Registered devices: a Centre Manager registers and pairs a tablet, which then works until
revoked; codes are one-time and short-lived; nobody pairs for another centre."""

import datetime as dt
import re

import pytest

from huduma.accounts import devices
from huduma.accounts.models import Device, User
from huduma.core.errors import Forbidden


def register(client, world, **data):
    client.force_login(world.bob)
    return client.post(
        "/staff/centres/gpo-nairobi/devices/",
        {"kind": "feedback_tablet", "name": "Tablet 1", **data},
    )


def shown_code(response) -> str:
    return re.search(r'data-testid="pairing-code">([A-Z0-9]+)<', response.content.decode())[1]


def pair(client, code):
    return client.post("/device/pair/", {"code": code})


def test_manager_registers_pairs_and_the_tablet_is_recognised(client, world):
    counter = world.counters[("gpo-nairobi", 1)]
    response = register(client, world, counter=counter.pk)
    assert response.status_code == 200
    code = shown_code(response)
    assert "<svg" in response.content.decode()  # the QR code of the pairing URL
    device = Device.objects.get(name="Tablet 1")
    assert device.status == Device.Status.PENDING
    assert device.pairing_code_hash != code  # only a digest is stored

    response = pair(client, code.lower())  # typed by hand: case does not matter
    assert response.status_code == 302
    token = response.cookies[devices.COOKIE_NAME]
    assert token["httponly"]
    # The manager was signed in on this browser: pairing signed them out.
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    assert device.status == Device.Status.ACTIVE
    assert device.token_hash == devices.digest(token.value)

    # The API side of the same device.
    api = client.get("/api/devices/me", HTTP_AUTHORIZATION=f"Device {token.value}", HTTP_COOKIE="")
    assert api.status_code == 200
    assert api.json()["counter"] == 1
    assert api.json()["centre"] == "gpo-nairobi"
    # A device is not staff: its cookie opens no staff page.
    assert client.get("/staff/centres/gpo-nairobi/live/").status_code == 302


def test_revoked_device_is_refused(client, world):
    counter = world.counters[("gpo-nairobi", 2)]
    code = shown_code(register(client, world, counter=counter.pk))
    token = pair(client, code).cookies[devices.COOKIE_NAME].value
    assert client.get("/device/paired/").status_code == 200

    device = Device.objects.get(name="Tablet 1")
    client.force_login(world.bob)
    response = client.post(f"/staff/centres/gpo-nairobi/devices/{device.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    client.cookies[devices.COOKIE_NAME] = token

    page = client.get("/device/paired/")
    assert page.status_code == 403
    assert "This device is not registered" in page.content.decode()
    api = client.get("/api/devices/me", HTTP_AUTHORIZATION=f"Device {token}")
    assert api.status_code == 403
    assert api.json()["code"] == "device_not_registered"


def test_unknown_device_is_refused(client, world):
    assert client.get("/device/paired/").status_code == 403
    response = client.get("/api/devices/me", HTTP_AUTHORIZATION="Device made-up-token")
    assert response.status_code == 403
    assert "not registered" in response.json()["detail"]


def test_used_code_is_refused(client, world):
    code = shown_code(register(client, world, counter=world.counters[("gpo-nairobi", 1)].pk))
    assert pair(client, code).status_code == 302
    again = pair(client, code)
    assert again.status_code == 400
    assert "wrong, expired or already used" in again.content.decode()
    api = client.post("/api/devices/pair", {"code": code}, content_type="application/json")
    assert api.status_code == 400
    assert api.json()["field"] == "code"


def test_expired_code_is_refused(client, world, clock):
    code = shown_code(register(client, world, counter=world.counters[("gpo-nairobi", 1)].pk))
    clock.advance(minutes=11)
    response = client.post("/api/devices/pair", {"code": code}, content_type="application/json")
    assert response.status_code == 400
    assert Device.objects.get(name="Tablet 1").status == Device.Status.PENDING


def test_new_pairing_code_replaces_the_old_token(client, world):
    code = shown_code(register(client, world, counter=world.counters[("gpo-nairobi", 1)].pk))
    old = pair(client, code).cookies[devices.COOKIE_NAME].value
    device = Device.objects.get(name="Tablet 1")
    client.force_login(world.bob)
    response = client.post(f"/staff/centres/gpo-nairobi/devices/{device.pk}/pairing-code/")
    new = client.post(
        "/api/devices/pair", {"code": shown_code(response)}, content_type="application/json"
    )
    assert new.status_code == 201
    assert client.get("/api/devices/me", HTTP_AUTHORIZATION=f"Device {old}").status_code == 403
    token = new.json()["token"]
    assert client.get("/api/devices/me", HTTP_AUTHORIZATION=f"Device {token}").status_code == 200


def test_other_centres_counter_is_refused(client, world):
    kisumu_counter = world.counters[("kisumu", 1)]
    response = register(client, world, counter=kisumu_counter.pk)
    assert response.status_code == 400  # not offered by the form
    assert not Device.objects.exists()
    with pytest.raises(Forbidden):
        devices.device_register(
            centre=world.gpo, kind="feedback_tablet", name="x", counter=kisumu_counter, actor=None
        )


def test_only_the_centres_manager_registers_devices(client, world):
    client.force_login(world.alice)  # counter officer at GPO
    assert client.get("/staff/centres/gpo-nairobi/devices/").status_code == 403
    client.force_login(world.charlie)  # another centre
    assert client.get("/staff/centres/gpo-nairobi/devices/").status_code == 403
    client.force_login(world.bob)
    assert client.get("/staff/centres/kisumu/devices/").status_code == 403
    assert client.get("/staff/centres/gpo-nairobi/devices/").status_code == 200


def test_last_seen_is_recorded_but_not_on_every_request(client, world, clock):
    device, code = devices.device_register(
        centre=world.gpo,
        kind="feedback_tablet",
        name="T",
        counter=world.counters[("gpo-nairobi", 1)],
        actor=world.bob,
    )
    _device, token = devices.device_pair(code=code)
    paired_at = clock.current
    clock.advance(seconds=30)
    devices.device_authenticate(token=token)
    device.refresh_from_db()
    assert device.last_seen_at == paired_at
    clock.advance(minutes=2)
    devices.device_authenticate(token=token)
    device.refresh_from_db()
    assert device.last_seen_at == clock.current
    assert device.last_seen_at - paired_at == dt.timedelta(minutes=2, seconds=30)


def test_demo_prints_pairing_codes_that_open_the_kiosk(client, world):
    """`make demo` prints a code per demo device; entering the kiosk's opens the kiosk."""
    import io

    from django.core.management import call_command

    from huduma.places.models import SubCounty

    for name in ("Kibra", "Westlands"):
        SubCounty.objects.create(county=world.gpo.county, name=name)
    for _run in range(2):  # re-running gives new codes for the same devices
        out = io.StringIO()
        call_command("load_demo", stdout=out)
    # Next month's outreach calendar is there to open, one per sub-county, never twice.
    assert "Huduma Mashinani: 2 outreaches proposed for " in out.getvalue()
    line = next(s for s in out.getvalue().splitlines() if s.strip().startswith("Demo kiosk"))
    code = line.split()[-1]
    paired = client.post("/device/pair/", {"code": code})
    assert paired["Location"] == "/kiosk/gpo-nairobi/"
    assert client.get("/kiosk/gpo-nairobi/").status_code == 200
    assert Device.objects.filter(name="Demo kiosk").count() == 1
    # Staff pages show these names: the centre's own name, not one letter short of it.
    manager = User.objects.get(username="manager.gpo")
    assert manager.get_full_name() == f"Manager {world.gpo.name.removeprefix('Huduma Centre ')}"
    assert manager.last_name.startswith("GPO")

"""Counter officers and Centre Managers sign in with a second factor too (issue 17): a code
from their authenticator at a new device, after which that device is registered and stands for
the second factor there; the Secretariat still types a code every time."""

import time

import pytest
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_cache")]

CODE_PAGE = "/staff/sign-in/code/"


def code_for(user):
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def password(client, username):
    return client.post("/staff/sign-in/", {"username": username, "password": f"pw-{username}"})


@override_settings(STAFF_SECOND_FACTOR_AT_COUNTERS=True)
def test_a_counter_officer_needs_a_code_at_a_new_device_and_not_at_her_registered_one(world):
    desk = Client()
    password(desk, "alice")
    refused = desk.get("/staff/counter/")
    assert refused.status_code == 302 and refused["Location"].startswith(CODE_PAGE)
    enrol = desk.get(CODE_PAGE)
    assert "Set up your authenticator app" in enrol.content.decode()
    done = desk.post(CODE_PAGE, {"code": code_for(world.alice)})
    assert done.status_code == 302
    assert desk.get("/staff/").status_code == 302  # through to her pages
    assert not desk.get("/staff/").url.startswith(CODE_PAGE)
    desk.post("/staff/sign-out/")

    # Her registered device: the password alone completes the sign-in.
    again = password(desk, "alice")
    assert again.status_code == 302
    assert not desk.get(again["Location"]).get("Location", "").startswith(CODE_PAGE)
    assert desk.session.get("otp_device_id")

    # Anywhere else, the code is asked.
    elsewhere = Client()
    password(elsewhere, "alice")
    assert elsewhere.get("/staff/").url.startswith(CODE_PAGE)


@override_settings(STAFF_SECOND_FACTOR_AT_COUNTERS=True)
def test_a_centre_manager_needs_a_second_factor_too(world):
    manager = Client()
    password(manager, "bob")
    response = manager.get("/staff/centres/gpo-nairobi/live/")
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)


@override_settings(STAFF_SECOND_FACTOR_AT_COUNTERS=True)
def test_the_secretariat_types_a_code_even_at_a_known_device(world):
    desk = Client()
    password(desk, "sam")
    desk.get(CODE_PAGE)  # enrolment
    assert desk.post(CODE_PAGE, {"code": code_for(world.sam)}).status_code == 302
    desk.post("/staff/sign-out/")
    password(desk, "sam")
    assert desk.get("/staff/").url.startswith(CODE_PAGE)


def test_production_asks_it():
    from huduma import settings as production

    assert production.STAFF_SECOND_FACTOR_AT_COUNTERS is True

"""Sign-in no stranger can block (issue 17): wrong passwords from strangers lock the username
on unknown devices and slow down their source, never the officer at their own known device;
a locked officer with an authenticator unlocks themselves."""

import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from huduma.accounts import lockout
from huduma.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SIGN_IN = "/staff/sign-in/"


def attempt(client, username, password):
    return client.post(SIGN_IN, {"username": username, "password": password})


def stranger(n: int) -> Client:
    return Client(REMOTE_ADDR=f"10.9.{n // 250}.{n % 250}")


def known_device_of(username: str, password: str) -> Client:
    """A browser where the officer signed in before (it keeps its known-device cookie)."""
    device = Client(REMOTE_ADDR="196.201.214.50")
    assert attempt(device, username, password).status_code == 302
    assert lockout.KNOWN_DEVICE_COOKIE in device.cookies
    device.post("/staff/sign-out/")
    return device


@override_settings(AXES_FAILURE_LIMIT=5)
def test_strangers_cannot_lock_the_officer_out_of_their_own_device(world, real_cache):
    desk = known_device_of("alice", "pw-alice")
    statuses = [attempt(stranger(n), "alice", "wrong").status_code for n in range(5)]
    assert statuses[-1] == 429  # the username is locked on unknown devices...
    assert attempt(stranger(9), "alice", "pw-alice").status_code == 429
    at_desk = attempt(desk, "alice", "pw-alice")  # ...not at her own desk,
    assert at_desk.status_code == 302
    assert at_desk["Location"] == reverse("queues:my_counter")  # where an officer lands


@override_settings(AXES_FAILURE_LIMIT=5)
def test_wrong_passwords_at_a_known_device_count_on_their_own(world, real_cache):
    desk = known_device_of("alice", "pw-alice")
    for _ in range(4):
        assert attempt(desk, "alice", "wrong").status_code == 200
    assert attempt(desk, "alice", "wrong").status_code == 429
    # A forged or foreign cookie is no known device: it counts with everyone else.
    forged = Client()
    forged.cookies[lockout.KNOWN_DEVICE_COOKIE] = "not-signed"
    assert attempt(forged, "alice", "wrong").status_code == 200


def test_the_source_of_many_wrong_passwords_is_slowed_down(world, real_cache, monkeypatch):
    monkeypatch.setattr(lockout, "SOURCE_FAILURE_LIMIT", 6)
    desk = known_device_of("bob", "pw-bob")
    attacker = Client(REMOTE_ADDR="196.201.214.50")  # the same address as bob's desk
    for n in range(6):  # spread over usernames, so no username lockout
        attempt(attacker, f"user{n}", "wrong")
    refused = attempt(attacker, "alice", "pw-alice")
    assert refused.status_code == 429
    assert "Too many wrong sign-ins from this network" in refused.content.decode()
    assert attempt(desk, "bob", "pw-bob").status_code == 302  # a known device still signs in


def totp_code(user):
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_locked_officer_unlocks_themselves_with_their_authenticator(world, real_cache):
    TOTPDevice.objects.create(user=world.sam, name="Authenticator app", confirmed=True)
    for n in range(3):
        attempt(stranger(n), "sam", "wrong")
    locked = attempt(Client(), "sam", "pw-sam")
    assert locked.status_code == 429
    assert "/staff/sign-in/unlock/" in locked.content.decode()
    me = Client()
    wrong = me.post(
        "/staff/sign-in/unlock/", {"username": "sam", "password": "pw-sam", "code": "000000"}
    )
    assert (
        wrong.status_code == 400 and "The password or the code is wrong" in wrong.content.decode()
    )
    no_password = me.post(
        "/staff/sign-in/unlock/",
        {"username": "sam", "password": "wrong", "code": totp_code(world.sam)},
    )
    assert no_password.status_code == 400
    done = me.post(
        "/staff/sign-in/unlock/",
        {"username": "sam", "password": "pw-sam", "code": totp_code(world.sam)},
    )
    assert done.status_code == 302
    assert AuditEntry.objects.filter(action="auth.unlocked_with_second_factor").count() == 1
    signed_in = attempt(me, "sam", "pw-sam")
    assert signed_in.status_code == 302  # the password step passes; the code step follows
    assert me.get(signed_in["Location"])["Location"].startswith("/staff/sign-in/code/")


def test_unlock_tries_are_limited_per_username(world, real_cache):
    TOTPDevice.objects.create(user=world.sam, name="Authenticator app", confirmed=True)
    statuses = [
        stranger(n)
        .post("/staff/sign-in/unlock/", {"username": "sam", "password": "x", "code": "123456"})
        .status_code
        for n in range(6)
    ]
    assert statuses == [400] * 5 + [429]

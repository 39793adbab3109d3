"""Two-factor sign-in (TOTP) for the Secretariat, system administrators and the admin site:
enrol an authenticator on first sign-in, then a 6-digit code at every sign-in."""

import re
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from huduma.core.models import AuditEntry
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db

CODE_PAGE = "/staff/sign-in/code/"


def code_for(device, offset_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def password_step(client, username, password, next_url="/staff/"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, "next": next_url}
    )


def test_admin_requires_a_verified_totp_device(client, world):
    client.force_login(world.sam)  # password only
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_PAGE)
    sign_in_verified(client, world.sam)
    assert client.get("/admin/").status_code == 200


def test_admin_staff_without_a_national_role_also_need_the_code(client, world):
    world.bob.is_staff = True
    world.bob.save()
    client.force_login(world.bob)
    assert client.get("/admin/")["Location"].startswith(CODE_PAGE)


def test_admin_refuses_signed_in_staff_who_are_not_admin_staff(client, world):
    client.force_login(world.alice)
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get(reverse("admin:login")).status_code == 403


def test_secretariat_staff_pages_and_api_need_the_code(client, world):
    client.force_login(world.sam)
    page = client.get(reverse("accounts:centre", args=["gpo-nairobi"]))
    assert page.status_code == 302
    assert page["Location"].startswith(CODE_PAGE)
    api = client.get("/api/queues/centres/gpo-nairobi/live")
    assert api.status_code == 403
    assert api.json()["code"] == "two_factor_required"


def test_counter_officer_signs_in_with_a_password_alone(client, world):
    response = password_step(client, "alice", "pw-alice")
    assert response.status_code == 302
    assert client.get(reverse("accounts:centre", args=["gpo-nairobi"])).status_code == 200


def test_first_sign_in_enrols_an_authenticator(client, world):
    response = password_step(client, "sam", "pw-sam", next_url="/staff/centres/gpo-nairobi/")
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"].startswith(CODE_PAGE)
    enrol = client.get(follow["Location"])
    html = enrol.content.decode()
    assert "Set up your authenticator app" in html
    assert "<svg" in html  # the QR code
    device = TOTPDevice.objects.get(user=world.sam)
    assert not device.confirmed
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "")  # the key to type in by hand
    # A reload shows the same key (the app already scanned may keep it).
    assert secret in client.get(follow["Location"]).content.decode()

    wrong = client.post(follow["Location"], {"code": code_for(device, offset_steps=10)})
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.content.decode()  # error summary at the top
    assert client.get("/staff/centres/gpo-nairobi/").status_code == 302

    done = client.post(follow["Location"], {"code": code_for(device)})
    assert done.status_code == 302
    assert done["Location"] == "/staff/centres/gpo-nairobi/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/centres/gpo-nairobi/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.two_factor_enrolled").count() == 1


def test_every_later_sign_in_asks_for_the_code(client, world):
    device = TOTPDevice.objects.create(user=world.sam, name="phone", confirmed=True)
    password_step(client, "sam", "pw-sam")
    page = client.get(CODE_PAGE + "?next=/admin/")
    html = page.content.decode()
    assert "Enter your authenticator code" in html and "<svg" not in html
    done = client.post(CODE_PAGE, {"code": code_for(device), "next": "/admin/"})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=5)
def test_wrong_codes_count_toward_lockout(client, world):
    device = TOTPDevice.objects.create(user=world.sam, name="phone", confirmed=True)
    password_step(client, "sam", "pw-sam")
    for _ in range(4):
        assert client.post(CODE_PAGE, {"code": code_for(device, 10)}).status_code == 400
    locked = client.post(CODE_PAGE, {"code": code_for(device, 10)})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session  # signed out
    # Signing in again with the right password does not clear the wrong codes.
    assert password_step(client, "sam", "pw-sam").status_code == 429


def test_the_code_page_rejects_an_offsite_next(client, world):
    device = TOTPDevice.objects.create(user=world.sam, name="phone", confirmed=True)
    password_step(client, "sam", "pw-sam")
    done = client.post(CODE_PAGE, {"code": code_for(device), "next": "https://evil.example/"})
    assert done["Location"] == reverse("accounts:home")

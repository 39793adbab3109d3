"""The Secretariat's first sign-in in Chromium: enrol an authenticator, then reach the staff
pages; and the lockout page. Each page checked with axe-core."""

import time

import pytest
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, password):
    page.goto(f"{base}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_secretariat_enrols_an_authenticator_at_first_sign_in(browser, live_server, world):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server.url, "sam", "pw-sam")
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    device = TOTPDevice.objects.get(user=world.sam)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    page.get_by_label("6-digit code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("heading", name="Centres")).to_be_visible()
    page.context.close()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_page(browser, live_server, world):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for _ in range(3):
        sign_in(page, live_server.url, "alice", "wrong")
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
    expect(page.get_by_text("Try again in 15 minutes")).to_be_visible()
    assert_accessible(page)
    page.context.close()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_locked_officer_unlocks_with_the_authenticator(browser, live_server, world):
    device = TOTPDevice.objects.create(user=world.sam, name="Authenticator app", confirmed=True)
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for _ in range(3):
        sign_in(page, live_server.url, "sam", "wrong")
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
    page.get_by_role("link", name="unlock with your authenticator code").click()
    expect(page.get_by_role("heading", name="Unlock your sign-in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("pw-sam")
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    page.get_by_label("Password").fill("pw-sam")
    page.get_by_label("6-digit code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("heading", name="Staff sign in")).to_be_visible()
    page.context.close()


def test_a_network_with_many_wrong_sign_ins_is_told_to_wait(
    browser, live_server, world, real_cache, monkeypatch
):
    from huduma.accounts import lockout

    monkeypatch.setattr(lockout, "SOURCE_FAILURE_LIMIT", 2)
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for username in ("nobody1", "nobody2", "alice"):
        sign_in(page, live_server.url, username, "wrong")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("Too many wrong sign-ins from this network").first).to_be_visible()
    assert_accessible(page)
    page.context.close()

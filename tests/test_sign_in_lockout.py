"""Progressive lockout of staff sign-in: after N wrong attempts the username is locked for a
while, longer on each further lockout, and the person is told when to try again."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from huduma.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SIGN_IN = "/staff/sign-in/"


def attempt(client, username, password, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


def fail(client, username, times):
    for _ in range(times):
        response = attempt(client, username, "wrong")
    return response


def age_attempts(minutes):
    """Move every recorded failure `minutes` into the past (as if that time had passed)."""
    for row in AccessAttempt.objects.all():
        row.attempt_time -= dt.timedelta(minutes=minutes)
        row.save()


@override_settings(STAFF_SIGNIN_FAILURE_LIMIT=5, AXES_FAILURE_LIMIT=5, STAFF_LOCKOUT_MINUTES=15)
def test_lockout_after_failed_sign_ins(client, world):
    for _ in range(4):
        assert attempt(client, "alice", "wrong").status_code == 200  # the form, with its error
    locked = attempt(client, "alice", "wrong")
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.content.decode()
    assert 14 * 60 <= int(locked["Retry-After"]) <= 15 * 60
    # Now even the right password is refused, and nobody is signed in.
    again = attempt(client, "alice", "pw-alice")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.locked_out", object_repr="alice").count() == 1
    # Another officer at the same address is not affected.
    assert attempt(client, "bob", "pw-bob").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=5, STAFF_LOCKOUT_MINUTES=15)
def test_second_lockout_lasts_twice_as_long(client, world):
    fail(client, "alice", 5)
    age_attempts(16)  # the first lockout is over...
    assert fail(client, "alice", 4).status_code == 200
    second = attempt(client, "alice", "wrong")  # ...and a second one follows
    assert second.status_code == 429
    assert "Try again in 30 minutes" in second.content.decode()
    age_attempts(16)
    assert attempt(client, "alice", "pw-alice").status_code == 429  # still locked after 16 min
    age_attempts(15)
    assert attempt(client, "alice", "pw-alice").status_code == 302  # free after 31


@override_settings(AXES_FAILURE_LIMIT=5)
def test_successful_sign_in_resets_the_failure_count(client, world):
    fail(client, "alice", 4)
    assert attempt(client, "alice", "pw-alice").status_code == 302
    client.post(reverse("accounts:logout"))
    # Four more failures: locked only if the first four still counted.
    assert fail(client, "alice", 4).status_code == 200
    assert attempt(client, "alice", "pw-alice").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=5)
def test_locked_out_page_in_swahili(client, world):
    client.cookies["django_language"] = "sw"
    fail(client, "alice", 4)
    locked = attempt(client, "alice", "wrong", HTTP_ACCEPT_LANGUAGE="sw")
    assert locked.status_code == 429
    assert "Jaribu tena baada ya dakika 15" in locked.content.decode()


def test_admin_sign_in_goes_through_the_staff_sign_in(client, world):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)

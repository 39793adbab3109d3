"""A staff session ends after STAFF_IDLE_TIMEOUT_MINUTES without activity; a screen polling
for updates is not activity; the last-activity stamp is written at most once a minute."""

import pytest
from django.test import override_settings
from django.urls import reverse

from huduma.accounts.services import LAST_ACTIVITY_KEY
from huduma.core import clock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

CENTRE_PAGE = "/staff/centres/gpo-nairobi/"
LIVE = "/staff/centres/gpo-nairobi/live/"


def sign_in(client, username):
    client.post(reverse("accounts:login"), {"username": username, "password": f"pw-{username}"})
    assert "_auth_user_id" in client.session


def idle_for(client, minutes):
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(clock.now().timestamp()) - minutes * 60
    session.save()


def stamp(client):
    return client.session[LAST_ACTIVITY_KEY]


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_idle_session_ends_and_says_why(client):
    sign_in(client, "alice")
    idle_for(client, 31)
    response = client.get(CENTRE_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()
    assert client.get(CENTRE_PAGE).status_code == 302  # still signed out


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_activity_keeps_the_session(client):
    sign_in(client, "alice")
    idle_for(client, 29)
    assert client.get(CENTRE_PAGE).status_code == 200
    assert int(clock.now().timestamp()) - stamp(client) < 5  # the stamp moved on


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_the_stamp_is_written_at_most_once_a_minute(client):
    sign_in(client, "bob")
    idle_for(client, 0)
    before = stamp(client) - 30  # half a minute ago
    session = client.session
    session[LAST_ACTIVITY_KEY] = before
    session.save()
    client.get(CENTRE_PAGE)
    assert stamp(client) == before  # not rewritten within the minute
    idle_for(client, 2)
    client.get(CENTRE_PAGE)
    assert stamp(client) > before


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_a_polling_live_view_does_not_keep_the_session_alive(client):
    sign_in(client, "bob")
    idle_for(client, 10)
    before = stamp(client)
    assert client.get(LIVE, HTTP_HX_REQUEST="true").status_code == 200
    assert stamp(client) == before
    idle_for(client, 31)
    expired = client.get(LIVE, HTTP_HX_REQUEST="true")
    assert expired["HX-Redirect"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_idle_api_session_gets_a_401(client):
    sign_in(client, "bob")
    idle_for(client, 31)
    response = client.get("/api/queues/centres/gpo-nairobi/live")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"

"""Staff pages check role and centre scope in one place."""

import pytest
from django.urls import reverse

from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db


def test_counter_officer_sees_own_centre_staff_page(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("accounts:centre", args=[world.gpo.code]))
    assert response.status_code == 200
    assert "Bob" in response.content.decode()


def test_counter_officer_cannot_see_another_centres_staff_page(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("accounts:centre", args=[world.kisumu.code]))
    assert response.status_code == 403
    assert "Charlie" not in response.content.decode()


def test_secretariat_sees_every_centre(client, world):
    sign_in_verified(client, world.sam)
    for centre in (world.gpo, world.kisumu):
        assert client.get(reverse("accounts:centre", args=[centre.code])).status_code == 200


def test_monitor_has_no_centre_staff_pages(client, world):
    client.force_login(world.mona)
    assert client.get(reverse("accounts:centre", args=[world.gpo.code])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("accounts:centre", args=[world.gpo.code]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_staff_home_takes_centre_staff_to_their_centre(client, world):
    client.force_login(world.charlie)
    response = client.get(reverse("accounts:home"))
    assert response["Location"] == reverse("accounts:centre", args=[world.kisumu.code])

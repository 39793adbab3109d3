"""Where nothing matches, every search says so and offers the Huduma Contact Centre and the most
used services: the public catalogue, reception and the kiosk."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from huduma.catalogue.models import SearchKey, SearchPosting
from huduma.catalogue.selectors import ServiceFilters, services_search
from tests.conftest import sign_in_verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_centre")]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def contact_centre():
    with override_settings(CONTACT_CENTRE_PHONE="1919"):
        yield


def test_public_search_offers_the_contact_centre_and_the_most_used(client, world):
    body = client.get(reverse("catalogue:search"), {"q": "zebra aquarium"}).content.decode()
    assert "No service matches “zebra aquarium”" in body
    assert "call the Huduma Contact Centre on 1919" in body
    assert "Most used services" in body
    assert reverse("catalogue:service", args=[world.id_dup.code]) in body


def test_public_search_with_results_offers_no_apology(client, world):
    body = client.get(reverse("catalogue:search"), {"q": "lost id"}).content.decode()
    assert "No service matches" not in body and "Most used services" not in body


def test_reception_offers_the_contact_centre(client, world):
    client.force_login(world.bob)
    url = reverse("queues:reception_services", args=["gpo-nairobi"])
    body = client.get(url, {"q": "zebra"}, **HTMX).content.decode()
    assert "No service of this centre matches “zebra”" in body
    assert "Huduma Contact Centre on 1919" in body


def test_kiosk_offers_the_contact_centre(kiosk, world):
    url = reverse("queues:kiosk_search", args=["gpo-nairobi"])
    body = kiosk.get(url, {"q": "zebra"}, headers={"HX-Request": "true"}).content.decode()
    assert "No service here matches those letters" in body
    assert "Huduma Contact Centre on 1919" in body


def test_the_secretariat_adds_a_synonym_in_the_admin_and_search_uses_it(client, world):
    def found(q):
        return [s.code for s in services_search(ServiceFilters(q=q))]

    assert found("kipande") == []
    sign_in_verified(client, world.sam)
    response = client.post(
        "/admin/catalogue/searchsynonym/add/", {"phrase": "kipande", "means": "lost id"}
    )
    assert response.status_code == 302
    assert found("kipande")[0] == world.id_dup.code


def test_reindex_command_rebuilds_an_index_lost_or_never_built(world):
    SearchPosting.objects.all().delete()
    SearchKey.objects.all().delete()
    assert not list(services_search(ServiceFilters(q="kitambulisho")))
    call_command("search_reindex", stdout=io.StringIO())
    assert services_search(ServiceFilters(q="kitamb"))[0] == world.id_dup

"""The Secretariat edits the catalogue in the admin; invalid edits are refused with a message."""

import pytest
from django.urls import reverse

from huduma.catalogue.models import Service
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db


def service_form(world, **overrides):
    data = {
        "code": "NRB-ID-FIRST",
        "mda": world.nrb.pk,
        "group": "A",
        "name_en": "First ID card",
        "name_sw": "Kitambulisho cha kwanza",
        "fee_kes": "0.00",
        "turnaround_days": "30",
        "needs_documents": "on",
        "is_active": "on",
        "requirements-TOTAL_FORMS": "1",
        "requirements-INITIAL_FORMS": "0",
        "requirements-0-position": "0",
        "requirements-0-text_en": "Birth certificate",
        "requirements-0-text_sw": "Cheti cha kuzaliwa",
        "channels-TOTAL_FORMS": "0",
        "channels-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def add_service(client, world, **overrides):
    sign_in_verified(client, world.sam)
    return client.post(reverse("admin:catalogue_service_add"), service_form(world, **overrides))


def test_valid_service_is_created_and_searchable(client, world):
    response = add_service(client, world)
    assert response.status_code == 302
    service = Service.objects.get(code="NRB-ID-FIRST")
    assert service.requirements.count() == 1
    assert "kitambulisho" in service.search_text


def test_negative_fee_is_refused(client, world):
    response = add_service(client, world, fee_kes="-5.00")
    assert response.status_code == 200
    assert "A fee cannot be negative" in response.content.decode()
    assert not Service.objects.filter(code="NRB-ID-FIRST").exists()


def test_empty_requirements_on_a_service_that_needs_documents_are_refused(client, world):
    response = add_service(
        client, world, **{"requirements-0-text_en": "", "requirements-0-text_sw": ""}
    )
    assert response.status_code == 200
    assert "list at least one requirement" in response.content.decode()
    assert not Service.objects.filter(code="NRB-ID-FIRST").exists()


def test_duplicate_code_is_refused(client, world):
    response = add_service(client, world, code="KRA-PIN")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Service.objects.filter(code="KRA-PIN").count() == 1


def test_badly_formed_code_is_refused(client, world):
    response = add_service(client, world, code="bad code!")
    assert response.status_code == 200
    assert "capital letters" in response.content.decode()


def test_counter_officer_cannot_open_the_catalogue_admin(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("admin:catalogue_service_changelist"))
    assert response.status_code == 302  # to the admin sign-in: not staff of the admin

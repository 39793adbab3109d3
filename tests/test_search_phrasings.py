"""What citizens type finds the service they mean, with the same answers on SQLite and
PostgreSQL (the suite runs on both): one table of phrasings, bench/search_phrasings.tsv."""

import pytest
from django.db import transaction

from bench.search_quality import phrasings
from huduma.catalogue.loader import load_reference_data
from huduma.catalogue.models import SearchSynonym, Service
from huduma.catalogue.selectors import ServiceFilters, services_search
from huduma.catalogue.services import service_refresh_search

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The reference catalogue, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(with_boundaries=False)
        yield
        transaction.set_rollback(True)


def top(q: str, n: int = 3, **filters) -> list[str]:
    return [s.code for s in list(services_search(ServiceFilters(q=q, **filters)))[:n]]


def test_the_table_is_big_enough():
    assert len(phrasings()) >= 150


@pytest.mark.parametrize(("phrase", "code"), phrasings(), ids=[p for p, _ in phrasings()])
def test_phrasing_finds_its_service_in_the_first_three(catalogue, phrase, code):
    assert code in top(phrase)


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("kit", "NRB-ID-NEW"),  # three letters are enough, and no vehicle search ("kitabu")
        ("kitamb", "NRB-ID-NEW"),
        ("nimepoteza kitambulisho", "NRB-ID-DUPLICATE"),
        ("lost my id", "NRB-ID-DUPLICATE"),
        ("kra p", "KRA-PIN-REGISTER"),
        ("rushwa", "EACC-CORRUPTION-REPORT"),
        ("police clearance", "DCI-GOOD-CONDUCT"),
    ],
)
def test_first_answer_as_people_type(catalogue, typed, first):
    assert top(typed, 1) == [first]


def test_the_vehicle_search_is_not_offered_for_an_id(catalogue):
    for typed in ("kitamb", "kitambu", "kitambulisho", "kitambulsho"):
        assert "NTSA-MV-SEARCH" not in top(typed, 8), typed


@pytest.mark.parametrize("typed", ["zebra aquarium", "xq", "qwertyuiop"])
def test_nothing_matches_is_an_empty_answer(catalogue, typed):
    assert top(typed, 100) == []


def test_a_synonym_added_by_the_secretariat_is_used_at_once(catalogue):
    assert top("mkokoteni", 100) == []
    SearchSynonym.objects.create(phrase="mkokoteni", means="business permit")
    assert top("mkokoteni", 1) == ["COUNTY-BUSINESS-PERMIT"]


def test_a_deactivated_service_is_no_longer_found_by_its_words(catalogue):
    service = Service.objects.get(code="NTSA-MV-SEARCH")
    service.is_active = False
    service.save()
    service_refresh_search(service=service)
    assert "NTSA-MV-SEARCH" not in top("vehicle search", 100)


def test_words_and_filters_combine(catalogue):
    found = top("loan", 100, mda="HELB")
    assert found[:2] == ["HELB-LOAN-APPLY", "HELB-STATEMENT"]
    assert all(code.startswith("HELB-") for code in found)

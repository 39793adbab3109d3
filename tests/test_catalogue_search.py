"""Citizens find services by words in English or Swahili, with typos and other word forms."""

import pytest

from huduma.catalogue.selectors import ServiceFilters, services_search

pytestmark = pytest.mark.django_db


def codes(**filters):
    return [s.code for s in services_search(ServiceFilters(**filters))]


@pytest.mark.parametrize(
    "words",
    [
        "lost id",  # English
        "kitambulisho",  # Swahili
        "kitambulsho",  # Swahili with a typo
        "replacment of lost id",  # English with a typo
        "replacing my identity card",  # another word form
        "vitambulisho",  # Swahili plural
    ],
)
def test_id_replacement_is_found(world, words):
    assert codes(q=words)[0] == "NRB-ID-DUPLICATE"


def test_swahili_name_finds_nhif(world):
    assert codes(q="bima ya afya")[0] == "NHIF-REGISTRATION"


def test_english_typo_finds_tax_pin(world):
    assert "KRA-PIN" in codes(q="tax pin registraton")


def test_unrelated_words_find_nothing(world):
    assert codes(q="zebra aquarium") == []


def test_filter_by_mda(world):
    assert codes(mda="NHIF") == ["NHIF-REGISTRATION"]


def test_filter_by_channel(world):
    assert set(codes(channel="ehuduma")) == {"NHIF-REGISTRATION", "KRA-PIN"}


def test_filter_by_centre_and_words(world):
    world.gpo.offered_services.filter(service=world.kra_pin).delete()
    assert codes(centre="gpo-nairobi", q="pin") == []
    assert codes(centre="kisumu", q="pin") == ["KRA-PIN"]


def test_inactive_services_are_not_listed(world):
    world.kra_pin.is_active = False
    world.kra_pin.save()
    assert "KRA-PIN" not in codes()

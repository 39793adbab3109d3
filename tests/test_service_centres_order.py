"""A service's page lists its centres by name, the reader's county first once they chose one:
by county name, Kisumu (like GPO Mombasa) came before GPO Nairobi for everyone."""

import pytest
from django.urls import reverse

from huduma.catalogue.views import COUNTY_COOKIE

pytestmark = pytest.mark.django_db


def _order(client, world) -> list[str]:
    html = client.get(reverse("catalogue:service", args=[world.id_dup.code])).content.decode()
    names = ["Huduma Centre GPO<", "Huduma Centre Kisumu<"]
    found = {name: html.find(name) for name in names}
    assert all(at >= 0 for at in found.values()), found
    return [name.rstrip("<") for name in sorted(names, key=found.get)]


def test_centres_by_name_then_the_readers_county_first(client, world):
    assert _order(client, world) == ["Huduma Centre GPO", "Huduma Centre Kisumu"]
    # A reader who chose Kisumu on the centres page sees Kisumu's centre first from then on.
    chosen = client.get(reverse("catalogue:centres"), {"county": world.kisumu.county.code})
    assert chosen.cookies[COUNTY_COOKIE].value == str(world.kisumu.county_id)
    assert _order(client, world) == ["Huduma Centre Kisumu", "Huduma Centre GPO"]
    client.get(reverse("catalogue:centres"), {"county": world.gpo.county.code})
    assert _order(client, world) == ["Huduma Centre GPO", "Huduma Centre Kisumu"]
    client.cookies[COUNTY_COOKIE] = "not a county"  # ignored, never a 500
    assert _order(client, world) == ["Huduma Centre GPO", "Huduma Centre Kisumu"]

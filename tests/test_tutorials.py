"""Step-by-step tutorials for online services: public, numbered steps with pictures, English and
Swahili, linked from each service's page; loaded from huduma/data/tutorials.yaml."""

from pathlib import Path

import pytest
from django.test import Client

from huduma.catalogue.loader import LoadReport, load_tutorials
from huduma.catalogue.models import Tutorial, TutorialStep

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parent.parent / "huduma" / "static"


def make_tutorial(service, *, published=True) -> Tutorial:
    tutorial = Tutorial.objects.create(
        slug="kra-pin-online",
        service=service,
        title_en="Register for a KRA PIN online",
        title_sw="Jisajili kupata PIN ya KRA mtandaoni",
        summary_en="About 15 minutes with your ID card.",
        summary_sw="Takriban dakika 15 ukiwa na kitambulisho chako.",
        published=published,
    )
    for n, (en, sw, picture) in enumerate(
        [
            ("Open the eHuduma portal.", "Fungua tovuti ya eHuduma.", "tutorials/portal.svg"),
            ("Type your ID number.", "Andika nambari ya kitambulisho.", "tutorials/form.svg"),
            ("Download your certificate.", "Pakua cheti chako.", "tutorials/certificate.svg"),
        ],
        start=1,
    ):
        TutorialStep.objects.create(
            tutorial=tutorial,
            position=n,
            text_en=en,
            text_sw=sw,
            picture=picture,
            picture_alt_en=f"Picture of step {n}",
            picture_alt_sw=f"Picha ya hatua {n}",
        )
    return tutorial


def test_a_tutorial_is_linked_from_its_service_and_read_in_both_languages(world):
    make_tutorial(world.kra_pin)
    client = Client()
    service = client.get("/services/KRA-PIN/").content.decode()
    assert 'href="/tutorials/kra-pin-online/">Register for a KRA PIN online</a>' in service
    page = client.get("/tutorials/kra-pin-online/").content.decode()
    steps = [page.index(f"Step {n}") for n in (1, 2, 3)]
    assert steps == sorted(steps)  # numbered, in order
    assert '<img class="tutorial-step__picture" src="/static/tutorials/form.svg"' in page
    assert 'alt="Picture of step 2"' in page and "Type your ID number." in page
    client.cookies["django_language"] = "sw"
    swahili = client.get("/tutorials/kra-pin-online/").content.decode()
    assert "Jisajili kupata PIN ya KRA mtandaoni" in swahili and "Hatua 2" in swahili
    assert "Andika nambari ya kitambulisho." in swahili and 'alt="Picha ya hatua 2"' in swahili


def test_an_unpublished_or_unknown_tutorial_is_not_found(world):
    make_tutorial(world.kra_pin, published=False)
    client = Client()
    assert client.get("/tutorials/kra-pin-online/").status_code == 404
    assert client.get("/tutorials/nothing-here/").status_code == 404
    assert "Step-by-step guides" not in client.get("/services/KRA-PIN/").content.decode()


def test_the_shipped_tutorials_load_with_their_pictures(reference):
    tutorials = Tutorial.objects.prefetch_related("steps")
    assert {t.slug for t in tutorials} == {"kra-pin-online", "good-conduct-online"}
    for tutorial in tutorials:
        steps = list(tutorial.steps.all())
        assert [s.position for s in steps] == list(range(1, len(steps) + 1))
        for step in steps:
            assert step.text_sw and step.picture_alt_en and step.picture_alt_sw
            assert (STATIC / step.picture).stat().st_size < 4000  # small pictures
    report = LoadReport()
    load_tutorials(report)  # loading again changes nothing
    assert report.created == {} and report.updated == {}

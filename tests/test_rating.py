"""A counter's tablet rates the ticket just served there: once, only that counter's, only
when served; presses with nothing behind them are misuse, never ratings."""

import re

import pytest
from django.core.cache import cache
from django.db import IntegrityError
from django.utils import translation

from huduma.feedback import limits
from huduma.feedback.models import Misuse, Rating
from tests.feedback_helpers import paired_tablet, serve


@pytest.fixture
def desk(world):
    counter = world.counters[("gpo-nairobi", 1)]
    device, token = paired_tablet(world, counter)
    return counter, device, token


def api_rate(client, token, ticket, score=5, **extra):
    return client.post(
        "/api/feedback/ratings",
        {"ticket": str(ticket.pk), "score": score, **extra},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {token}",
    )


def test_tablet_shows_the_ticket_just_finished_and_rates_it(client, world, desk):
    counter, _device, token = desk
    client.cookies["huduma_device"] = token
    idle = client.get("/eifd/")
    assert idle.status_code == 200
    assert "How was our service?" in idle.content.decode()
    assert "Mbaya sana" in idle.content.decode()  # both languages at once: Very bad
    assert 'data-testid="eifd-ticket"' not in idle.content.decode()
    # Nothing changed: the poll answers 204, no body.
    assert client.get("/eifd/screen/?shown=idle", HTTP_HX_REQUEST="true").status_code == 204

    ticket = serve(world, counter, world.alice, world.id_dup)
    screen = client.get("/eifd/screen/?shown=idle", HTTP_HX_REQUEST="true")
    assert screen.status_code == 200
    assert "A001" in screen.content.decode()
    assert client.get(f"/eifd/screen/?shown={ticket.pk}").status_code == 204

    thanks = client.post("/eifd/rate/", {"ticket": str(ticket.pk), "score": "2"})
    assert "Asante" in thanks.content.decode()
    assert "Long wait" in thanks.content.decode()  # low score: the problem chips
    rating = Rating.objects.get(ticket=ticket)
    assert (rating.score, rating.channel, rating.counter, rating.officer) == (
        2,
        "tablet",
        counter,
        world.alice,
    )
    assert rating.service == world.id_dup and rating.centre == world.gpo
    rating_id = re.search(r'name="rating" value="([^"]+)"', thanks.content.decode())[1]
    client.post(
        "/eifd/details/",
        {"rating": rating_id, "reasons": ["long_wait", "unclear"], "comment": " Slow "},
    )
    rating.refresh_from_db()
    assert rating.reasons == ["long_wait", "unclear"] and rating.comment == "Slow"
    # Rated: the tablet goes back to idle.
    assert "eifd-ticket" not in client.get("/eifd/").content.decode()


def test_tablet_returns_to_idle_after_the_window(client, world, desk, clock):
    counter, _device, token = desk
    client.cookies["huduma_device"] = token
    ticket = serve(world, counter, world.alice, world.id_dup)
    assert client.get(f"/eifd/screen/?shown={ticket.pk}").status_code == 204
    clock.advance(minutes=4)
    screen = client.get(f"/eifd/screen/?shown={ticket.pk}", HTTP_HX_REQUEST="true")
    assert screen.status_code == 200
    assert 'data-state="idle"' in screen.content.decode()


def test_second_rating_is_refused(client, world, desk):
    counter, _device, token = desk
    ticket = serve(world, counter, world.alice, world.id_dup)
    assert api_rate(client, token, ticket, 4).status_code == 201
    # The same press again (a retry) is the same rating, not a second one.
    again = api_rate(client, token, ticket, 4)
    assert again.status_code == 201
    second = api_rate(client, token, ticket, 1)
    assert second.status_code == 409
    assert second.json()["code"] == "already_rated"
    assert "already been rated" in second.json()["detail"]
    assert Rating.objects.filter(ticket=ticket).count() == 1
    assert Rating.objects.get(ticket=ticket).score == 4


def test_one_rating_per_ticket_is_a_database_constraint(world, desk):
    counter, _device, _token = desk
    ticket = serve(world, counter, world.alice, world.id_dup)
    fields = {
        "ticket": ticket,
        "centre": world.gpo,
        "service": world.id_dup,
        "ending": "served",
        "channel": "tablet",
        "score": 5,
        "at": ticket.finished_at,
    }
    Rating.objects.create(**fields)
    with pytest.raises(IntegrityError):
        Rating.objects.create(**fields)


def test_unserved_ticket_is_refused(client, world, desk):
    counter, _device, token = desk
    ticket = serve(world, counter, world.alice, world.id_dup, finish=False)
    response = api_rate(client, token, ticket)
    assert response.status_code == 409
    assert response.json()["detail"] == "This ticket has not been served."
    assert not Rating.objects.exists()


def test_other_centres_ticket_is_refused(client, world, desk):
    _counter, _device, token = desk
    kisumu = world.counters[("kisumu", 2)]
    ticket = serve(world, kisumu, world.charlie, world.nhif_reg)
    response = api_rate(client, token, ticket)
    assert response.status_code == 403
    assert response.json()["detail"] == "This ticket belongs to another centre."
    assert not Rating.objects.exists()


def test_other_counters_ticket_is_refused(client, world, desk, officers):
    ticket = serve(world, world.counters[("gpo-nairobi", 2)], officers[2], world.nhif_reg)
    response = api_rate(client, desk[2], ticket)
    assert response.status_code == 403
    assert response.json()["code"] == "not_this_counter"


def test_presses_at_idle_are_misuse_not_ratings(client, world, desk):
    counter, _device, token = desk
    client.cookies["huduma_device"] = token
    for _ in range(5):  # a child tapping the idle screen
        client.post("/eifd/rate/", {"ticket": "", "score": "1"})
    ticket = serve(world, counter, world.alice, world.id_dup)
    client.post("/eifd/rate/", {"ticket": str(ticket.pk), "score": "5"})
    client.post("/eifd/rate/", {"ticket": str(ticket.pk), "score": "1"})  # and again
    assert Rating.objects.count() == 1
    assert Misuse.objects.filter(kind="idle").count() == 5
    assert Misuse.objects.filter(kind="already_rated").count() == 1


def test_bad_input_is_refused_by_field(client, world, desk):
    counter, _device, token = desk
    ticket = serve(world, counter, world.alice, world.id_dup)
    assert api_rate(client, token, ticket, 6).status_code == 422
    response = api_rate(client, token, ticket, 3, reasons=["bribe!"])
    assert response.status_code == 400 and response.json()["field"] == "reasons"
    assert api_rate(client, token, ticket, 3, comment="x" * 501).status_code == 422
    assert not Rating.objects.exists()


def test_presses_are_limited_per_tablet(client, world, desk, settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fb"}
    }
    cache.clear()
    monkeypatch.setattr(limits, "PRESSES", 3)
    counter, _device, token = desk
    other = world.counters[("gpo-nairobi", 3)]
    _other_device, other_token = paired_tablet(world, other, name="Tablet 3")
    client.cookies["huduma_device"] = token
    for _ in range(3):
        client.post("/eifd/rate/", {"ticket": "", "score": "1"})
    refused = client.post("/eifd/rate/", {"ticket": "", "score": "1"})
    assert "Too many presses" in refused.content.decode()
    ticket = serve(world, counter, world.alice, world.id_dup)
    assert api_rate(client, token, ticket).status_code == 429
    # Another tablet (perhaps behind the same router) is not affected.
    assert api_rate(client, other_token, ticket).status_code == 403  # not its counter
    assert Misuse.objects.count() == 3
    cache.clear()


def test_a_refused_press_says_sorry_and_why_in_both_languages(client, world, desk):
    """Not "Thank you!" with the reason in English only (as it was)."""
    counter, _device, token = desk
    client.cookies["huduma_device"] = token
    ticket = serve(world, counter, world.alice, world.id_dup, finish=False)
    html = client.post("/eifd/rate/", {"ticket": str(ticket.pk), "score": "5"}).content.decode()
    assert "Samahani" in html and "Sorry" in html and "Thank you!" not in html
    assert "This ticket has not been served." in html
    with translation.override("sw"):
        assert translation.gettext("This ticket has not been served.") in html
    assert "Tiketi hii haijahudumiwa." in html
    idle = client.post("/eifd/rate/", {"ticket": "", "score": "1"}).content.decode()
    assert "Samahani" in idle and "Thank you!" not in idle

"""A visit that ended without a rating gets one SMS link; the citizen rates once through it."""

import re

from huduma.feedback import services
from huduma.feedback.models import Rating, RatingInvitation
from huduma.notify.models import Message
from huduma.queues import services as queue
from tests.feedback_helpers import paired_tablet, serve

PHONE = "0712345678"


def invitations():
    return list(Message.objects.filter(template="rating_invite"))


def link_path(message) -> str:
    return re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", message.body)[1]


def test_missed_rating_arrives_through_the_sms_link(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    ticket = serve(world, counter, world.alice, world.id_dup, phone=PHONE)
    clock.advance(minutes=5)
    assert services.rating_invitations_send() == 0  # the citizen may still rate at the counter
    clock.advance(minutes=6)
    assert services.rating_invitations_send() == 1
    assert services.rating_invitations_send() == 0  # the sweep is idempotent
    [sms] = invitations()
    assert sms.to == "+254712345678"
    assert "A001" in sms.body

    path = link_path(sms)
    page = client.get(path)
    assert page.status_code == 200
    assert "Replacement of a lost ID card" in page.content.decode()
    done = client.post(path, {"score": "1", "reasons": ["asked_money"], "comment": "Pesa"})
    assert done.status_code == 200
    assert "Your rating has been recorded" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.ticket_id, rating.score, rating.channel) == (ticket.pk, 1, "sms")
    assert (rating.reasons, rating.comment, rating.officer) == (
        ["asked_money"],
        "Pesa",
        world.alice,
    )


def test_link_used_twice_is_refused(client, world, clock):
    serve(world, world.counters[("gpo-nairobi", 1)], world.alice, world.id_dup, phone=PHONE)
    clock.advance(minutes=11)
    services.rating_invitations_send()
    path = link_path(invitations()[0])
    assert client.post(path, {"score": "5"}).status_code == 200
    again = client.post(path, {"score": "1"})
    assert again.status_code == 409
    assert "already been used" in again.content.decode()
    assert client.get(path).status_code == 409
    assert Rating.objects.get().score == 5


def test_expired_or_made_up_link_is_refused(client, world, clock):
    serve(world, world.counters[("gpo-nairobi", 1)], world.alice, world.id_dup, phone=PHONE)
    clock.advance(minutes=11)
    services.rating_invitations_send()
    path = link_path(invitations()[0])
    assert client.get("/r/not-a-real-token/").status_code == 404
    clock.advance(days=4)
    expired = client.post(path, {"score": "5"})
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()
    assert not Rating.objects.exists()


def test_no_show_gets_the_link_too(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    queue.visit_issue(
        centre=world.gpo,
        services=[world.id_dup, world.nhif_reg],  # the second service is cancelled
        channel="reception",
        requirements_confirmed=True,
        phone=PHONE,
    )
    queue.counter_open(counter=counter, officer=world.alice)
    ticket = queue.ticket_call_next(counter=counter, officer=world.alice)
    for _ in range(2):
        clock.advance(seconds=30)  # a recall within seconds is the same press
        queue.ticket_recall(ticket=ticket, counter=counter, officer=world.alice)
    queue.ticket_no_show(ticket=ticket, counter=counter, officer=world.alice)
    clock.advance(minutes=11)
    assert services.rating_invitations_send() == 1
    path = link_path(invitations()[0])
    client.post(path, {"score": "2"})
    rating = Rating.objects.get()
    assert rating.ending in ("no_show", "cancelled")
    assert RatingInvitation.objects.get().used_at is not None


def test_rated_at_the_tablet_or_without_phone_gets_no_sms(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    _device, token = paired_tablet(world, counter)
    ticket = serve(world, counter, world.alice, world.id_dup, phone=PHONE)
    client.cookies["huduma_device"] = token
    client.post("/eifd/rate/", {"ticket": str(ticket.pk), "score": "5"})
    serve(world, counter, world.alice, world.id_dup)  # no phone
    clock.advance(minutes=11)
    assert services.rating_invitations_send() == 0
    assert invitations() == []


def test_visits_older_than_a_day_are_not_asked_after_downtime(world, clock):
    serve(world, world.counters[("gpo-nairobi", 1)], world.alice, world.id_dup, phone=PHONE)
    clock.advance(hours=25)
    assert services.rating_invitations_send() == 0

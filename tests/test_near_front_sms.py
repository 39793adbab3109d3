"""Who gets the "a few places from the front" SMS: a virtual ticket's holder, once a counter
serves their queue; a citizen already in the hall only if they asked for it."""

import pytest
from django.urls import reverse

from huduma.queues import notifications, services
from huduma.queues.models import Visit
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db


def issue(world, channel, **extra):
    return services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel=channel,
        requirements_confirmed=True,
        language="en",
        **extra,
    )


def near_front_texts(outbox):
    return [body for _to, body in outbox if "away from being served" in body]


def test_not_sent_for_a_queue_no_counter_serves(
    world, clock, officers, _memory_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        remote = issue(world, "web", phone="0712345678")
    # The ticket SMS says so rather than promising "about 0 min".
    assert "No counter for this service is open yet" in _memory_sms.outbox[-1][1]
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.near_front_sweep() == 0
    assert near_front_texts(_memory_sms.outbox) == []
    remote.refresh_from_db()
    assert remote.near_front_notified_at is None  # still owed, once a counter opens
    services.counter_open(counter=world.counters[("gpo-nairobi", 2)], officer=officers[2])
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.near_front_sweep() == 1
    assert len(near_front_texts(_memory_sms.outbox)) == 1


def test_a_citizen_in_the_hall_is_texted_only_if_they_asked(
    world, clock, officers, _memory_sms, django_capture_on_commit_callbacks
):
    services.counter_open(counter=world.counters[("gpo-nairobi", 2)], officer=officers[2])
    with django_capture_on_commit_callbacks(execute=True):
        silent = issue(world, "reception", phone="0712345678")
        asked = issue(world, "reception", phone="0722000111", near_front_sms=True)
        no_phone = issue(world, "kiosk", near_front_sms=True)
    issued = dict(_memory_sms.outbox)
    # The ticket SMS of someone in the hall promises no later text.
    assert "Watch the screen in the hall" in issued["+254712345678"]
    assert "We will text you" in issued["+254722000111"]
    assert (silent.near_front_sms, asked.near_front_sms, no_phone.near_front_sms) == (
        False,
        True,
        False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.near_front_sweep()
    texted = [to for to, body in _memory_sms.outbox if "away from being served" in body]
    assert texted == ["+254722000111"]


def test_reception_offers_the_choice(client, world, clock):
    sign_in_verified(client, world.bob)
    url = reverse("queues:reception", args=["gpo-nairobi"])
    page = client.get(url).content.decode()
    assert "Text me when I am a few places from the front" in page
    step = client.post(
        url,
        {
            "services": [world.nhif_reg.pk],
            "phone": "0712345678",
            "near_front_sms": "on",
            "language": "en",
        },
    )
    assert 'name="near_front_sms" value="on"' in step.content.decode()


def test_the_api_takes_the_choice_too(client, world, clock):
    client.force_login(world.bob)
    answer = client.post(
        "/api/queues/centres/gpo-nairobi/visits",
        {
            "services": ["NHIF-REGISTRATION"],
            "requirements_confirmed": True,
            "phone": "0712345678",
            "near_front_sms": True,
        },
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert Visit.objects.get().near_front_sms is True

"""The hall display: one request per update for everything it shows, and the last few calls
stay on screen after serving starts and ends."""

import pytest
from django.urls import reverse

from huduma.queues import services

pytestmark = pytest.mark.django_db


def test_recent_calls_stay_after_serving(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    for _ in range(8):
        services.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
        )
    for _ in range(7):
        ticket = services.ticket_call_next(counter=counter, officer=world.alice)
        services.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
        clock.advance(minutes=1)
        services.ticket_finish(ticket=ticket, counter=counter, officer=world.alice)
    services.ticket_call_next(counter=counter, officer=world.alice)  # A008, called
    body = client.get(reverse("queues:display_calls", args=["gpo-nairobi"])).content.decode()
    assert 'class="display__latest"' in body and "A008" in body.split("</div>")[0]
    # The last six calls of today, served ones included; the oldest have gone.
    for number in ("A008", "A007", "A006", "A005", "A004", "A003"):
        assert f'data-testid="call-{number}"' in body
    assert 'data-testid="call-A002"' not in body


def test_the_display_page_makes_one_poll_for_all_it_shows(client, world):
    page = client.get(reverse("queues:display", args=["gpo-nairobi"])).content.decode()
    assert page.count("hx-get=") == 1

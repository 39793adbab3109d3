"""The virtual ticket follows the queue without a reload: places ahead and the wait, the call
and its counter, the end; the holder can cancel it; no "0 minutes" with nobody serving."""

import pytest
from django.urls import reverse

from huduma.queues import holders, selectors, services
from huduma.queues.models import Ticket

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def remote(world, clock):
    return services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="web",
        requirements_confirmed=True,
        phone="0712345678",
        language="en",
    )


def poll(client, visit, version=None):
    url = reverse("queues:ticket", args=[visit.pk])
    return client.get(url, {"v": version} if version else {}, **HX)


def test_no_estimate_while_no_counter_serves_the_service(client, world, clock, remote, officers):
    html = client.get(reverse("queues:ticket", args=[remote.pk])).content.decode()
    assert "No counter for this service is open yet" in html
    assert "0 minutes" not in html
    assert selectors.visit_progress(remote).minutes is None
    services.counter_open(counter=world.counters[("gpo-nairobi", 2)], officer=officers[2])
    html = client.get(reverse("queues:ticket", args=[remote.pk])).content.decode()
    assert "No counter for this service is open yet" not in html
    assert "You are at the front of the queue" in html


def test_no_counter_open_then_the_people_ahead_read_as_two_sentences(client, world, clock, remote):
    second = services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="web",
        requirements_confirmed=True,
        phone="0712345679",
        language="en",
    )
    html = client.get(reverse("queues:ticket", args=[second.pk])).content.decode()
    assert "No counter for this service is open yet. 1 person ahead" in html
    assert "open yet. ·" not in html  # no stray separator after a full stop


def test_the_status_polls_itself_and_answers_204_when_nothing_changed(
    client, world, clock, remote, officers
):
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    page = client.get(reverse("queues:ticket", args=[remote.pk]))
    html = page.content.decode()
    assert 'hx-trigger="every 15s"' in html and 'aria-live="polite"' in html
    assert len(page.content) < 30_000
    version = selectors.visit_progress(remote).fingerprint
    assert poll(client, remote, version).status_code == 204
    services.ticket_call_next(counter=counter, officer=officers[2])
    called = poll(client, remote, version)
    assert called.status_code == 200 and "Go to counter 2 now" in called.content.decode()
    ticket = remote.tickets.get()
    services.ticket_start(ticket=ticket, counter=counter, officer=officers[2])
    assert "being served at counter 2" in poll(client, remote).content.decode()
    services.ticket_finish(ticket=ticket, counter=counter, officer=officers[2])
    done = poll(client, remote).content.decode()
    assert "You have been served" in done
    assert "hx-get" not in done  # a finished ticket stops polling


def test_the_poll_interval_is_a_setting(client, world, clock, remote, settings):
    settings.QMS_TICKET_POLL_SECONDS = 2
    html = client.get(reverse("queues:ticket", args=[remote.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html


def test_the_holder_cancels_after_a_confirm_step(client, world, clock, remote):
    ask = client.get(reverse("queues:ticket_cancel", args=[remote.pk]))
    assert "Yes, cancel my ticket" in ask.content.decode()
    assert remote.tickets.get().status == Ticket.Status.WAITING  # asking changes nothing
    for _ in range(2):  # twice: the second changes nothing
        done = client.post(
            reverse("queues:ticket_cancel", args=[remote.pk]),
            {"code": holders.visit_holder_code(remote)},
        )
        assert done["Location"] == reverse("queues:ticket", args=[remote.pk])
    assert remote.tickets.get().status == Ticket.Status.CANCELLED
    assert remote.tickets.get().events.filter(kind="cancelled").count() == 1
    assert "This ticket is cancelled" in client.get(done["Location"]).content.decode()
    assert (
        "no longer in the queue"
        in client.get(reverse("queues:ticket_cancel", args=[remote.pk])).content.decode()
    )


def test_the_ticket_cancel_question_reads_as_a_swahili_question(client, world, clock, remote):
    client.cookies["django_language"] = "sw"
    html = client.get(reverse("queues:ticket_cancel", args=[remote.pk])).content.decode()
    assert f"Je, unataka kughairi tiketi {remote.number}?" in html

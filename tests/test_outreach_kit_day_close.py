"""A ticket still waiting at the tent does not hold back the kit's sync: it (and what was made
under it) waits on the kit, everything else goes. At the end of the day `fieldkit close-day`
ends the day's unserved tickets; at the next sync they reach the server, which texts each
citizen, with the public address."""

import json

import pytest

from huduma.notify.models import Message
from huduma.outreach import enrolment
from huduma.queues.models import Ticket, TicketEvent, Visit
from tests.outreach_kit_records import on_server
from tests.test_outreach_fieldkit import (  # noqa: F401 - fixtures
    fieldkit,
    kit_dir,
    kit_records,
    kit_template,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_waiting_ticket_does_not_hold_back_the_sync_and_the_day_closes(
    live_server,
    world,
    kit_dir,  # noqa: F811
    settings,
    _memory_sms,
):
    settings.PUBLIC_URL = "https://huduma.example"
    kit, code = enrolment.field_kit_register(
        centre=world.gpo, name="Kit Kibra", officers=[world.alice], actor=world.bob
    )
    fieldkit(kit_dir, "enroll", "--server", live_server.url, "--code", code)
    # First thing in the morning a citizen queues for a service this counter does not serve;
    # then six are served.
    day = json.loads(fieldkit(kit_dir, "day", "--visits", "6", "--waiting", "1").stdout)
    assert day["waiting"] == 1 and day["visits"] == 6
    made = kit_records(kit_dir)
    waiting_number = f"{kit.ticket_prefix}001"

    report = json.loads(fieldkit(kit_dir, "push").stdout)
    assert report["pending"] == 0 and report["rejected"] == 0, report
    assert report["held_back"] >= 3  # the ticket, its "issued" and "waiting" events
    arrived = on_server(made)
    # Everything but the waiting ticket and its events is on the server.
    for label in ("queues.Visit", "applications.Application", "payments.Payment"):
        assert arrived[label] == made[label], label
    assert not Ticket.objects.filter(visit__number=waiting_number, visit__node_id=kit.node_id)
    served = Ticket.objects.filter(visit__node_id=kit.node_id, status="served")
    assert served.count() == 6

    # The kit says what it holds back, and why.
    status = json.loads(fieldkit(kit_dir, "status").stdout)
    assert status["held_back"]["tickets_in_queue"] == [f"{waiting_number} (waiting)"]
    assert "close-day" in status["held_back"]["reason"]

    # The tent packs up.
    closed = json.loads(fieldkit(kit_dir, "close-day").stdout)
    assert closed["closed"] == [waiting_number]
    again = json.loads(fieldkit(kit_dir, "push").stdout)
    assert again["released"] >= 3 and again["held_back"] == 0, again
    assert again["pending"] == 0 and again["rejected"] == 0, again
    made = kit_records(kit_dir)
    assert on_server(made) == made

    ticket = Ticket.objects.get(visit__number=waiting_number, visit__node_id=kit.node_id)
    assert ticket.status == "cancelled"
    assert TicketEvent.objects.filter(
        ticket=ticket, kind="cancelled", data__reason="day_closed"
    ).exists()
    # The server texts the citizen, from the synced records, with its public address.
    visit = Visit.objects.get(pk=ticket.visit_id)
    sms = Message.objects.get(template="ticket_day_closed")
    assert sms.to == visit.phone and sms.status == "sent"
    [(to, body)] = [(to, body) for to, body in _memory_sms.outbox if waiting_number in body]
    assert to == visit.phone and "https://huduma.example/mashinani/" in body
    assert "127.0.0.1" not in body
    # Nothing is held back any more.
    status = json.loads(fieldkit(kit_dir, "status").stdout)
    assert status["held_back"]["changes"] == 0 and status["pending"] == 0

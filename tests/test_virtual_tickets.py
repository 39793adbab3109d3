"""Virtual tickets by web and SMS: an SMS on joining and another when near the front."""

import pytest

from huduma.queues import services
from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db


def test_sms_join_gives_a_ticket_and_instructions_on_a_mistake(
    client, world, clock, _memory_sms, django_capture_on_commit_callbacks
):
    url = "/api/queues/sms/inbound?token=test-callback-token"
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            url, {"id": "ATXid_1", "from": "+254712345678", "text": "join gpo-nairobi kra-pin"}
        )
    assert ok.json()["reply"] == "issued C001"
    visit = Visit.objects.get()
    assert (visit.channel, visit.phone, visit.language) == ("sms", "+254712345678", "en")
    assert "C001" in _memory_sms.outbox[-1][1]
    with django_capture_on_commit_callbacks(execute=True):
        help_reply = client.post(
            url, {"id": "ATXid_2", "from": "0722000111", "text": "FOLENI atlantis x"}
        )
    assert help_reply.json()["reply"] == "sent instructions"
    assert _memory_sms.outbox[-1][0] == "+254722000111"
    assert (
        client.post(
            "/api/queues/sms/inbound?token=wrong",
            {"id": "ATXid_3", "from": "0722000111", "text": "x"},
        ).status_code
        == 403
    )


def test_virtual_ticket_holder_is_texted_once_when_near_the_front(
    world, clock, officers, _memory_sms, settings, django_capture_on_commit_callbacks
):
    settings.QMS_NEAR_FRONT_PLACES = 2
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    for _ in range(3):
        clock.advance(seconds=30)
        services.visit_issue(
            centre=world.gpo,
            services=[world.nhif_reg],
            channel="reception",
            requirements_confirmed=True,
        )
    clock.advance(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        remote = services.visit_issue(
            centre=world.gpo,
            services=[world.nhif_reg],
            channel="web",
            requirements_confirmed=True,
            phone="0712345678",
            language="en",
        )
    assert len(_memory_sms.outbox) == 1  # the ticket itself
    for expected in (1, 2, 2):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = services.ticket_call_next(counter=counter, officer=officers[2])
            services.ticket_start(ticket=ticket, counter=counter, officer=officers[2])
            services.ticket_finish(ticket=ticket, counter=counter, officer=officers[2])
        assert len(_memory_sms.outbox) == expected
    to, body = _memory_sms.outbox[1]
    assert to == "+254712345678" and remote.number in body


def test_virtual_ticket_holder_is_told_which_counter(
    world, clock, officers, _memory_sms, django_capture_on_commit_callbacks
):
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_issue(
            centre=world.gpo,
            services=[world.nhif_reg],
            channel="web",
            requirements_confirmed=True,
            phone="0712345678",
            language="en",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter=counter, officer=officers[2])
    to, body = _memory_sms.outbox[-1]
    assert to == "+254712345678"
    assert body == f"Huduma Centre GPO: ticket {visit.number}, please go to counter 2."


def test_one_phone_holds_at_most_two_virtual_tickets(world, clock):
    from huduma.queues.errors import TooManyVirtualTickets

    def join():
        return services.visit_issue(
            centre=world.gpo,
            services=[world.nhif_reg],
            channel="web",
            requirements_confirmed=True,
            phone="0712345678",
        )

    join()
    join()
    with pytest.raises(TooManyVirtualTickets) as exc:
        join()
    assert exc.value.field == "phone"
    assert Visit.objects.count() == 2
    # Reception can still issue a ticket with that number for a citizen standing there.
    services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )

"""Priority asked for at a kiosk is a request: it counts once staff confirm it (audited).
Priority given by staff applies at once."""

import pytest

from huduma.core.models import AuditEntry
from huduma.queues import services
from huduma.queues.errors import OtherCentre, TicketStateError
from huduma.queues.models import TicketEvent

pytestmark = pytest.mark.django_db


def issue(world, channel, priority=""):
    return services.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel=channel,
        requirements_confirmed=True,
        priority=priority,
    )


def test_a_kiosk_priority_is_stored_as_requested_and_does_not_jump(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    early = issue(world, "reception")
    clock.advance(minutes=5)
    asked = issue(world, "kiosk", priority="elderly")
    assert (asked.priority, asked.priority_requested) == ("", "elderly")
    assert services.ticket_call_next(counter=counter, officer=world.alice).visit_id == early.pk


def test_staff_priority_applies_at_once(world, clock):
    visit = issue(world, "reception", priority="disability")
    assert (visit.priority, visit.priority_requested) == ("disability", "")


def test_confirming_applies_the_priority_with_an_event_and_an_audit_entry(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, "reception")
    clock.advance(minutes=5)
    asked = issue(world, "kiosk", priority="expectant")
    services.visit_priority_confirm(visit=asked, actor=world.alice)
    asked.refresh_from_db()
    assert asked.priority == "expectant"
    assert TicketEvent.objects.filter(kind="priority", ticket__visit=asked).count() == 1
    entry = AuditEntry.objects.get(action="queues.visit.priority_confirmed")
    assert (entry.before, entry.after, entry.actor_id) == (
        {"priority": ""},
        {"priority": "expectant"},
        world.alice.pk,
    )
    # Now it goes ahead of the citizen who came five minutes earlier.
    assert services.ticket_call_next(counter=counter, officer=world.alice).visit_id == asked.pk


def test_confirming_twice_changes_nothing_twice(world, clock):
    asked = issue(world, "kiosk", priority="elderly")
    services.visit_priority_confirm(visit=asked, actor=world.alice)
    services.visit_priority_confirm(visit=asked, actor=world.alice)
    assert AuditEntry.objects.filter(action="queues.visit.priority_confirmed").count() == 1
    assert TicketEvent.objects.filter(kind="priority").count() == 1


def test_nothing_to_confirm_and_other_centres_are_refused(world, clock):
    plain = issue(world, "kiosk")
    with pytest.raises(TicketStateError):
        services.visit_priority_confirm(visit=plain, actor=world.alice)
    asked = issue(world, "kiosk", priority="elderly")
    with pytest.raises(OtherCentre):
        services.visit_priority_confirm(visit=asked, actor=world.charlie)
    asked.refresh_from_db()
    assert asked.priority == ""


def test_the_api_says_what_was_asked_and_what_counts(client, world, clock):
    client.force_login(world.bob)
    answer = client.post(
        "/api/queues/centres/gpo-nairobi/visits",
        {
            "services": ["NRB-ID-DUPLICATE"],
            "requirements_confirmed": True,
            "priority": "elderly",
            "channel": "kiosk",
        },
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert (answer.json()["priority"], answer.json()["priority_requested"]) == ("", "elderly")

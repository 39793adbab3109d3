"""Issuing answers a frozen IssuedVisit (the visit, its tickets, the places ahead), not
attributes stuck on a Visit; the ticket SMS works for a visit read back as well."""

import dataclasses

import pytest

from huduma.notify.models import Message
from huduma.queues import notifications, services
from huduma.queues.models import Visit


def issue(world, **extra):
    return services.visit_issue_answer(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        **extra,
    )


def test_issuing_answers_the_visit_its_tickets_and_the_places_ahead(world, clock):
    first = issue(world)
    second = issue(world)
    assert second.places_ahead == 1 and [t.position for t in second.tickets] == [0]
    assert second.tickets[0].visit == second.visit and first.visit.number == "A001"
    with pytest.raises(dataclasses.FrozenInstanceError):
        second.places_ahead = 0
    assert not hasattr(second.visit, "new_tickets") and not hasattr(second.visit, "places_ahead")
    # The plain verb answers the visit alone.
    assert isinstance(
        services.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
        ),
        Visit,
    )


def test_the_ticket_sms_of_a_visit_read_back_reads_its_ticket(world, clock):
    issue(world)
    issued = issue(world, phone="0712345678", language="en", near_front_sms=True)
    Message.objects.all().delete()
    read_back = services.IssuedVisit(Visit.objects.get(pk=issued.visit.pk))
    notifications.visit_issued_sms(issued=read_back, services=[world.id_dup], now=clock.current)
    sms = Message.objects.get()
    assert issued.visit.number in sms.body and sms.to == "+254712345678"

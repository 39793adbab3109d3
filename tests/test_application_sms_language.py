"""The citizen's SMS is in the language of the visit: Swahili by default."""

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.applications.models import Status
from huduma.notify.models import Message
from huduma.queues import services as queues


def test_swahili_visit_gets_swahili_messages(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
        language="sw",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    received = Message.objects.get(template="application_received")
    assert received.language == "sw"
    assert "limepokelewa" in received.body
    assert "Kubadilisha kitambulisho kilichopotea" in received.body
    nadia = User.objects.create_user(
        username="nadia", password="pw", role=Role.BACK_OFFICE, mda=world.nrb
    )
    applications.application_move(
        application=application, to=Status.QUERY_RAISED, actor=nadia, reason="Picha haionekani"
    )
    assert "linahitaji jibu lako" in Message.objects.get(template="application_query").body

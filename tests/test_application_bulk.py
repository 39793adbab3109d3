"""A batch change (a delivery of printed ID cards): one event and one SMS per application; a row
that cannot move is named and the others still move; concurrent changes serialise on the row."""

import pytest

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.applications.models import Application, ApplicationEvent, Status
from huduma.notify.models import Message
from huduma.queues import services as queues


@pytest.fixture
def batch(world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    made = []
    for n in range(4):
        queues.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
            phone=f"071234560{n}",
        )
        ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
        queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
        made.append(applications.application_open(ticket=ticket, officer=world.alice)[0])
        queues.ticket_finish(ticket=ticket, counter=counter, officer=world.alice)
    return made


@pytest.fixture
def nadia(world):
    return User.objects.create_user(
        username="nadia", password="pw", role=Role.BACK_OFFICE, mda=world.nrb
    )


def test_bulk_ready_gives_each_application_its_event_and_sms(client, world, batch, nadia):
    for application in batch:
        for to in (Status.IN_PROCESSING, Status.APPROVED):
            applications.application_move(application=application, to=to, actor=nadia)
    client.force_login(nadia)
    response = client.post(
        "/staff/applications/bulk/",
        {
            "application": [str(a.pk) for a in batch[:3]],
            "to": Status.READY,
            "collection_centre": str(world.kisumu.pk),
        },
        follow=True,
    )
    assert "3 applications moved" in response.content.decode()
    ready = Application.objects.filter(status=Status.READY)
    assert ready.count() == 3
    assert set(ready.values_list("collection_centre", flat=True)) == {world.kisumu.pk}
    assert ApplicationEvent.objects.filter(kind="ready").count() == 3
    texts = Message.objects.filter(template="application_ready")
    assert sorted(texts.values_list("to", flat=True)) == [f"+25471234560{n}" for n in range(3)]
    assert all("Kisumu" in body for body in texts.values_list("body", flat=True))


def test_a_row_that_cannot_move_is_named_and_the_rest_move(world, batch, nadia):
    applications.application_move(application=batch[0], to=Status.IN_PROCESSING, actor=nadia)
    result = applications.applications_move_bulk(
        applications=batch, to=Status.IN_PROCESSING, actor=nadia
    )
    assert len(result.moved) == 3
    assert [number for number, _why in result.refused] == [batch[0].tracking_number]
    assert ApplicationEvent.objects.filter(kind="in_processing").count() == 4
    assert Message.objects.filter(template="application_in_processing").count() == 4


def test_bulk_keeps_to_the_officers_mda(client, world, batch):
    nick = User.objects.create_user(
        username="nick", password="pw", role=Role.BACK_OFFICE, mda=world.nhif
    )
    client.force_login(nick)
    client.post(
        "/staff/applications/bulk/",
        {"application": [str(a.pk) for a in batch], "to": Status.IN_PROCESSING},
    )
    assert not Application.objects.exclude(status=Status.RECEIVED).exists()
    client.force_login(world.alice)  # a counter officer has no worklist
    response = client.post(
        "/staff/applications/bulk/",
        {"application": [str(a.pk) for a in batch], "to": Status.IN_PROCESSING},
    )
    assert response.status_code == 403


def test_back_office_finds_the_worklist_from_the_staff_home(client, world, nadia):
    client.force_login(nadia)
    assert "/staff/applications/" in client.get("/staff/", follow=True).content.decode()

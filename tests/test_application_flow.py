"""Ticket -> application -> back office -> ready for collection -> collected, an SMS each step."""

import pytest

from huduma.accounts.models import Role, User
from huduma.applications import services as applications
from huduma.applications.models import Application, ApplicationEvent, Status
from huduma.core.errors import Forbidden
from huduma.notify.models import Message
from huduma.queues import services as queues


@pytest.fixture
def serving(world, clock):
    """Alice serving a GPO ticket for a lost ID card, the citizen's phone known."""
    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
        language="en",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    ticket.refresh_from_db()
    return counter, ticket


@pytest.fixture
def nrb_back_office(world):
    return User.objects.create_user(
        username="nadia", password="pw", role=Role.BACK_OFFICE, mda=world.nrb
    )


def sms_for(phone="+254712345678"):
    return list(
        Message.objects.filter(to=phone, template__startswith="application_")
        .order_by("created_at")
        .values_list("template", flat=True)
    )


def test_whole_path_with_an_sms_at_each_step(client, world, serving, nrb_back_office):
    counter, ticket = serving
    requirement = world.id_dup.requirements.get()
    client.force_login(world.alice)
    response = client.get(f"/staff/counters/{counter.pk}/")
    assert "Open application" in response.content.decode()
    response = client.post(
        f"/staff/counters/{counter.pk}/applications/open/",
        {"ticket": str(ticket.pk), "confirmed": [str(requirement.pk)]},
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/applications/{application.pk}/"
    assert application.ticket == ticket and application.visit == ticket.visit
    assert application.fee_kes == world.id_dup.fee_kes
    assert applications.application_fee_due(application) == world.id_dup.fee_kes
    assert application.checklist[0]["confirmed"] is True
    assert len(application.tracking_number) == 9
    page = client.get(response["Location"]).content.decode()
    assert application.tracking_number in page
    assert sms_for() == ["application_received"]
    body = Message.objects.get(template="application_received").body
    assert application.tracking_number in body

    # A double click opens nothing more.
    client.post(
        f"/staff/counters/{counter.pk}/applications/open/",
        {"ticket": str(ticket.pk), "confirmed": [str(requirement.pk)]},
    )
    assert Application.objects.count() == 1
    # The console now links to it instead of offering to open another.
    console = client.get(f"/staff/counters/{counter.pk}/").content.decode()
    assert f"Application {application.tracking_number} is open" in console
    assert "Open application" not in console

    client.force_login(nrb_back_office)
    worklist = client.get("/staff/applications/").content.decode()
    assert application.tracking_number in worklist
    for to in (Status.IN_PROCESSING, Status.APPROVED, Status.READY):
        response = client.post(f"/staff/applications/{application.pk}/move/", {"to": to})
        assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.READY
    assert application.collection_centre == world.gpo

    # The counter of the collection centre hands it over.
    client.force_login(world.alice)
    client.post(f"/staff/applications/{application.pk}/move/", {"to": Status.COLLECTED})
    application.refresh_from_db()
    assert application.status == Status.COLLECTED
    assert sms_for() == [
        "application_received",
        "application_in_processing",
        "application_approved",
        "application_ready",
        "application_collected",
    ]
    kinds = list(
        application.events.order_by("at", "node_seq").values_list("kind", "actor__username")
    )
    assert [k for k, _ in kinds] == ["received", "in_processing", "approved", "ready", "collected"]
    assert dict(kinds)["approved"] == "nadia"


def test_an_invalid_step_is_refused_with_a_clear_message(world, serving, nrb_back_office):
    _counter, ticket = serving
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    with pytest.raises(applications.WrongStep) as caught:
        applications.application_move(
            application=application, to=Status.COLLECTED, actor=nrb_back_office
        )
    assert caught.value.status == 409
    assert "cannot become collected" in caught.value.message
    with pytest.raises(applications.DomainError) as caught:
        applications.application_move(
            application=application, to=Status.REJECTED, actor=nrb_back_office
        )
    assert caught.value.field == "reason"
    applications.application_move(
        application=application, to=Status.REJECTED, actor=nrb_back_office, reason="Photo unclear"
    )
    assert "Photo unclear" in Message.objects.get(template="application_rejected").body
    assert ApplicationEvent.objects.filter(kind="rejected", note="Photo unclear").count() == 1


def test_only_the_owning_mda_back_office_moves_it(world, serving):
    _counter, ticket = serving
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    nhif_officer = User.objects.create_user(
        username="nick", password="pw", role=Role.BACK_OFFICE, mda=world.nhif
    )
    for actor in (nhif_officer, world.alice, world.bob, world.sam):
        with pytest.raises(Forbidden):
            applications.application_move(
                application=application, to=Status.IN_PROCESSING, actor=actor
            )
    with pytest.raises(Forbidden):
        applications.application_open(ticket=ticket, officer=world.charlie)


def test_worklist_and_application_pages_keep_to_the_mda_and_centre(
    client, world, serving, nrb_back_office
):
    _counter, ticket = serving
    application, _ = applications.application_open(ticket=ticket, officer=world.alice)
    nhif_officer = User.objects.create_user(
        username="nick", password="pw", role=Role.BACK_OFFICE, mda=world.nhif
    )
    client.force_login(nhif_officer)
    assert application.tracking_number not in client.get("/staff/applications/").content.decode()
    assert client.get(f"/staff/applications/{application.pk}/").status_code == 403
    client.force_login(world.charlie)  # another centre's counter officer
    assert client.get(f"/staff/applications/{application.pk}/").status_code == 403
    assert client.get("/staff/applications/").status_code == 403
    client.force_login(world.bob)
    assert client.get(f"/staff/applications/{application.pk}/").status_code == 200

"""Call-next, start and finish answer frozen results (Called, Moved) carrying what callers need
(the visit's number, the "go to counter" SMS, whether the visit has more to come), not
attributes stuck on a ticket or a hand-built partial Visit: the ticket they hand back is a
plain row whose visit, read when asked for, is the whole visit."""

import dataclasses

import pytest
from django.urls import reverse

from huduma.notify.models import Message
from huduma.queues import notifications, services
from huduma.queues.models import Ticket

pytestmark = pytest.mark.django_db
API = "/api/queues"


def join(client, phone="0712345678", language="en"):
    """A virtual ticket issued in another request: the call reads it from the database."""
    response = client.post(
        f"{API}/centres/gpo-nairobi/join",
        {
            "services": ["NHIF-REGISTRATION"],
            "phone": phone,
            "language": language,
            "requirements_confirmed": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["number"]


@pytest.fixture
def desk(world, officers):
    counter = world.counters[("gpo-nairobi", 2)]  # serves NHIF registration
    services.counter_open(counter=counter, officer=officers[2])
    return counter, officers[2]


def test_the_answer_carries_the_number_and_the_called_sms(
    client, world, clock, desk, _memory_sms, django_capture_on_commit_callbacks
):
    counter, officer = desk
    number = join(client)
    with django_capture_on_commit_callbacks(execute=True):
        called = services.ticket_call_next_answer(counter=counter, officer=officer)
    assert isinstance(called, services.Called)
    assert called.number == number and not called.repeated
    sms = Message.objects.get(template="ticket_called")
    assert called.called_sms_id == sms.pk
    assert sms.status == Message.Status.SENT  # delivered once the call committed
    assert ("+254712345678", sms.body) in _memory_sms.outbox
    assert number in sms.body and "counter 2" in sms.body
    with pytest.raises(dataclasses.FrozenInstanceError):
        called.number = "X"
    # The ticket is a plain row: no columns of the query left on it, and its visit, read
    # when asked for, is the whole visit (a hand-built one had no phone nor language).
    ticket = called.ticket
    assert not hasattr(ticket, "visit_number") and not hasattr(ticket, "called_sms_id")
    assert ticket.visit.phone == "+254712345678" and ticket.visit.language == "en"
    assert ticket.counter == counter and ticket.service == world.nhif_reg

    again = services.ticket_call_next_answer(counter=counter, officer=officer)
    assert again.repeated and again.ticket.pk == ticket.pk and again.number == number
    assert again.called_sms_id is None  # nothing called now, nothing more to send
    assert Message.objects.filter(template="ticket_called").count() == 1


def test_a_reception_ticket_is_called_without_an_sms(world, clock, desk):
    counter, officer = desk
    visit = services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )
    called = services.ticket_call_next_answer(counter=counter, officer=officer)
    assert called.number == visit.number and called.called_sms_id is None
    assert services.ticket_call_next_answer(counter=counter, officer=officer).repeated


def test_the_ticket_sms_of_a_called_visit_goes_to_its_phone(client, world, clock, desk):
    """A notification given the visit of a called ticket reads the real visit (a partial one
    sent it to no phone, in Swahili)."""
    counter, officer = desk
    number = join(client)
    ticket = services.ticket_call_next(counter=counter, officer=officer)
    Message.objects.all().delete()
    notifications.visit_issued_sms(
        issued=services.IssuedVisit(ticket.visit), services=[world.nhif_reg], now=clock.current
    )
    sms = Message.objects.get()
    assert sms.to == "+254712345678" and sms.language == "en" and number in sms.body


def test_the_console_calls_a_visit_issued_earlier_and_shows_it(
    client, world, clock, desk, _memory_sms, django_capture_on_commit_callbacks
):
    counter, officer = desk
    number = join(client)
    client.force_login(officer)
    url = reverse("queues:console_action", args=[counter.pk, "call"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert number in page.content.decode()
    sms = Message.objects.get(template="ticket_called")
    assert ("+254712345678", sms.body) in _memory_sms.outbox


def test_the_api_answers_the_called_ticket_with_its_number(client, world, clock, desk):
    counter, officer = desk
    number = join(client)
    client.force_login(officer)
    called = client.post(f"{API}/counters/{counter.pk}/call-next").json()["ticket"]
    assert (called["number"], called["status"], called["counter"]) == (number, "called", 2)
    body = {"counter": counter.pk}
    started = client.post(
        f"{API}/tickets/{called['id']}/start", body, content_type="application/json"
    ).json()
    assert (started["number"], started["status"]) == (number, "serving")
    finished = client.post(
        f"{API}/tickets/{called['id']}/finish", body, content_type="application/json"
    ).json()
    assert (finished["number"], finished["status"]) == (number, "served")


def test_start_and_finish_answer_whether_the_visit_has_more_to_come(world, clock, officers):
    counter = world.counters[("gpo-nairobi", 3)]  # KRA PIN and NHIF
    services.counter_open(counter=counter, officer=officers[3])
    both = services.visit_issue(
        centre=world.gpo,
        services=[world.kra_pin, world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
    )
    ticket = services.ticket_call_next(counter=counter, officer=officers[3])
    started = services.ticket_start_answer(ticket=ticket, counter=counter, officer=officers[3])
    assert isinstance(started, services.Moved)
    assert (started.number, started.has_pending, started.repeated) == (both.number, True, False)
    assert not hasattr(started.ticket, "has_pending")
    finished = services.ticket_finish_answer(ticket=ticket, counter=counter, officer=officers[3])
    assert finished.ticket.status == "served" and finished.has_pending and not finished.repeated
    # The visit's NHIF ticket has joined its queue; a repeated finish changes nothing.
    assert Ticket.objects.get(visit=both, service=world.nhif_reg).status == "waiting"
    again = services.ticket_finish_answer(ticket=ticket, counter=counter, officer=officers[3])
    assert again.repeated and again.ticket.status == "served" and again.number == both.number
    assert not again.has_pending  # the next service waits now: nothing is pending any more

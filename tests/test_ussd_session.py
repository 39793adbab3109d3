"""The USSD session on the server: a repeated request is answered the same and acts once, a
session cut off resumes where it stopped (for 10 minutes), hostile or broken requests get a
clear END or a 400, never a 500, and the endpoint answers only the operator."""

import pytest
from django.db import IntegrityError

from huduma.channels.ussd.models import UssdExchange, UssdSession, UssdSessionEnd
from huduma.complaints.models import Complaint
from huduma.notify.models import Message
from huduma.queues.models import Visit
from tests.ussd_phone import SERVICE_CODE, TOKEN, Phone, choice, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ussd_on(settings):
    settings.USSD_CALLBACK_TOKEN = TOKEN
    settings.USSD_ALLOWED_IPS = []


@pytest.fixture
def phone(client):
    return Phone(client)


def test_a_repeated_request_is_answered_the_same_and_acts_once(phone, world):
    phone.dial()
    phone.press("2", "1", "GPO", "1")
    phone.press(choice(phone.screens[-1], "NHIF registration"))
    done = phone.press("1")
    assert done.startswith("END Ticket ")
    assert phone.again() == done  # the gateway retried: same answer...
    assert Visit.objects.filter(phone=phone.number).count() == 1  # ...and one ticket
    assert (
        Message.objects.filter(to=phone.number, template="ticket_issued_no_counter").count()
        + (Message.objects.filter(to=phone.number, template="ticket_issued").count())
        == 1
    )
    # A repeat of an earlier request of the session is answered as it was then.
    phone.inputs = phone.inputs[:1]
    assert phone.again() == phone.screens[1]


def test_a_repeated_complaint_lodges_one_complaint(phone, world):
    phone.dial()
    phone.press("5", "1", "1")
    first = phone.press("Rude guard")
    for _ in range(3):
        assert phone.again() == first
    assert Complaint.objects.count() == 1


def test_the_exchange_is_unique_per_session_and_text_in_the_database(phone, world):
    phone.dial()
    session = UssdSession.objects.get(session_id=phone.session_id)
    exchange = UssdExchange.objects.get(session=session)
    with pytest.raises(IntegrityError):
        UssdExchange.objects.create(
            session=session, text_digest=exchange.text_digest, reply="CON other", at=exchange.at
        )


def test_a_session_cut_off_resumes_where_it_stopped(phone, world, clock):
    phone.dial()
    phone.press("3", "1", "GPO", "1")
    services = phone.screens[-1]
    phone.press(choice(services, "Replacement"))
    days = phone.screens[-1]
    assert days.startswith("CON Choose a day")
    # The network drops the call; the caller dials again two minutes later.
    clock.advance(minutes=2)
    offer = phone.dial()
    assert offer == (
        "CON You were cut off. Continue where you stopped?\n1. Continue\n2. Start again\n"
        "0 Back 00 Home"
    )
    assert phone.press("1") == days
    phone.press("2", "1")
    assert phone.press("1").startswith("END Booked: ")
    # Once resumed, the old session is not offered again.
    clock.advance(minutes=1)
    assert phone.dial().startswith("CON Huduma Kenya")


def test_start_again_instead_of_resuming(phone, world, clock):
    phone.dial()
    phone.press("5", "1")
    phone.dial()
    assert phone.press("2").startswith("CON Huduma Kenya\n1. Find a service")


def test_no_resume_after_ten_minutes_or_after_an_end(phone, world, clock):
    phone.dial()
    phone.press("5", "1")
    clock.advance(minutes=11)
    assert phone.dial().startswith("CON Huduma Kenya")
    phone.press("2", "2")  # END: nothing to resume
    assert phone.dial().startswith("CON Huduma Kenya")


def test_a_request_after_the_operators_180_seconds_ends(phone, world, clock):
    phone.dial()
    phone.press("5")
    clock.advance(seconds=181)
    assert phone.press("1") == "END This session timed out. Dial again to continue."


def test_back_home_and_more(phone, world):
    home = phone.dial()
    assert phone.press("6").startswith("CON More\n1. Rate my last visit")
    assert phone.press("0") == home
    phone.press("6")
    assert phone.press("00") == home
    assert phone.press("98").startswith("CON There is no more to show.\nHuduma Kenya")


def test_long_lists_page_with_98(phone, world):
    from huduma.catalogue.models import CentreService
    from tests.conftest import make_service

    for n in range(12):
        service = make_service(
            world.nrb, f"NRB-CERT-{n:02d}", f"Certificate {n:02d}", f"Cheti {n:02d}"
        )
        CentreService.objects.create(centre=world.gpo, service=service)
    phone.dial()
    first = phone.press("1", "certificate")
    assert "1. Certificate 00" in first and "98 More" in first
    assert first.count("\n") <= 10
    second = phone.press("98")
    shown_first = [n for n in range(1, 30) if f"\n{n}. " in "\n" + first[4:]]
    shown_second = [n for n in range(1, 30) if f"\n{n}. " in "\n" + second[4:]]
    assert shown_second[0] == shown_first[-1] + 1  # numbering goes on
    assert len(shown_first) <= 7 and len(shown_second) <= 7
    info = phone.press(str(shown_second[0]))
    assert info.startswith(f"CON Certificate {shown_second[0] - 1:02d}")


@pytest.mark.parametrize(
    "text",
    ["9", "1*2*3*4*5*6*7*8*9*0*9*8*7", "abc", "**", "1*" + "x" * 170, "7*7*7*7"],
)
def test_unknown_or_garbled_input_is_answered_never_a_500(phone, world, text):
    phone.dial()
    response = phone.post(text)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(("CON ", "END ")) and len(body) <= 182


def test_text_that_does_not_follow_the_session_ends_it_clearly(phone, world):
    phone.dial()
    phone.press("5")
    assert phone.post("6*1").content.decode() == "END Sorry, we lost your place. Please dial again."


def test_very_long_text_is_refused_with_an_end(phone, world):
    phone.dial()
    body = phone.post("1*" + "9" * 5000).content.decode()
    assert body == "END Sorry, that is too long. Please dial again."


@pytest.mark.parametrize(
    "data, field",
    [
        ({"phoneNumber": "+254712345678", "text": ""}, "sessionId"),
        ({"sessionId": "ATUid_x", "text": ""}, "phoneNumber"),
        ({"sessionId": "ATUid_x", "phoneNumber": "not a phone", "text": ""}, "phoneNumber"),
        ({"sessionId": "x" * 101, "phoneNumber": "+254712345678"}, "sessionId"),
    ],
)
def test_missing_or_malformed_fields_are_a_400_naming_the_field(client, world, data, field):
    response = client.post(url(), {"serviceCode": SERVICE_CODE, **data})
    assert response.status_code == 400
    assert response.content.decode() == f"END Bad request: {field} is missing or malformed."
    assert not UssdSession.objects.exists()


def test_the_endpoint_needs_the_token(client, world):
    body = {"sessionId": "ATUid_1", "phoneNumber": "+254712345678", "text": ""}
    assert client.post(url(token="wrong"), body).status_code == 403
    assert client.post("/ussd/africastalking", body).status_code == 403
    assert client.get(url()).status_code == 405
    assert not UssdSession.objects.exists()


def test_the_channel_is_off_without_a_token(client, world, settings):
    settings.USSD_CALLBACK_TOKEN = ""
    body = {"sessionId": "ATUid_1", "phoneNumber": "+254712345678", "text": ""}
    assert client.post("/ussd/africastalking?token=", body).status_code == 404


def test_the_allow_list_of_the_operators_addresses(client, world, settings):
    settings.USSD_ALLOWED_IPS = ["192.0.2.0/24"]
    body = {"sessionId": "ATUid_1", "phoneNumber": "+254712345678", "text": ""}
    refused = client.post(url(), body, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 403
    allowed = client.post(url(), body, REMOTE_ADDR="192.0.2.10")
    assert allowed.status_code == 200 and allowed.content.decode().startswith("CON ")


def test_each_phone_is_rate_limited(client, world, settings, real_cache):
    settings.USSD_REQUESTS_PER_MINUTE = 5
    phone = Phone(client)
    phone.dial()
    for _ in range(4):
        phone.press("6")
        phone.press("0")
        if phone.screens[-1].startswith("END"):
            break
    assert phone.screens[-1] == "END Too many requests from this number. Please wait a minute."
    other = Phone(client, number="+254722000111")
    assert other.dial().startswith("CON Huduma Kenya")


def test_a_session_id_of_another_phone_is_refused(client, world):
    owner = Phone(client)
    owner.dial()
    thief = Phone(client, number="+254722000111")
    thief.session_id = owner.session_id
    thief.inputs = ["5"]
    response = thief.post("5")
    assert response.content.decode() == "END This session belongs to another number."


def test_end_of_session_notification_is_stored_once(client, phone, world):
    phone.dial()
    phone.press("6")
    notification = {
        "date": "2026-11-24 09:01:00",
        "sessionId": phone.session_id,
        "serviceCode": SERVICE_CODE,
        "networkCode": "63902",
        "phoneNumber": phone.number,
        "status": "Incomplete",
        "cost": "KES 0.0000",
        "durationInMillis": "41230",
        "hopsCount": "2",
        "input": "6",
        "lastAppResponse": phone.screens[-1],
        "errorMessage": "Session timeout",
    }
    events = url("ussd:session_end")
    for _ in range(2):
        response = client.post(events, notification)
        assert response.status_code == 200 and response.content == b"OK"
    end = UssdSessionEnd.objects.get()
    assert (end.status, end.duration_ms, end.hops, end.error_message) == (
        "Incomplete",
        41230,
        2,
        "Session timeout",
    )
    assert end.phone == phone.number and end.input == "6"
    # Incomplete: the caller may still continue where they stopped.
    assert phone.dial().startswith("CON You were cut off.")


def test_end_of_session_notification_refusals(client, world):
    assert client.post(url("ussd:session_end", token="x"), {"sessionId": "a"}).status_code == 403
    assert client.post(url("ussd:session_end"), {"status": "Success"}).status_code == 400
    weird = {"sessionId": "ATUid_9", "status": "Failed", "durationInMillis": "-5", "hopsCount": "x"}
    assert client.post(url("ussd:session_end"), weird).status_code == 200
    end = UssdSessionEnd.objects.get()
    assert end.duration_ms is None and end.hops is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_copies_of_one_request_racing_each_other_act_once(world, settings):
    """The gateway sends the last request of a journey four times at once: one ticket, and
    every copy gets the same answer (the exchange's constraint picks one, the verb's key makes
    the others find its ticket)."""
    import threading

    from django.db import connections
    from django.test import Client

    from tests.conftest import require_postgres

    require_postgres()
    phone = Phone(Client())
    phone.dial()
    phone.press("2", "1", "GPO", "1")
    phone.press(choice(phone.screens[-1], "NHIF registration"))
    start = threading.Barrier(4)
    answers: list[str] = []

    def send():
        try:
            start.wait()
            racer = Phone(Client())
            racer.session_id, racer.inputs = phone.session_id, [*phone.inputs, "1"]
            answers.append(racer.post("*".join(racer.inputs)).content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    visit = Visit.objects.get(phone=phone.number)
    assert answers == [answers[0]] * 4
    assert answers[0].startswith(f"END Ticket {visit.number} ")


def test_sessions_are_forgotten_after_30_days(phone, world, clock):
    from huduma.channels.ussd.services import ussd_sessions_prune

    phone.dial()
    phone.press("6")
    old = phone.session_id
    clock.advance(days=29)
    phone.dial()
    clock.advance(days=2)
    assert ussd_sessions_prune() == 1
    assert not UssdSession.objects.filter(session_id=old).exists()
    assert UssdSession.objects.filter(session_id=phone.session_id).exists()
    assert UssdExchange.objects.count() == 1

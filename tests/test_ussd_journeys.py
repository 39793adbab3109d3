"""Each citizen journey of mHuduma over USSD, through Africa's Talking's exact request and
answer format: find a service, join a queue, check a ticket, book / move / cancel, track an
application and pay its fee, complain (and report a bribe anonymously), follow a complaint,
rate a visit, check a receipt, find the next outreach, switch language."""

import datetime as dt

import pytest

from huduma.complaints.models import Complaint
from huduma.notify.models import Message
from huduma.queues.models import Appointment, Visit
from tests.ussd_phone import TOKEN, Phone, choice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ussd_on(settings):
    settings.USSD_CALLBACK_TOKEN = TOKEN
    settings.USSD_ALLOWED_IPS = []


@pytest.fixture
def phone(client):
    return Phone(client)


def sms_to(number: str) -> list[str]:
    return list(
        Message.objects.filter(to=number).order_by("created_at").values_list("body", flat=True)
    )


def test_home_screen_is_africas_talking_con_answer(phone, world):
    home = phone.dial()
    assert home.startswith("CON Huduma Kenya\n1. Find a service\n")
    assert "7. Kiswahili" in home
    assert "0 Back" not in home  # nowhere to go back to


def test_find_a_service_shows_fee_documents_turnaround_and_where(phone, world):
    phone.dial()
    phone.press("1")
    found = phone.press("lost id")
    assert found.startswith("CON Choose a service\n1. Replacement of a lost ID card")
    info = phone.press("1")
    assert "Fee: KES 100" in info
    assert "Ready: 5 working days" in info
    assert "Bring: Police abstract" in info
    assert "Where: Huduma Centre GPO" in info


def test_join_a_queue_from_a_service_gives_a_ticket_and_an_sms(phone, world):
    phone.dial()
    phone.press("1", "lost id", "1")
    info = phone.press("98") if "1. Join" not in phone.screens[-1] else phone.screens[-1]
    phone.press(choice(info, "Join a queue"))
    centres = phone.press("Nairobi")
    assert "1. Huduma Centre GPO" in centres
    confirm = phone.press("1")
    assert "Bring: Police abstract" in confirm
    done = phone.press("1")
    visit = Visit.objects.get(phone=phone.number)
    assert visit.channel == "ussd" and visit.centre == world.gpo
    assert (
        done
        == f"END Ticket {visit.number} at Huduma Centre GPO. 0 ahead of you. We sent it by SMS."
    )
    assert any(visit.number in body for body in sms_to(phone.number))


def test_check_my_ticket(phone, world):
    phone.dial()
    phone.press("2", "1", "GPO", "1")
    services = phone.screens[-1]
    phone.press(choice(services, "NHIF registration"), "1")
    phone.dial()
    phone.press("2")
    answer = phone.press("2")
    visit = Visit.objects.get(phone=phone.number)
    assert answer.startswith(f"END {visit.number} Huduma Centre GPO: 0 ahead")


def test_check_ticket_with_none(phone, world):
    phone.dial()
    assert phone.press("2", "2") == "END This number holds no ticket today."


def book(phone, world, day_choice="1", slot_choice="1"):
    phone.dial()
    phone.press("3", "1", "GPO", "1")
    services = phone.screens[-1]
    phone.press(choice(services, "Replacement"))
    phone.press(day_choice)
    phone.press(slot_choice)
    return phone.press("1")


def test_book_an_appointment(phone, world, clock):
    days = None
    phone.dial()
    phone.press("3", "1", "GPO", "1")
    phone.press(choice(phone.screens[-1], "Replacement"))
    days = phone.screens[-1]
    assert days.startswith("CON Choose a day\n1. Tue 24/11\n2. Wed 25/11")
    slots = phone.press("2")
    assert slots.startswith("CON Choose a time\n1. 08:00")
    confirm = phone.press("1")
    assert "Book Replacement of a lost ID card at Huduma Centre GPO on Wed 25/11 08:00?" in confirm
    done = phone.press("1")
    booking = Appointment.objects.get(phone=phone.number)
    assert done == (
        f"END Booked: {booking.reference}, Wed 25/11 08:00 at Huduma Centre GPO. We sent it by SMS."
    )
    assert any(booking.reference in body for body in sms_to(phone.number))


def test_move_then_cancel_a_booking(phone, world, clock):
    book(phone, world, day_choice="2")
    booking = Appointment.objects.get(phone=phone.number)
    phone.dial()
    phone.press("3", "2")
    assert phone.screens[-1].startswith("CON Choose a booking\n1. Wed 25/11 08:00 Replacement")
    phone.press("1", "3", "2")  # Thursday, the second time
    assert (
        "Move Replacement of a lost ID card at Huduma Centre GPO to Thu 26/11 08:15?"
        in (phone.screens[-1])
    )
    done = phone.press("1")
    booking.refresh_from_db()
    assert booking.slot_start.astimezone(clock.current.tzinfo) == dt.datetime(
        2026, 11, 26, 8, 15, tzinfo=clock.current.tzinfo
    )
    assert done.startswith(f"END Booked: {booking.reference}, Thu 26/11 08:15")
    phone.dial()
    phone.press("3", "3", "1")
    assert phone.screens[-1].startswith(f"CON Cancel {booking.reference}, Thu 26/11 08:15")
    done = phone.press("1")
    assert done == f"END Booking {booking.reference} is cancelled. We sent you an SMS."
    booking.refresh_from_db()
    assert booking.status == Appointment.Status.CANCELLED
    assert Message.objects.filter(to=phone.number, template="appointment_cancelled").count() == 1


def test_another_phone_sees_no_booking_to_change(client, world, clock):
    owner = Phone(client)
    book(owner, world)
    stranger = Phone(client, number="+254722000111")
    stranger.dial()
    assert stranger.press("3", "3") == "END This number has no booking to change."


@pytest.fixture
def application(world, clock):
    from huduma.applications import services as applications
    from huduma.queues import services as queues

    counter = world.counters[("gpo-nairobi", 1)]
    queues.counter_open(counter=counter, officer=world.alice)
    queues.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",
    )
    ticket = queues.ticket_call_next(counter=counter, officer=world.alice)
    queues.ticket_start(ticket=ticket, counter=counter, officer=world.alice)
    return applications.application_open(ticket=ticket, officer=world.alice)[0]


def test_track_an_application_and_pay_its_fee_by_stk_push(phone, application, sandbox):
    phone.dial()
    phone.press("4")
    info = phone.press(application.tracking_number.lower().replace("-", " "))
    assert info.startswith(
        f"CON {application.tracking_number} Replacement of a lost ID card: Received. Expected by "
    )
    assert "1. Pay KES 100 by M-Pesa" in info
    confirm = phone.press("1")
    assert "Pay KES 100 for" in confirm
    done = phone.press("1")
    assert (
        done == "END Enter your M-Pesa PIN when asked, to pay KES 100. Your receipt comes by SMS."
    )
    [(_url, body, _delay)] = sandbox.sent
    assert body["Body"]["stkCallback"]["CallbackMetadata"]["Item"][-1]["Value"] == 254712345678
    assert Message.objects.filter(to=phone.number, template="ussd_payment_asked").count() == 1
    sandbox.deliver()
    assert Message.objects.filter(to=phone.number, template="payment_received").count() == 1
    # Paid: the fee is no longer offered.
    phone.dial()
    phone.press("4")
    assert "Pay" not in phone.press(application.tracking_number)


def test_another_phone_cannot_track_the_application(client, application):
    stranger = Phone(client, number="+254722000111")
    stranger.dial()
    stranger.press("4")
    answer = stranger.press(application.tracking_number)
    assert answer.startswith("CON No application matches this number and phone")


def test_make_a_complaint(phone, world):
    phone.dial()
    phone.press("5", "1")
    assert phone.screens[-1].startswith("CON What is it about?\n1. Poor service\n2. Delay")
    phone.press("2")
    done = phone.press("Waited 3 hours at GPO on Monday")
    complaint = Complaint.objects.get()
    assert complaint.channel == "ussd" and complaint.category == "delay"
    assert complaint.phone == phone.number and complaint.text == "Waited 3 hours at GPO on Monday"
    assert done.startswith(f"END Complaint {complaint.reference} received. We sent you an SMS")
    assert Message.objects.filter(to=phone.number, template="complaint_received").count() == 1


def test_anonymous_bribe_report_keeps_no_trace_of_the_phone(client, phone, world):
    from huduma.channels.ussd.models import UssdSession

    phone.dial()
    phone.press("5", "2", "2", "Officer asked 2000 for my ID")
    assert phone.screens[-1].startswith("CON Choose a secret phrase of at least 8 characters")
    done = phone.press("mango tree 42")
    complaint = Complaint.objects.get()
    assert complaint.anonymous and complaint.phone == "" and complaint.category == "bribery"
    assert done.startswith(f"END Report {complaint.reference} received. Keep the reference")
    assert not Message.objects.filter(to=phone.number).exists()  # no SMS: it would tie the phone
    session = UssdSession.objects.get(session_id=phone.session_id)
    assert session.phone == "" and session.last_text == "" and session.stack == []
    # The operator's end-of-session notification keeps neither the number nor the inputs.
    client.post(
        "/ussd/africastalking/session-end?token=" + TOKEN,
        {
            "sessionId": phone.session_id,
            "status": "Success",
            "phoneNumber": phone.number,
            "input": "5*2*2*Officer asked 2000 for my ID*mango tree 42",
            "lastAppResponse": done,
            "durationInMillis": "30000",
            "hopsCount": "5",
        },
    )
    from huduma.channels.ussd.models import UssdSessionEnd

    end = UssdSessionEnd.objects.get(session_id=phone.session_id)
    assert end.phone == "" and end.input == "" and end.hops == 5
    # Followed with the phrase, from any phone.
    other = Phone(client, number="+254733000222")
    other.dial()
    other.press("5", "3", complaint.reference, "2")
    status = other.press("mango tree 42")
    assert status.startswith(f"END {complaint.reference}: ")
    assert "the EACC and the Ombudsman" in status


def test_a_corruption_report_may_give_the_number(phone, world):
    phone.dial()
    phone.press("5", "2", "1")
    done = phone.press("Asked for 500 extra")
    complaint = Complaint.objects.get()
    assert complaint.phone == phone.number and not complaint.anonymous
    assert done.startswith(f"END Complaint {complaint.reference} received.")


def test_follow_a_complaint_from_the_phone_that_sent_it(client, phone, world):
    phone.dial()
    phone.press("5", "1", "1", "Rude officer")
    complaint = Complaint.objects.get()
    phone.dial()
    phone.press("5", "3", complaint.reference)
    status = phone.press("1")
    assert status.startswith(f"END {complaint.reference}: ")
    stranger = Phone(client, number="+254722000111")
    stranger.dial()
    stranger.press("5", "3", complaint.reference)
    assert "No complaint matches" in stranger.press("1")


def test_rate_the_last_visit(phone, world, clock):
    from huduma.feedback.models import Rating
    from huduma.feedback.services import rating_invitations_send
    from tests.feedback_helpers import serve

    serve(world, world.counters[("gpo-nairobi", 1)], world.alice, world.id_dup, phone=phone.number)
    clock.advance(minutes=15)
    assert rating_invitations_send() == 1
    phone.dial()
    phone.press("6")
    screen = phone.press("1")
    assert screen.startswith("CON Rate your visit to Huduma Centre GPO (ticket A001)\n1. Very poor")
    done = phone.press("5")
    assert done == "END Thank you. Your rating helps us serve you better."
    rating = Rating.objects.get()
    assert rating.score == 5 and rating.channel == "ussd"
    assert Message.objects.filter(to=phone.number, template="ussd_rating_thanks").count() == 1
    phone.dial()
    assert phone.press("6", "1") == "END There is no recent visit to rate from this number."


def test_check_a_receipt(phone, world, settings):
    import uuid
    from decimal import Decimal

    from huduma.ledger.services import payment_post

    settings.PAYMENTS_SANDBOX = False
    receipt = payment_post(
        payment_id=uuid.uuid4(),
        amount=Decimal("100.00"),
        service_id=world.id_dup.pk,
        centre_id=world.gpo.pk,
        at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
        method="mpesa",
        reference="QKT1AB2CD3",
    )
    phone.dial()
    phone.press("6", "2")
    genuine = phone.press(receipt.number.lower())
    assert genuine == (
        f"END Receipt {receipt.number} is genuine: KES 100 for Replacement of a lost ID card "
        "at Huduma Centre GPO, 20/11/2026."
    )
    phone.dial()
    phone.press("6", "2")
    assert phone.press("HR-NOPE").startswith("END No receipt HR-NOPE was issued.")


def test_next_outreach_in_my_sub_county(phone, world, clock):
    from huduma.outreach import publicity
    from tests.outreach_world import add_mashinani, agreed

    add_mashinani(world)
    outreach = agreed(
        world,
        world.westlands,
        [dt.date(2026, 12, 2), dt.date(2026, 12, 3)],
        {world.id_dup: world.dave},
    )
    publicity.outreach_announce(outreach=outreach, actor=world.bob)
    phone.dial()
    phone.press("6", "3", "westl")
    answer = phone.press("1")
    assert answer == (
        "END Huduma Mashinani in Westlands: 02/12 & 03/12, 08:00-17:00 at Chief's camp, Parklands."
    ) or answer.startswith("END Huduma Mashinani in Westlands: 02/12 & 03/12, ")
    phone.dial()
    phone.press("6", "3", "kibra")
    assert phone.press("1").startswith("END No Huduma Mashinani is announced yet in Kibra.")


def test_language_is_switched_and_remembered_per_phone(client, phone, world):
    phone.dial()
    swahili = phone.press("7")
    assert swahili.startswith("CON Huduma Kenya\n1. Tafuta huduma")
    assert "7. English" in swahili
    phone.dial()  # a new session: the choice is remembered
    assert phone.screens[-1].startswith("CON Huduma Kenya\n1. Tafuta huduma")
    phone.press("5", "1", "1")
    done = phone.press("Nilisubiri sana")
    complaint = Complaint.objects.get()
    assert complaint.language == "sw"
    assert done.startswith(f"END Lalamiko {complaint.reference} limepokelewa.")
    other = Phone(client, number="+254722000111")
    assert other.dial().startswith("CON Huduma Kenya\n1. Find a service")

"""A citizen moves or cancels a booking with its reference and the phone it was booked with."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.urls import reverse

from huduma.queues import appointments
from huduma.queues.errors import SlotUnavailable, TicketStateError
from huduma.queues.models import Appointment
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db


def slot(clock, day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.current.tzinfo)


@pytest.fixture
def booking(world, clock):
    return appointments.appointment_book(
        centre=world.gpo,
        service=world.id_dup,
        slot_start=slot(clock, dt.date(2026, 11, 25), 10),
        phone="0712345678",
        language="en",
    )


def find(client, reference, phone):
    return client.post(
        reverse("queues:booking_find", args=["gpo-nairobi"]),
        {"reference": reference, "phone": phone},
    )


def test_wrong_phone_or_reference_get_the_same_answer(client, world, clock, booking):
    wrong_phone = find(client, booking.reference, "0722000111")
    wrong_reference = find(client, "AP-XXXXXX", "0712345678")
    assert wrong_phone.status_code == wrong_reference.status_code == 400
    message = "No booking matches that reference and mobile number"
    for page in (wrong_phone, wrong_reference):
        assert message in page.content.decode() and "There is a problem" in page.content.decode()
    # Nothing was proven: the booking's own pages send back to the form.
    manage = reverse("queues:booking_manage", args=["gpo-nairobi", booking.reference])
    assert client.get(manage)["Location"].startswith(
        reverse("queues:booking_find", args=["gpo-nairobi"])
    )
    cancel = reverse("queues:booking_cancel", args=["gpo-nairobi", booking.reference])
    client.post(cancel)
    booking.refresh_from_db()
    assert booking.status == Appointment.Status.BOOKED


def test_finding_a_booking_is_throttled(client, world, clock, booking, settings):
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bf"}
    }
    cache.clear()
    for _ in range(10):
        find(client, "AP-XXXXXX", "0712345678")
    assert find(client, booking.reference, "0712345678").status_code == 429


def test_move_then_cancel(
    client, world, clock, booking, _memory_sms, django_capture_on_commit_callbacks
):
    found = find(client, booking.reference.lower(), "+254 712 345 678")
    manage = reverse("queues:booking_manage", args=["gpo-nairobi", booking.reference])
    assert found["Location"] == manage
    page = client.get(manage).content.decode()
    assert "Move to another time" in page and "Cancel the appointment" in page

    move = reverse("queues:booking_move", args=["gpo-nairobi", booking.reference])
    closed = client.get(move, {"date": "2026-11-29"})
    assert closed.status_code == 400 and "closed on Sunday" in closed.content.decode()
    times = client.get(move, {"date": "2026-11-28"}).content.decode()
    assert 'value="2026-11-28T09:00:00+03:00"' in times
    new = {"date": "2026-11-28", "slot": "2026-11-28T09:00:00+03:00"}
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(move, new)
    assert moved["Location"] == reverse("queues:booked", args=["gpo-nairobi", booking.reference])
    booking.refresh_from_db()
    assert booking.slot_start == slot(clock, dt.date(2026, 11, 28), 9)
    to, body = _memory_sms.outbox[-1]
    assert to == "+254712345678" and "is now on 28/11/2026 09:00" in body
    # The old time is free again.
    old = slot(clock, dt.date(2026, 11, 25), 10)
    assert old in appointments.available_slots(world.gpo, world.id_dup, old.date())
    # The same move again (a double click) changes nothing and texts nobody.
    sent = len(_memory_sms.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(move, new)
    assert len(_memory_sms.outbox) == sent
    confirmation = client.get(moved["Location"]).content.decode()
    assert (
        "Your appointment is moved" in confirmation and "Saturday 28 November 2026" in confirmation
    )

    cancel = reverse("queues:booking_cancel", args=["gpo-nairobi", booking.reference])
    assert "Yes, cancel it" in client.get(cancel).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(cancel)
    booking.refresh_from_db()
    assert booking.status == Appointment.Status.CANCELLED
    assert "is cancelled" in _memory_sms.outbox[-1][1]
    assert "Appointment cancelled" in client.get(done["Location"]).content.decode()
    sent = len(_memory_sms.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(cancel)
    assert again.status_code == 302 and len(_memory_sms.outbox) == sent


def test_a_move_respects_the_capacity_of_the_slot(world, clock, booking):
    full = slot(clock, dt.date(2026, 11, 26), 11)
    appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=full, phone="0722000111"
    )
    with pytest.raises(SlotUnavailable):  # counter 1 alone serves ID replacement
        appointments.appointment_move(appointment=booking, slot_start=full)
    booking.refresh_from_db()
    assert booking.slot_start == slot(clock, dt.date(2026, 11, 25), 10)


def test_a_checked_in_or_cancelled_booking_cannot_move(world, clock, booking):
    appointments.appointment_cancel(appointment=booking)
    with pytest.raises(TicketStateError):
        appointments.appointment_move(
            appointment=booking, slot_start=slot(clock, dt.date(2026, 11, 26), 11)
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moves_into_the_last_place_of_a_slot_give_one(world, clock):
    require_postgres()
    target = slot(clock, dt.date(2026, 11, 26), 11)
    movers = [
        appointments.appointment_book(
            centre=world.gpo,
            service=world.id_dup,
            slot_start=slot(clock, dt.date(2026, 11, 25), 10 + n),
            phone=f"07120000{n:02d}",
        )
        for n in range(4)
    ]
    start = threading.Barrier(len(movers))
    outcomes: list = []

    def move(appointment):
        try:
            start.wait()
            appointments.appointment_move(appointment=appointment, slot_start=target)
            outcomes.append("moved")
        except SlotUnavailable:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=(a,)) for a in movers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["moved"] + ["refused"] * 3
    assert Appointment.objects.filter(slot_start=target).count() == 1


def test_the_cancel_questions_read_as_swahili_questions(client, world, clock, booking):
    client.cookies["django_language"] = "sw"
    find(client, booking.reference, "0712345678")
    url = reverse("queues:booking_cancel", args=["gpo-nairobi", booking.reference])
    assert "<h1>Je, unataka kughairi miadi yako?</h1>" in client.get(url).content.decode()

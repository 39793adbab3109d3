"""Appointments are booked for a slot and merged with walk-ins when checked in."""

import datetime as dt

import pytest

from huduma.notify.models import Message
from huduma.queues import appointments, services
from huduma.queues.errors import OtherCentre, SlotUnavailable

pytestmark = pytest.mark.django_db


def at(clock, hour, minute):
    return clock.current.replace(hour=hour, minute=minute)


def test_slots_fill_up_to_the_counters_that_serve_the_service(world, clock):
    ten = at(clock, 10, 0)
    assert ten in appointments.available_slots(world.gpo, world.id_dup, ten.date())
    appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=ten, phone="0712345678"
    )
    # Counter 1 alone serves ID replacement: one booking per slot.
    assert ten not in appointments.available_slots(world.gpo, world.id_dup, ten.date())
    with pytest.raises(SlotUnavailable):
        appointments.appointment_book(
            centre=world.gpo, service=world.id_dup, slot_start=ten, phone="0722000000"
        )


@pytest.mark.parametrize("bad", [(8, 7), (18, 0), (7, 45)])
def test_off_grid_or_closed_hours_are_refused(world, clock, bad):
    with pytest.raises(SlotUnavailable):
        appointments.appointment_book(
            centre=world.gpo, service=world.id_dup, slot_start=at(clock, *bad), phone="0712345678"
        )


def test_appointment_merges_with_walk_ins(world, clock, officers):
    c1 = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=c1, officer=officers[1])
    booking = appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=at(clock, 10, 0), phone="0712345678"
    )

    def walk_in(hour, minute):
        return services.visit_issue(
            centre=world.gpo,
            services=[world.id_dup],
            channel="reception",
            requirements_confirmed=True,
            now=at(clock, hour, minute),
        )

    long_wait = walk_in(9, 30)
    recent = walk_in(9, 55)
    clock.set(at(clock, 9, 58))
    visit = appointments.appointment_check_in(reference=booking.reference.lower(), centre=world.gpo)
    assert visit.channel == "appointment"
    # Checking in twice gives the same ticket.
    assert (
        appointments.appointment_check_in(reference=booking.reference, centre=world.gpo).pk
        == visit.pk
    )
    order = []
    for _ in range(3):
        ticket = services.ticket_call_next(counter=c1, officer=officers[1])
        order.append(ticket.visit_id)
        services.ticket_start(ticket=ticket, counter=c1, officer=officers[1])
        services.ticket_finish(ticket=ticket, counter=c1, officer=officers[1])
    assert order == [long_wait.pk, visit.pk, recent.pk]


def test_check_in_at_another_centre_is_refused(world, clock):
    booking = appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=at(clock, 11, 0), phone="0712345678"
    )
    with pytest.raises(OtherCentre):
        appointments.appointment_check_in(reference=booking.reference, centre=world.kisumu)


def test_late_arrival_is_treated_as_a_walk_in(world, clock):
    booking = appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=at(clock, 9, 15), phone="0712345678"
    )
    clock.advance(hours=1)  # 10:00, 45 minutes late
    visit = appointments.appointment_check_in(reference=booking.reference, centre=world.gpo)
    assert visit.tickets.get().queue_key == visit.arrived_at.timestamp()
    assert dt.timedelta(0) <= clock.current - visit.arrived_at < dt.timedelta(seconds=1)


def test_one_phone_holds_one_booking_of_a_service_a_day(world, clock):
    """Back then Book again may post the next time (the one booked has left the list): the
    booking already made comes back, with no second SMS; another day is another booking."""
    first = appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=at(clock, 10, 0), phone="0712345678"
    )
    sent = Message.objects.count()
    again = appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=at(clock, 10, 15), phone="0712345678"
    )
    assert again.pk == first.pk and Message.objects.count() == sent == 1
    other = appointments.appointment_book(
        centre=world.gpo, service=world.nhif_reg, slot_start=at(clock, 10, 15), phone="0712345678"
    )
    assert other.pk != first.pk

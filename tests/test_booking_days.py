"""Bookings are offered only when the centre is open: its charter's hours (Saturday hours
included), never a Sunday it does not open or a public holiday; a closed day posted anyway
is refused with a form message."""

import datetime as dt

import pytest
from django.urls import reverse

from huduma.core.models import Holiday
from huduma.places.hours import hours_parse
from huduma.queues import appointments
from huduma.queues.errors import SlotUnavailable

pytestmark = pytest.mark.django_db


TUESDAY = dt.date(2026, 11, 24)  # the clock fixture's day
SATURDAY = dt.date(2026, 11, 28)
SUNDAY = dt.date(2026, 11, 29)
JAMHURI = dt.date(2026, 12, 12)  # a public holiday, on a Saturday this year


def test_charter_hours_are_read_from_the_centre_line():
    week = hours_parse("Mon-Fri 08:00-17:00, Sat 09:00-13:00")
    assert week[0] == week[4] == (dt.time(8), dt.time(17))
    assert week[5] == (dt.time(9), dt.time(13))
    assert 6 not in week
    assert hours_parse("Mon-Sat 7:30-18:00")[5] == (dt.time(7, 30), dt.time(18))
    # A line nobody can read keeps the standard hours rather than closing the centre.
    assert hours_parse("by appointment")[5] == (dt.time(9), dt.time(13))


def test_saturday_is_bookable_within_its_charter_hours(world, clock):
    slots = appointments.available_slots(world.gpo, world.id_dup, SATURDAY)
    local = [s.strftime("%H:%M") for s in slots]
    assert local[0] == "09:00" and local[-1] == "12:45"
    booking = appointments.appointment_book(
        centre=world.gpo, service=world.id_dup, slot_start=slots[0], phone="0712345678"
    )
    assert booking.slot_start == slots[0]
    with pytest.raises(SlotUnavailable):  # Saturday afternoon: the centre is shut
        appointments.appointment_book(
            centre=world.gpo,
            service=world.id_dup,
            slot_start=dt.datetime.combine(SATURDAY, dt.time(14), tzinfo=slots[0].tzinfo),
            phone="0712345678",
        )


def test_a_centre_without_saturday_hours_is_not_offered_on_saturday(world, clock):
    world.kisumu.opening_hours = "Mon-Fri 08:00-17:00"
    world.kisumu.save()
    assert SATURDAY not in appointments.bookable_days(world.kisumu)
    assert appointments.available_slots(world.kisumu, world.id_dup, SATURDAY) == []
    assert "Saturday" in appointments.day_refused(world.kisumu, SATURDAY)


def test_sundays_and_public_holidays_are_not_offered(world, clock):
    Holiday.objects.create(year=2026, month=11, day=27, name="Eid al-Adha")
    days = appointments.bookable_days(world.gpo)
    assert TUESDAY in days and SATURDAY in days
    assert SUNDAY not in days and JAMHURI not in days
    assert dt.date(2026, 11, 27) not in days  # a holiday entered in the admin
    assert "public holidays" in appointments.day_refused(world.gpo, JAMHURI)
    sunday_ten = dt.datetime.combine(SUNDAY, dt.time(10), tzinfo=clock.current.tzinfo)
    with pytest.raises(SlotUnavailable) as refused:
        appointments.appointment_book(
            centre=world.gpo, service=world.id_dup, slot_start=sunday_ten, phone="0712345678"
        )
    assert refused.value.field == "date" and "Sunday" in refused.value.message


def test_the_date_picker_lists_open_days_and_says_when_the_centre_is_closed(client, world, clock):
    url = reverse("queues:book", args=["gpo-nairobi"])
    html = client.get(url).content.decode()
    assert 'value="2026-11-28"' in html  # Saturday
    assert 'value="2026-11-29"' not in html  # Sunday
    assert 'value="2026-12-12"' not in html  # Jamhuri Day
    assert "Monday to Friday 08:00 to 17:00; Saturday 09:00 to 13:00" in html
    assert "Closed on public holidays" in html
    # A closed day sent anyway (an old link, a typed address) is a form error, not a booking.
    closed = client.get(url, {"service": world.id_dup.pk, "date": "2026-11-29"})
    assert closed.status_code == 400
    body = closed.content.decode()
    assert "There is a problem" in body and "closed on Sunday" in body
    posted = client.post(
        url,
        {
            "service": world.id_dup.pk,
            "date": "2026-12-12",
            "slot": "2026-12-12T10:00:00+03:00",
            "phone": "0712345678",
        },
    )
    assert posted.status_code == 400 and "public holidays" in posted.content.decode()


def test_the_date_picker_speaks_swahili(client, world, clock):
    client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    html = client.get(reverse("queues:book", args=["gpo-nairobi"])).content.decode()
    assert "Jumamosi" in html  # Saturday, in the opening hours
    assert "Imefungwa siku za sikukuu" in html


def test_time_slots_are_a_grid_of_radio_buttons(client, world, clock):
    url = reverse("queues:book", args=["gpo-nairobi"])
    html = client.get(url, {"service": world.id_dup.pk, "date": "2026-11-28"}).content.decode()
    assert 'class="chip-grid"' in html
    assert html.count('type="radio" id="slot-') == 16  # 09:00 to 12:45, every 15 minutes


def test_no_time_and_a_bad_number_are_both_named_at_once(client, world, clock):
    url = reverse("queues:book", args=["gpo-nairobi"])
    posted = client.post(url, {"service": world.id_dup.pk, "date": "2026-11-28", "phone": "07"})
    assert posted.status_code == 400
    html = posted.content.decode()
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert summary.index('href="#slot"') < summary.index('href="#phone"')  # in page order
    assert 'id="phone-error"' in html

"""Queue pages work without JavaScript and check role and centre scope."""

import re

import pytest
from django.urls import reverse

from huduma.queues import services
from huduma.queues.models import Appointment, Visit
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.django_db


def test_reception_issues_after_the_checklist_is_confirmed(client, world, clock):
    client.force_login(world.bob)
    url = reverse("queues:reception", args=["gpo-nairobi"])
    step1 = {
        "services": [world.id_dup.pk, world.kra_pin.pk],
        "priority": "elderly",
        "phone": "",
        "language": "sw",
    }
    checklist = client.post(url, step1)
    html = checklist.content.decode()
    assert "Police abstract" in html and Visit.objects.count() == 0
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    refused = client.post(url, {**step1, "confirm": "1", "idempotency_key": key})
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    done = client.post(
        url, {**step1, "confirm": "1", "idempotency_key": key, "requirements_confirmed": "yes"}
    )
    visit = Visit.objects.get()
    assert done["Location"] == reverse("queues:issued", args=[visit.pk])
    # A double press of "Issue ticket" gives the same ticket.
    client.post(
        url, {**step1, "confirm": "1", "idempotency_key": key, "requirements_confirmed": "yes"}
    )
    assert Visit.objects.count() == 1
    ticket = client.get(done["Location"]).content.decode()
    assert visit.number in ticket and "<svg" in ticket


def test_reception_of_another_centre_is_forbidden(client, world):
    client.force_login(world.charlie)
    assert client.get(reverse("queues:reception", args=["gpo-nairobi"])).status_code == 403


def test_kiosk_is_bilingual_and_needs_no_sign_in(kiosk, world, clock):
    client = kiosk
    html = client.get(reverse("queues:kiosk", args=["gpo-nairobi"])).content.decode()
    assert "Chukua tiketi" in html and "Take a ticket" in html
    assert "Kubadilisha kitambulisho kilichopotea" in html


def test_console_calls_and_serves_through_forms(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    client.force_login(world.alice)
    console = reverse("queues:console", args=[counter.pk])

    def act(action, **data):
        return client.post(reverse("queues:console_action", args=[counter.pk, action]), data)

    act("open")
    act("call")
    page = client.get(console).content.decode()
    assert 'data-testid="current-number">A001<' in page
    ticket = Visit.objects.get().tickets.get()
    act("start", ticket=ticket.pk)
    act("finish", ticket=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "served"
    follow = client.post(reverse("queues:console_action", args=[counter.pk, "call"]), follow=True)
    assert "Nobody is waiting" in follow.content.decode()


def test_console_of_another_centre_is_forbidden(client, world):
    client.force_login(world.charlie)
    counter = world.counters[("gpo-nairobi", 1)]
    assert client.get(reverse("queues:console", args=[counter.pk])).status_code == 403
    response = client.post(reverse("queues:console_action", args=[counter.pk, "open"]))
    assert response.status_code == 403


def test_display_shows_the_latest_call(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    services.counter_open(counter=counter, officer=world.alice)
    services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    services.ticket_call_next(counter=counter, officer=world.alice)
    html = client.get(reverse("queues:display_calls", args=["gpo-nairobi"])).content.decode()
    assert "A001" in html and "Kaunta" in html


def test_live_view_is_for_the_centre_manager(client, world, clock):
    client.force_login(world.alice)
    assert client.get(reverse("queues:live", args=["gpo-nairobi"])).status_code == 403
    client.force_login(world.bob)
    assert client.get(reverse("queues:live", args=["gpo-nairobi"])).status_code == 200


def test_web_join_gives_a_virtual_ticket(client, world, clock):
    url = reverse("queues:join", args=["gpo-nairobi"])
    client.post(url, {"service": world.nhif_reg.pk, "phone": "0712345678"})
    bad = client.post(
        url,
        {
            "service": world.nhif_reg.pk,
            "phone": "12",
            "confirm": "1",
            "requirements_confirmed": "yes",
        },
    )
    assert bad.status_code == 400 and "phone" in bad.content.decode()
    done = client.post(
        url,
        {
            "service": world.nhif_reg.pk,
            "phone": "0712345678",
            "confirm": "1",
            "requirements_confirmed": "yes",
        },
    )
    visit = Visit.objects.get()
    assert done["Location"] == reverse("queues:ticket", args=[visit.pk])
    assert visit.number in client.get(done["Location"]).content.decode()


def test_citizen_books_an_appointment_online(
    client, world, clock, _memory_sms, django_capture_on_commit_callbacks
):
    url = reverse("queues:book", args=["gpo-nairobi"])
    bad = client.get(url, {"service": "", "date": "soon"})
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()
    slots = client.get(url, {"service": world.id_dup.pk, "date": "2026-11-24"}).content.decode()
    assert 'value="2026-11-24T10:00:00+03:00"' in slots
    assert 'value="2026-11-24T08:45:00+03:00"' not in slots  # already past at 09:00
    booking = {
        "service": world.id_dup.pk,
        "date": "2026-11-24",
        "slot": "2026-11-24T10:00:00+03:00",
        "phone": "0712345678",
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, booking)
    # The confirmation has its own address: reloading it shows it again and books nothing.
    assert done.status_code == 302
    appointment = Appointment.objects.get()
    assert done["Location"] == reverse("queues:booked", args=["gpo-nairobi", appointment.reference])
    for _ in range(2):
        html = client.get(done["Location"]).content.decode()
        assert "Appointment booked" in html and "Police abstract" in html
        assert appointment.reference in html and "0712345678" not in html
    assert appointment.reference in _memory_sms.outbox[-1][1]
    # Posting the same form again (a double click, a resubmitted form) is the same booking.
    sent = len(_memory_sms.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, booking)
    assert again["Location"] == done["Location"]
    assert Appointment.objects.count() == 1 and len(_memory_sms.outbox) == sent
    elsewhere = reverse("queues:booked", args=["kisumu", appointment.reference])
    assert client.get(elsewhere).status_code == 404
    taken = client.post(
        url,
        {
            "service": world.id_dup.pk,
            "date": "2026-11-24",
            "slot": "2026-11-24T10:00:00+03:00",
            "phone": "0722000111",
        },
    )
    assert taken.status_code == 400 and "not available" in taken.content.decode()


def test_pressing_get_my_ticket_twice_gives_one_ticket(client, world, clock):
    url = reverse("queues:join", args=["gpo-nairobi"])
    step = client.post(url, {"service": world.nhif_reg.pk, "phone": "0712345678"})
    key = re.search(r'name="idempotency_key" value="([^"]+)"', step.content.decode()).group(1)
    confirm = {
        "service": world.nhif_reg.pk,
        "phone": "0712345678",
        "confirm": "1",
        "requirements_confirmed": "yes",
        "idempotency_key": key,
    }
    first, second = client.post(url, confirm), client.post(url, confirm)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Visit.objects.count() == 1  # the phone's second ticket is still free to take


def test_refusals_are_shown_in_swahili(client, world, clock):
    client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    url = reverse("queues:join", args=["gpo-nairobi"])
    page = client.post(
        url,
        {
            "service": world.nhif_reg.pk,
            "phone": "12",
            "confirm": "1",
            "requirements_confirmed": "yes",
        },
    )
    assert "Weka namba ya simu kama 0712 345 678" in page.content.decode()


def test_queue_records_are_read_only_in_the_admin(client, world, clock):
    visit = services.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="web",
        requirements_confirmed=True,
        phone="0712345678",
    )
    sign_in_verified(client, world.sam)
    page = client.get(reverse("admin:queues_visit_change", args=[visit.pk]))
    assert page.status_code == 200
    assert "+254712345678" not in page.content.decode()  # personal data stays out
    assert client.get(reverse("admin:queues_visit_add")).status_code == 403


def test_appointment_check_in_at_the_kiosk(kiosk, world, clock):
    client = kiosk
    from huduma.queues import appointments

    booking = appointments.appointment_book(
        centre=world.gpo,
        service=world.id_dup,
        slot_start=clock.current.replace(hour=10, minute=0),
        phone="0712345678",
    )
    url = reverse("queues:kiosk_check_in", args=["gpo-nairobi"])
    wrong = client.post(url, {"reference": "AP-NOPE00"}, follow=True)
    assert "No appointment has that reference" in wrong.content.decode()
    # Announced, and still a list (a role on the <ul> would orphan its items: axe "listitem").
    assert '<div role="status"><ul class="messages">' in wrong.content.decode()
    done = client.post(url, {"reference": booking.reference})
    visit = Visit.objects.get()
    assert done["Location"] == reverse("queues:kiosk_ticket", args=[visit.pk])
    assert visit.number in client.get(done["Location"]).content.decode()


def test_kiosk_issues_a_ticket_grouped_by_mda(kiosk, world, clock):
    client = kiosk
    url = reverse("queues:kiosk", args=["gpo-nairobi"])
    html = client.get(url).content.decode()
    assert "National Registration Bureau" in html and "<details" in html
    step1 = {"services": [world.id_dup.pk], "priority": "", "phone": "", "language": "sw"}
    html = client.post(url, step1).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    done = client.post(
        url, {**step1, "confirm": "1", "idempotency_key": key, "requirements_confirmed": "yes"}
    )
    visit = Visit.objects.get()
    assert (visit.channel, done["Location"]) == (
        "kiosk",
        reverse("queues:kiosk_ticket", args=[visit.pk]),
    )


def test_console_survives_malformed_form_values(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)

    def act(action, **data):
        return client.post(reverse("queues:console_action", args=[counter.pk, action]), data)

    act("open")
    assert act("start", ticket="not-a-uuid").status_code == 404
    visit = services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    act("call")
    ticket = visit.tickets.get()
    response = act("transfer", ticket=ticket.pk, service="abc", to_counter="x")
    assert response.status_code == 302  # a message on the console, not a crash
    # A form error on the console (the service to add is a choice, never a guess).
    assert act("add", ticket=ticket.pk, service="abc").status_code == 400
    ticket.refresh_from_db()
    assert (ticket.status, ticket.service_id) == ("called", world.id_dup.pk)


@pytest.mark.parametrize("key", ["k" * 81, "two words", "ufunguo-é"])
def test_a_malformed_idempotency_key_is_a_clear_400_not_a_crash(client, world, clock, key):
    """The same rule as the API's Idempotency-Key header (services.idempotency_key_checked)."""
    client.force_login(world.bob)
    url = reverse("queues:reception", args=["gpo-nairobi"])
    done = client.post(
        url,
        {
            "services": [world.kra_pin.pk],
            "priority": "",
            "phone": "",
            "language": "sw",
            "confirm": "1",
            "idempotency_key": key,
            "requirements_confirmed": "yes",
        },
    )
    assert done.status_code == 400 and Visit.objects.count() == 0
    assert "1 to 80 visible ASCII characters" in done.content.decode()
    fresh = done.context["idempotency_key"]  # the page offers a good key to try again with
    assert fresh != key and len(fresh) == 32


def test_only_a_paired_kiosk_of_the_centre_shows_the_ticket_machine(client, world, clock):
    """A kiosk is a registered device: an ordinary browser, a revoked kiosk or another
    centre's kiosk gets a page saying so, and no ticket can be issued from it."""
    from huduma.accounts import devices
    from huduma.accounts.models import Device
    from tests.conftest import pair_device

    url = reverse("queues:kiosk", args=["gpo-nairobi"])
    refused = client.get(url)
    assert refused.status_code == 403
    assert "This device is not registered" in refused.content.decode()
    posted = client.post(url, {"services": [world.id_dup.pk], "requirements_confirmed": "yes"})
    assert posted.status_code == 403 and not Visit.objects.exists()

    client.cookies["huduma_device"] = pair_device(world, world.kisumu, "kiosk")
    elsewhere = client.get(url)
    assert elsewhere.status_code == 403
    assert "registered at Huduma Centre Kisumu" in elsewhere.content.decode()

    client.cookies["huduma_device"] = pair_device(world, world.gpo, "kiosk", name="Hall kiosk")
    assert client.get(url).status_code == 200
    devices.device_revoke(device=Device.objects.get(name="Hall kiosk"), actor=world.bob)
    assert client.get(url).status_code == 403


def test_pairing_a_kiosk_opens_the_ticket_machine_of_its_centre(client, world):
    from huduma.accounts import devices

    _device, code = devices.device_register(
        centre=world.gpo, kind="kiosk", name="Hall kiosk", actor=world.bob
    )
    paired = client.post(reverse("devices:pair"), {"code": code})
    assert paired["Location"] == reverse("queues:kiosk", args=["gpo-nairobi"])
    assert client.get(paired["Location"]).status_code == 200

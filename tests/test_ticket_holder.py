"""Following a ticket by its link is not holding it (issue 17): anyone with the QR code's
address sees the ticket, only its holder (the browser that joined, or whoever has the code
printed on the paper) cancels it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from huduma.queues import holders
from huduma.queues.models import Ticket, Visit

pytestmark = pytest.mark.django_db


def kiosk_ticket(kiosk, world) -> tuple[Visit, str]:
    form = {
        "services": [world.nhif_reg.pk],
        "language": "en",
        "confirm": "1",
        "requirements_confirmed": "yes",
        "idempotency_key": "c" * 32,
    }
    done = kiosk.post(reverse("queues:kiosk", args=["gpo-nairobi"]), form)
    assert done.status_code == 302
    visit = Visit.objects.get()
    printed = kiosk.get(done["Location"]).content.decode()
    return visit, printed


def cancel_url(visit):
    return reverse("queues:ticket_cancel", args=[visit.pk])


def test_an_anonymous_post_to_a_kiosk_tickets_qr_address_does_not_cancel_it(kiosk, world, clock):
    visit, _printed = kiosk_ticket(kiosk, world)
    ticket_url = reverse("queues:ticket", args=[visit.pk])  # the QR code's address
    stranger = Client()
    assert stranger.get(ticket_url).status_code == 200  # following it is open to anyone
    refused = stranger.post(cancel_url(visit))
    assert refused.status_code == 400
    assert "Enter the code printed on your ticket" in refused.content.decode()
    wrong = stranger.post(cancel_url(visit), {"code": "ZZZZZZ"})
    assert wrong.status_code == 400
    assert visit.tickets.get().status == Ticket.Status.WAITING


def test_the_code_printed_on_the_ticket_cancels_it(kiosk, world, clock):
    visit, printed = kiosk_ticket(kiosk, world)
    code = re.search(r'data-testid="holder-code">([A-Z0-9]+)<', printed)[1]
    assert code == holders.visit_holder_code(visit)
    # The QR code carries the ticket's address only, never the code.
    assert code not in reverse("queues:ticket", args=[visit.pk])
    assert code not in Client().get(reverse("queues:ticket", args=[visit.pk])).content.decode()
    holder = Client()
    done = holder.post(cancel_url(visit), {"code": code.lower()})  # typed by hand
    assert done.status_code == 302
    assert visit.tickets.get().status == Ticket.Status.CANCELLED


def test_the_browser_that_joined_cancels_without_a_code(client, world, clock):
    url = reverse("queues:join", args=["gpo-nairobi"])
    data = {
        "service": world.nhif_reg.pk,
        "phone": "0712345678",
        "confirm": "1",
        "requirements_confirmed": "yes",
    }
    joined = client.post(url, data)
    visit = Visit.objects.get()
    assert joined["Location"] == reverse("queues:ticket", args=[visit.pk])
    ask = client.get(cancel_url(visit)).content.decode()
    assert 'name="code"' not in ask  # the holder is not asked for a code
    # Someone else with the same link is.
    assert 'name="code"' in Client().get(cancel_url(visit)).content.decode()
    assert Client().post(cancel_url(visit)).status_code == 400
    assert client.post(cancel_url(visit)).status_code == 302
    assert visit.tickets.get().status == Ticket.Status.CANCELLED


def test_wrong_codes_from_many_addresses_stop_the_ticket_answering(kiosk, world, clock, real_cache):
    visit, _printed = kiosk_ticket(kiosk, world)
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{n}")
        .post(cancel_url(visit), {"code": f"AAAA{n:02d}"})
        .status_code
        for n in range(10)
    ]
    assert statuses == [400] * 5 + [429] * 5
    right = Client(REMOTE_ADDR="10.0.1.1").post(
        cancel_url(visit), {"code": holders.visit_holder_code(visit)}
    )
    assert right.status_code == 429
    assert visit.tickets.get().status == Ticket.Status.WAITING

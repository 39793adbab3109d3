"""The counter console as the officer uses it: landing on their counter, one request per press
(htmx swaps the console), a light poll, finish-and-call-next, the transfer warning, a careful
"add a service", and priority asked for at a kiosk confirmed with one tap."""

from decimal import Decimal

import pytest
from django.urls import reverse

from huduma.queues import services
from huduma.queues.models import Ticket

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def issue(world, svcs, channel="reception", **kw):
    return services.visit_issue(
        centre=world.gpo, services=svcs, channel=channel, requirements_confirmed=True, **kw
    )


def act(client, counter, action, htmx=False, **data):
    url = reverse("queues:console_action", args=[counter.pk, action])
    return client.post(url, data, **(HTMX if htmx else {}))


def sign_in(client, username):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": f"pw-{username}"}
    )


def test_an_officer_lands_on_their_counter(client, world, clock):
    counter = world.counters[("gpo-nairobi", 2)]
    # Never served: the first free counter serving her MDA's services (NRB: counter 1).
    landed = client.get(sign_in(client, "alice")["Location"])
    assert landed["Location"] == reverse(
        "queues:console", args=[world.counters[("gpo-nairobi", 1)].pk]
    )
    client.logout()
    # Another officer holds that counter, and no other serves NRB: the centre's page.
    services.counter_open(counter=world.counters[("gpo-nairobi", 1)], officer=world.bob)
    landed = client.get(sign_in(client, "alice")["Location"])
    assert landed["Location"] == reverse("accounts:centre", args=["gpo-nairobi"])
    services.counter_close(counter=world.counters[("gpo-nairobi", 1)], officer=world.bob)
    client.logout()
    services.counter_open(counter=counter, officer=world.alice)
    client.logout()
    assert client.get(sign_in(client, "alice")["Location"])["Location"] == reverse(
        "queues:console", args=[counter.pk]
    )
    # Closed since: the counter she last used.
    services.counter_close(counter=counter, officer=world.alice)
    client.logout()
    assert client.get(sign_in(client, "alice")["Location"])["Location"] == reverse(
        "queues:console", args=[counter.pk]
    )


def test_a_manager_still_lands_on_the_staff_home(client, world):
    assert sign_in(client, "bob")["Location"] == reverse("accounts:home")


def test_with_htmx_a_press_answers_with_the_console_in_one_request(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    issue(world, [world.id_dup])
    act(client, counter, "open")
    response = act(client, counter, "call", htmx=True)
    body = response.content.decode()
    assert response.status_code == 200 and '<div id="console"' in body
    assert "<html" not in body and "A001" in body and "Start serving" in body


def test_a_refusal_is_shown_as_an_error_not_as_a_success(client, world, clock):
    """Closing with a ticket still called is refused: the message says it is an error (colour
    and words), where it looked like the green "done" of a success."""
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    issue(world, [world.id_dup])
    act(client, counter, "open")
    act(client, counter, "call")
    body = act(client, counter, "close", htmx=True).content.decode()
    assert '<li class="messages__error"><span class="visually-hidden">Error: </span>' in body
    act(client, counter, "close")
    page = client.get(reverse("queues:console", args=[counter.pk])).content.decode()
    assert 'class="messages__error"' in page
    act(client, counter, "pause", htmx=True)
    body = act(client, counter, "open", htmx=True).content.decode()
    assert "messages__error" not in body


def test_the_console_says_the_fee_in_the_one_money_format(client, world, clock):
    world.id_dup.fee_kes = Decimal(1050)
    world.id_dup.save()
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    issue(world, [world.id_dup])
    act(client, counter, "open")
    act(client, counter, "call")
    ticket = Ticket.objects.get()
    body = act(client, counter, "start", htmx=True, ticket=ticket.pk).content.decode()
    assert "Official fee: KES 1,050.00" in body  # was "KES 1050.00"
    client.cookies["django_language"] = "sw"
    page = client.get(reverse("queues:console", args=[counter.pk])).content.decode()
    assert "Ada rasmi: KES 1,050.00" in page


def test_finish_and_call_next_is_one_press(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    first, second = issue(world, [world.id_dup]), issue(world, [world.id_dup])
    act(client, counter, "open")
    act(client, counter, "call")
    ticket = first.tickets.get()
    act(client, counter, "start", ticket=ticket.pk)
    page = client.get(reverse("queues:console", args=[counter.pk])).content.decode()
    assert "Finish and call next" in page
    response = act(client, counter, "finish-and-call", htmx=True, ticket=ticket.pk)
    assert 'data-testid="current-number">A002<' in response.content.decode()
    again = act(client, counter, "finish-and-call", htmx=True, ticket=ticket.pk)  # double click
    assert 'data-testid="current-number">A002<' in again.content.decode()
    assert [t.status for t in Ticket.objects.order_by("visit__sequence")] == ["served", "called"]
    assert second.tickets.get().status == "called"


def test_the_poll_sends_counts_and_the_console_only_when_it_changed(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    act(client, counter, "open")
    status = reverse("queues:console_status", args=[counter.pk])
    calm = client.get(status, {"shown": "-:open"}, **HTMX)
    assert calm.status_code == 200 and "HX-Retarget" not in calm
    body = calm.content.decode()
    assert 'id="console-status"' in body and "Call next" not in body
    # Nothing new: the browser revalidates and gets a bodiless 304.
    again = client.get(status, {"shown": "-:open"}, HTTP_IF_NONE_MATCH=calm["ETag"], **HTMX)
    assert again.status_code == 304 and again.content == b""
    issue(world, [world.id_dup])
    assert (
        client.get(status, {"shown": "-:open"}, HTTP_IF_NONE_MATCH=calm["ETag"], **HTMX).status_code
        == 200
    )
    counted = client.get(status, {"shown": "-:open"}, **HTMX).content.decode()
    assert 'data-testid="waiting-NRB-ID-DUPLICATE">1<' in counted
    # Called from elsewhere (another tab): the poll brings the whole console.
    services.ticket_call_next(counter=counter, officer=world.alice)
    changed = client.get(status, {"shown": "-:open"}, **HTMX)
    assert changed["HX-Retarget"] == "#console" and "Start serving" in changed.content.decode()


def test_a_transfer_to_nobody_asks_first_then_says_where_it_went(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    visit = issue(world, [world.id_dup])
    issue(world, [world.nhif_reg])
    act(client, counter, "open")
    act(client, counter, "call")
    ticket = visit.tickets.get()
    warned = act(client, counter, "transfer", ticket=ticket.pk, service=world.nhif_reg.pk)
    body = warned.content.decode()
    assert warned.status_code == 409 and "Transfer anyway" in body
    assert "Nobody is serving at NHIF registration now" in body
    ticket.refresh_from_db()
    assert ticket.status == "called"
    done = act(
        client,
        counter,
        "transfer",
        ticket=ticket.pk,
        service=world.nhif_reg.pk,
        unstaffed_ok="yes",
        htmx=True,
    )
    assert "Ticket A001 sent to NHIF registration; 2 waiting there." in done.content.decode()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.service_id) == ("waiting", world.nhif_reg.pk)


def test_a_transfer_to_an_open_counter_names_it(client, world, clock, officers):
    c1, c3 = world.counters[("gpo-nairobi", 1)], world.counters[("gpo-nairobi", 3)]
    services.counter_open(counter=c3, officer=officers[3])
    client.force_login(world.alice)
    visit = issue(world, [world.id_dup])
    act(client, c1, "open")
    act(client, c1, "call")
    response = act(
        client,
        c1,
        "transfer",
        htmx=True,
        ticket=visit.tickets.get().pk,
        service=world.kra_pin.pk,
        to_counter=c3.pk,
    )
    assert "Ticket A001 sent to counter 3 / KRA PIN registration; 1 waiting there." in (
        response.content.decode()
    )


def test_adding_a_service_needs_a_real_choice(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    visit = issue(world, [world.id_dup])
    act(client, counter, "open")
    act(client, counter, "call")
    page = client.get(reverse("queues:console", args=[counter.pk])).content.decode()
    first_option = page.split('<select id="add-service" name="service">')[1].split("</option>")[0]
    assert first_option == '<option value="">Choose...'
    refused = act(client, counter, "add", htmx=True, ticket=visit.tickets.get().pk, service="")
    assert "Choose the service to add" in refused.content.decode()
    assert visit.tickets.count() == 1


def test_kiosk_priority_shows_as_a_request_and_one_tap_confirms_it(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    visit = issue(world, [world.id_dup], channel="kiosk", priority="elderly")
    act(client, counter, "open")
    waiting = client.get(reverse("queues:console", args=[counter.pk])).content.decode()
    assert "Priority requested: elderly" in waiting and "Confirm priority" in waiting
    act(client, counter, "call")
    ticket = visit.tickets.get()
    calling = client.get(reverse("queues:console", args=[counter.pk])).content.decode()
    assert "Priority requested: elderly" in calling
    confirmed = act(client, counter, "confirm-priority", htmx=True, ticket=ticket.pk)
    body = confirmed.content.decode()
    assert "Priority confirmed for A001: Elderly." in body and "Priority requested" not in body
    visit.refresh_from_db()
    assert visit.priority == "elderly"


def test_the_console_and_reception_speak_swahili(client, world, clock):
    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    visit = issue(world, [world.id_dup], channel="kiosk", priority="elderly")
    act(client, counter, "open")
    act(client, counter, "call")
    act(client, counter, "start", ticket=visit.tickets.get().pk)
    page = client.get(
        reverse("queues:console", args=[counter.pk]), HTTP_ACCEPT_LANGUAGE="sw"
    ).content.decode()
    assert "Maliza na uite anayefuata" in page and "Thibitisha kipaumbele" in page
    picker = client.get(
        reverse("queues:reception", args=["gpo-nairobi"]), HTTP_ACCEPT_LANGUAGE="sw"
    ).content.decode()
    assert "Tafuta huduma" in picker and "Find a service" not in picker

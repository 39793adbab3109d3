"""The queue API: every action over HTTP, with a clear 4xx that changes nothing on bad input."""

import pytest

from huduma.queues import services
from huduma.queues.models import Ticket, Visit

pytestmark = pytest.mark.django_db
API = "/api/queues"


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, content_type="application/json", **headers)


def issue(client, services=("NRB-ID-DUPLICATE",), **extra):
    body = {"services": list(services), "requirements_confirmed": True, **extra}
    return post(client, f"{API}/centres/gpo-nairobi/visits", body)


@pytest.fixture
def reception(client, world):
    client.force_login(world.bob)
    return client


def test_full_ticket_cycle_over_the_api(client, world, clock):
    client.force_login(world.alice)
    visit = issue(client).json()
    assert visit["number"] == "A001" and visit["tickets"][0]["status"] == "waiting"
    counter = world.counters[("gpo-nairobi", 1)].pk
    assert post(client, f"{API}/counters/{counter}/open").json()["status"] == "open"
    called = post(client, f"{API}/counters/{counter}/call-next").json()["ticket"]
    assert called["number"] == "A001" and called["counter"] == 1
    tid = called["id"]
    assert (
        post(client, f"{API}/tickets/{tid}/start", {"counter": counter}).json()["status"]
        == "serving"
    )
    assert (
        post(client, f"{API}/tickets/{tid}/finish", {"counter": counter}).json()["status"]
        == "served"
    )
    assert post(client, f"{API}/counters/{counter}/call-next").json() == {"ticket": None}


def test_retry_with_the_same_idempotency_key_gets_the_same_ticket(reception, world, clock):
    body = {"services": ["NRB-ID-DUPLICATE"], "requirements_confirmed": True}
    url = f"{API}/centres/gpo-nairobi/visits"
    first = post(reception, url, body, HTTP_IDEMPOTENCY_KEY="reception-1-42")
    second = post(reception, url, body, HTTP_IDEMPOTENCY_KEY="reception-1-42")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"services": []}, 422, "services"),
        ({"services": ["NOPE"]}, 404, "services"),
        (
            {"services": ["NRB-ID-DUPLICATE"], "requirements_confirmed": False},
            400,
            "requirements_confirmed",
        ),
        ({"services": ["NRB-ID-DUPLICATE", "NRB-ID-DUPLICATE"]}, 400, "services"),
        ({"services": ["NRB-ID-DUPLICATE"], "phone": "12"}, 400, "phone"),
        ({"services": ["NRB-ID-DUPLICATE"], "priority": "vip"}, 422, "priority"),
    ],
)
def test_bad_issue_requests_name_the_field_and_write_nothing(
    reception, world, clock, body, status, field
):
    body.setdefault("requirements_confirmed", True)
    response = post(reception, f"{API}/centres/gpo-nairobi/visits", body)
    assert response.status_code == status
    payload = response.json()
    assert (payload.get("field") or payload["detail"][0]["loc"][-1]) == field
    assert Visit.objects.count() == 0


def test_joining_for_a_service_the_centre_does_not_offer_is_refused(client, world, clock):
    world.gpo.offered_services.filter(service=world.kra_pin).delete()
    response = post(
        client,
        f"{API}/centres/gpo-nairobi/join",
        {"services": ["KRA-PIN"], "phone": "0712345678", "requirements_confirmed": True},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "service_not_offered"


def test_remote_join_gives_a_virtual_ticket(client, world, clock):
    response = post(
        client,
        f"{API}/centres/gpo-nairobi/join",
        {
            "services": ["NHIF-REGISTRATION"],
            "phone": "0712345678",
            "requirements_confirmed": True,
            "language": "en",
        },
    )
    assert response.status_code == 201
    visit = response.json()
    status = client.get(f"{API}/visits/{visit['id']}").json()
    assert status["number"] == visit["number"] and status["places_ahead"] == 0


def test_no_estimate_while_no_counter_for_the_service_is_open(client, world, clock, officers):
    body = {"services": ["NHIF-REGISTRATION"], "phone": "0712345678", "language": "en"}
    visit = post(
        client, f"{API}/centres/gpo-nairobi/join", {**body, "requirements_confirmed": True}
    ).json()
    assert visit["estimate_minutes"] is None  # nobody serves NHIF yet: no "0 minutes"
    services.counter_open(counter=world.counters[("gpo-nairobi", 2)], officer=officers[2])
    clock.advance(minutes=1)  # past the few-seconds cache of counter figures
    status = client.get(f"{API}/visits/{visit['id']}").json()
    assert isinstance(status["estimate_minutes"], int) and status["estimate_minutes"] >= 0


def test_call_at_a_closed_counter_is_409(client, world, clock):
    client.force_login(world.alice)
    issue(client)
    counter = world.counters[("gpo-nairobi", 1)].pk
    response = post(client, f"{API}/counters/{counter}/call-next")
    assert response.status_code == 409
    assert response.json()["code"] == "counter_not_open"
    assert Ticket.objects.get().status == "waiting"


def test_finishing_a_ticket_not_being_served_is_409(client, world, clock):
    client.force_login(world.alice)
    issue(client)
    counter = world.counters[("gpo-nairobi", 1)].pk
    post(client, f"{API}/counters/{counter}/open")
    tid = post(client, f"{API}/counters/{counter}/call-next").json()["ticket"]["id"]
    response = post(client, f"{API}/tickets/{tid}/finish", {"counter": counter})
    assert response.status_code == 409
    assert Ticket.objects.get().status == "called"


def test_transferring_a_finished_ticket_is_409(client, world, clock):
    client.force_login(world.alice)
    issue(client)
    counter = world.counters[("gpo-nairobi", 1)].pk
    post(client, f"{API}/counters/{counter}/open")
    tid = post(client, f"{API}/counters/{counter}/call-next").json()["ticket"]["id"]
    post(client, f"{API}/tickets/{tid}/start", {"counter": counter})
    post(client, f"{API}/tickets/{tid}/finish", {"counter": counter})
    response = post(client, f"{API}/tickets/{tid}/transfer", {"service": "KRA-PIN"})
    assert response.status_code == 409
    assert Ticket.objects.get().service.code == "NRB-ID-DUPLICATE"


def test_acting_on_another_centres_tickets_is_403(client, world, clock):
    client.force_login(world.charlie)  # Kisumu
    assert issue(client).status_code == 403
    client.force_login(world.alice)
    tid = issue(client).json()["tickets"][0]["id"]
    client.force_login(world.charlie)
    kisumu_counter = world.counters[("kisumu", 2)].pk
    post(client, f"{API}/counters/{kisumu_counter}/open")
    response = post(client, f"{API}/tickets/{tid}/start", {"counter": kisumu_counter})
    assert response.status_code == 403
    assert post(client, f"{API}/tickets/{tid}/transfer", {"service": "KRA-PIN"}).status_code == 403
    gpo_counter = world.counters[("gpo-nairobi", 1)].pk
    assert post(client, f"{API}/counters/{gpo_counter}/open").status_code == 403


def test_staff_actions_need_a_signed_in_officer(client, world, clock):
    assert issue(client).status_code == 401
    counter = world.counters[("gpo-nairobi", 1)].pk
    assert post(client, f"{API}/counters/{counter}/call-next").status_code == 401


def test_display_shows_called_tickets_and_live_view_is_for_managers(client, world, clock):
    client.force_login(world.alice)
    issue(client)
    counter = world.counters[("gpo-nairobi", 1)].pk
    post(client, f"{API}/counters/{counter}/open")
    post(client, f"{API}/counters/{counter}/call-next")
    board = client.get(f"{API}/centres/gpo-nairobi/display").json()
    assert [(c["number"], c["counter"]) for c in board["calls"]] == [("A001", 1)]
    assert client.get(f"{API}/centres/gpo-nairobi/live").status_code == 403
    client.force_login(world.bob)
    live = client.get(f"{API}/centres/gpo-nairobi/live").json()
    assert live["counters"][0]["ticket"] == "A001"


def test_wait_estimates_use_queue_and_open_counters(client, world, clock):
    client.force_login(world.alice)
    for _ in range(4):
        issue(client)
    estimates = {e["service"]: e for e in client.get(f"{API}/centres/gpo-nairobi/estimates").json()}
    assert estimates["NRB-ID-DUPLICATE"]["waiting"] == 4
    before = estimates["NRB-ID-DUPLICATE"]["minutes"]
    post(client, f"{API}/counters/{world.counters[('gpo-nairobi', 1)].pk}/open")
    after = {e["service"]: e for e in client.get(f"{API}/centres/gpo-nairobi/estimates").json()}
    assert after["NRB-ID-DUPLICATE"]["counters_open"] == 1
    assert after["NRB-ID-DUPLICATE"]["minutes"] == before  # one counter, same queue


def test_unknown_centre_and_ticket_are_404(client, world):
    assert client.get(f"{API}/centres/atlantis/display").status_code == 404
    response = client.get(f"{API}/visits/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert client.get(f"{API}/visits/not-a-uuid").status_code == 422

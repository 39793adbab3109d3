"""Hostile input gets a clear 4xx naming the input, never a 500, on the API and the pages.

NUL bytes (PostgreSQL refuses them in text) and other control characters in any path, query,
form or JSON field, header or cookie; digits such as "²" in numeric fields; a non-ASCII
callback token; an over-long Idempotency-Key; bodies larger than the limit.
"""

import pytest
from django.urls import reverse

from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db
API = "/api"


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/catalogue/services/NRB\x00ID", {}, "path"),
        ("/api/catalogue/centres/gpo\x00/charter", {}, "path"),
        ("/api/catalogue/articles/a\x00b", {}, "path"),
        ("/api/catalogue/services", {"mda": "NRB\x00"}, "mda"),
        ("/api/catalogue/services", {"centre": "\x00"}, "centre"),
        ("/api/catalogue/services", {"q": "id\x00card"}, "q"),
        ("/api/catalogue/articles", {"service": "\x00"}, "service"),
        ("/api/queues/centres/gpo\x00nairobi/display", {}, "path"),
        (
            "/api/queues/centres/gpo-nairobi/slots",
            {"service": "\x00", "date": "2026-11-24"},
            "service",
        ),
        ("/api/catalogue/services", {"q": "bell\x07"}, "q"),
        ("/api/catalogue/services", {"q": "esc\x1b[31m"}, "q"),
    ],
)
def test_control_characters_in_api_paths_and_filters_are_a_400_naming_the_field(
    client, world, url, params, field
):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["code"] == "invalid_characters"


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/services/NRB\x00ID/", {}, "path"),
        ("/services/", {"mda": "NRB\x00"}, "mda"),
        ("/services/", {"centre": "gpo\x00"}, "centre"),
        ("/services/", {"q": "\x00"}, "q"),
        ("/queue/gpo-nairobi/book/", {"date": "2026\x00"}, "date"),
    ],
)
def test_control_characters_on_pages_are_a_400_naming_the_field(client, world, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 400
    assert field in response.content.decode()


def test_nul_in_a_json_field_is_refused_and_writes_nothing(client, world, clock):
    response = client.post(
        f"{API}/queues/centres/gpo-nairobi/join",
        {"services": ["NHIF-REGISTRATION\x00"], "phone": "0712345678"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "services")
    response = client.post(
        f"{API}/queues/centres/gpo-nairobi/join",
        {"services": ["NHIF-REGISTRATION"], "phone": "0712345678", "lang\x00": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Visit.objects.count() == 0


def test_lone_surrogate_in_json_is_refused(client, world, clock):
    # "\ud800" is valid JSON but cannot be stored as UTF-8 by either database.
    response = client.post(
        f"{API}/queues/centres/gpo-nairobi/join",
        b'{"services": ["NHIF-REGISTRATION"], "phone": "0712\\ud800345678"}',
        content_type="application/json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "phone")


def test_nul_in_form_fields_headers_and_cookies_is_refused(client, world, clock):
    join = reverse("queues:join", args=["gpo-nairobi"])
    response = client.post(join, {"service": world.nhif_reg.pk, "phone": "0712\x00345678"})
    assert response.status_code == 400 and "phone" in response.content.decode()
    response = client.post(
        f"{API}/queues/centres/gpo-nairobi/join",
        {"services": ["NHIF-REGISTRATION"], "phone": "0712345678"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key\x00",
    )
    assert (response.status_code, response.json()["field"]) == (400, "Idempotency-Key")
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 400 and "sessionid" in response.content.decode()
    assert Visit.objects.count() == 0


def test_sms_inbound_form_with_nul_is_a_400(client, world, clock):
    response = client.post(
        f"{API}/queues/sms/inbound?token=test-callback-token",
        {"from": "0712345678", "text": "JOIN gpo-nairobi\x00", "id": "m1"},
    )
    assert (response.status_code, response.json()["field"]) == (400, "text")


@pytest.mark.parametrize("value", ["²", "¹²", "١", "５", "1e3", "-1", "99999999999999999999999"])
def test_numbers_take_ascii_digits_only_on_pages(client, world, clock, value):
    search = client.get("/services/", {"page": value})
    assert search.status_code == 200  # an unreadable page number means the first page
    book = client.get(
        reverse("queues:book", args=["gpo-nairobi"]), {"service": value, "date": "2026-11-24"}
    )
    assert book.status_code == 400 and "Choose a service" in book.content.decode()


@pytest.mark.parametrize("value", ["²", "١", "５"])
def test_numbers_take_ascii_digits_only_in_the_api(client, world, value):
    response = client.get(f"{API}/catalogue/services", {"page": value})
    assert (response.status_code, response.json()["field"]) == (422, "page")
    response = client.post(f"/api/queues/counters/{value}/open")
    assert response.status_code in (401, 403, 404, 422)


def test_console_refuses_other_script_digits_for_a_service(client, world, clock):
    """'١' (Arabic-Indic one) is int 1 to Python: it must not silently pick service 1."""
    from huduma.queues import services

    counter = world.counters[("gpo-nairobi", 1)]
    client.force_login(world.alice)
    url = reverse("queues:console_action", args=[counter.pk, "transfer"])
    client.post(reverse("queues:console_action", args=[counter.pk, "open"]))
    visit = services.visit_issue(
        centre=world.gpo, services=[world.id_dup], channel="reception", requirements_confirmed=True
    )
    client.post(reverse("queues:console_action", args=[counter.pk, "call"]))
    ticket = visit.tickets.get()
    other = world.nhif_reg
    digits = str(other.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    client.post(url, {"ticket": ticket.pk, "service": digits})
    ticket.refresh_from_db()
    assert ticket.service_id == world.id_dup.pk


@pytest.mark.parametrize(
    "url",
    [
        "/api/queues/sms/inbound?token=t%C3%A9st",
        "/api/notify/delivery-reports/africastalking?token=%E2%82%AC%E2%82%AC",
    ],
)
def test_non_ascii_callback_token_is_a_403(client, world, url):
    response = client.post(url, {"from": "0712345678", "text": "JOIN", "id": "x", "status": "S"})
    assert (response.status_code, response.json()["field"]) == (403, "token")


def test_overlong_idempotency_key_on_the_public_join_is_a_400(client, world, clock):
    response = client.post(
        f"{API}/queues/centres/gpo-nairobi/join",
        {"services": ["NHIF-REGISTRATION"], "phone": "0712345678", "requirements_confirmed": True},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k" * 81,
    )
    assert (response.status_code, response.json()["field"]) == (400, "Idempotency-Key")
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("depth", [50, 995, 100_000])
def test_deeply_nested_json_is_a_4xx(client, world, depth):
    """A guard: the gate parses JSON bodies too, and must not turn nesting into a 500."""
    body = '{"services": ' + "[" * depth + "]" * depth + ', "phone": "0712345678"}'
    response = client.post(
        f"{API}/queues/centres/gpo-nairobi/join", body, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid", "validation")


def test_refusals_answer_in_the_clients_language(client, world):
    response = client.get("/services/", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="sw")
    assert response.status_code == 400
    assert "q ina herufi ya udhibiti" in response.content.decode()


@pytest.mark.parametrize(
    "slot", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:45:00+03:00"]
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_overflowed(client, world, clock, slot):
    from huduma.queues.models import Appointment

    page = client.post(
        reverse("queues:book", args=["gpo-nairobi"]),
        {"service": world.id_dup.pk, "date": "2026-11-24", "slot": slot, "phone": "0712345678"},
    )
    assert page.status_code == 400
    api = client.post(
        f"{API}/queues/centres/gpo-nairobi/appointments",
        {"service": "NRB-ID-DUPLICATE", "slot_start": slot, "phone": "0712345678"},
        content_type="application/json",
    )
    assert (api.status_code, api.json()["field"]) == (409, "slot_start")
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_slots_of_a_day_at_the_ends_of_the_calendar_are_none(client, world, clock, day):
    api = client.get(
        f"{API}/queues/centres/gpo-nairobi/slots", {"service": "NRB-ID-DUPLICATE", "date": day}
    )
    assert (api.status_code, api.json()) == (200, [])
    page = client.get(
        reverse("queues:book", args=["gpo-nairobi"]), {"service": world.id_dup.pk, "date": day}
    )
    # A day outside the booking window is a form message on the page, never a 500.
    assert page.status_code == 400
    assert "Choose a day in the next 30 days" in page.content.decode()


def test_a_form_in_another_charset_is_a_400_naming_the_charset(client, world):
    """Django reads forms in UTF-8 only: one declaring Latin-1 was a bare 400 page, in no
    API's error format and naming nothing (found by tests/test_open311_fuzz.py)."""
    latin1 = {
        "data": "text=caf%E9",
        "content_type": "application/x-www-form-urlencoded; charset=latin-1",
    }
    api = client.generic("POST", f"{API}/queues/sms/inbound?token=test-callback-token", **latin1)
    assert (api.status_code, api.json()["field"]) == (400, "charset")
    open311 = client.generic("POST", "/open311/v2/requests.json", **latin1)
    assert open311.status_code == 400
    assert "charset" in open311.json()[0]["description"]

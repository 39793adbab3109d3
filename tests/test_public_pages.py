"""Public pages: search, service page, charter (HTML and PDF), both languages, light."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_search_page_lists_matches_with_fee_and_turnaround(client, world):
    response = client.get(reverse("catalogue:search"), {"q": "lost id"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Replacement of a lost ID card" in html
    assert "KES 100.00" in html
    assert "5 working days" in html


def test_failed_search_shows_an_error_summary(client, world):
    response = client.get(reverse("catalogue:search"), {"q": "x" * 150})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'href="#q"' in html


def test_unknown_filter_value_shows_an_error_message(client, world):
    response = client.get(reverse("catalogue:search"), {"mda": "NOPE"})
    assert response.status_code == 400
    assert "Choose an MDA from the list" in response.content.decode()


def test_service_page_shows_requirements_before_travel(client, world):
    html = client.get(reverse("catalogue:service", args=["NRB-ID-DUPLICATE"])).content.decode()
    assert "What to bring" in html
    assert "Police abstract" in html
    assert "Huduma Centre Kisumu" in html


def test_unknown_service_page_is_404(client, world):
    assert client.get(reverse("catalogue:service", args=["NOPE"])).status_code == 404


def test_charter_is_dated_and_has_complaint_contacts(client, world, settings):
    response = client.get(reverse("catalogue:charter", args=["gpo-nairobi"]))
    html = response.content.decode()
    assert "Service charter" in html
    assert "Dated" in html
    assert settings.COMPLAINTS_PHONE in html
    # Three services of three agencies: a table each, with its header row.
    assert html.count('<section class="charter-agency"') == 3
    assert html.count("<tr>") == 6


def test_charter_pdf_downloads(client, world):
    response = client.get(reverse("catalogue:charter_pdf", args=["gpo-nairobi"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_language_switch_shows_swahili(client, world):
    client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    html = client.get(reverse("catalogue:service", args=["NRB-ID-DUPLICATE"])).content.decode()
    assert "Kubadilisha kitambulisho kilichopotea" in html
    assert "Hati ya polisi" in html
    assert 'lang="sw"' in html
    assert "Unachohitaji kuleta" in html  # "What to bring"


@pytest.mark.parametrize(
    "name,args",
    [
        ("catalogue:home", []),
        ("catalogue:search", []),
        ("catalogue:service", ["NRB-ID-DUPLICATE"]),
        ("catalogue:charter", ["gpo-nairobi"]),
    ],
)
def test_citizen_pages_are_light(client, world, name, args):
    from django.contrib.staticfiles import finders

    html = client.get(reverse(name, args=args)).content
    with open(finders.find("css/huduma.css"), "rb") as fh:
        css = fh.read()
    assert len(html) + len(css) < 100_000
    assert b"htmx" not in html  # citizen pages need no script at all


def test_a_missing_page_is_a_huduma_page_in_the_citizens_language(client, db):
    """Not Django's bare English "Not Found": the site's own page, with a way back."""
    client.cookies["django_language"] = "sw"
    response = client.get("/queue/tickets/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Ukurasa haupatikani</h1>" in html and 'lang="sw"' in html
    assert "Tafuta huduma ya serikali" in html and "Not Found" not in html


def test_an_expired_form_says_so_in_the_citizens_language(world):
    """Django's CSRF failure page is technical English; a citizen gets plain words instead."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "sw"
    response = client.post(reverse("queues:join", args=["gpo-nairobi"]), {"phone": "0712345678"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Fomu hii imepitwa na wakati</h1>" in html and 'lang="sw"' in html
    assert "CSRF" not in html


def test_a_server_error_page_speaks_both_languages(rf):
    from huduma.core.outage import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "Kuna hitilafu" in html
    assert "Server Error (500)" not in html

"""The public catalogue pages a citizen reads before travelling: a service page that leads
straight to a queue or a booking, a centre's charter (page and PDF), the list of centres."""

import re
import zlib

import pytest
from django.urls import reverse

from huduma.catalogue.models import MDA, CentreService, Service
from huduma.places.models import Centre, County
from tests.conftest import make_service


def sw(client):
    client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    return client


def test_service_page_links_to_joining_and_booking_at_each_open_centre(client, world):
    Centre.objects.filter(pk=world.kisumu.pk).update(status=Centre.Status.PLANNED)
    html = client.get(reverse("catalogue:service", args=[world.id_dup.code])).content.decode()
    pk = world.id_dup.pk
    assert f'href="/queue/gpo-nairobi/join/?service={pk}"' in html
    assert f'href="/queue/gpo-nairobi/book/?service={pk}"' in html
    assert "Join the queue<span" in html and "at Huduma Centre GPO</span>" in html
    # Both links land on a page that works, the service already chosen.
    for link in (
        f"/queue/gpo-nairobi/join/?service={pk}",
        f"/queue/gpo-nairobi/book/?service={pk}",
    ):
        page = client.get(link)
        assert page.status_code == 200, link
        assert f'value="{pk}" selected' in page.content.decode() or (
            f'value="{pk}" checked' in page.content.decode()
        ), link
    # A centre not open yet is listed, without links to a queue it does not have.
    assert "Huduma Centre Kisumu" in html and "Planned" in html
    assert "/queue/kisumu/" not in html
    # Two centres: no county filter needed, and a county in the address is no error.
    assert 'name="county"' not in html
    url = reverse("catalogue:service", args=[world.id_dup.code])
    assert client.get(url, {"county": "99"}).status_code == 200


@pytest.fixture
def many_centres(world):
    """The service offered in ten counties, as a national service is."""
    for code in range(1, 11):
        county = County.objects.create(code=code, name=f"County {code:02d}")
        centre = Centre.objects.create(code=f"c{code}", name=f"Centre {code:02d}", county=county)
        CentreService.objects.create(centre=centre, service=world.id_dup)
    return world


def test_service_offered_widely_lists_centres_of_the_county_chosen(client, many_centres):
    url = reverse("catalogue:service", args=[many_centres.id_dup.code])
    html = client.get(url).content.decode()
    assert 'name="county"' in html and html.count('class="hint">County ') == 10

    html = client.get(url, {"county": "3"}).content.decode()
    assert "Centre 03" in html
    assert "Centre 04" not in html and "Huduma Centre GPO" not in html
    assert "/queue/c3/join/?service=" in html


def test_service_page_refuses_an_unknown_county_with_a_message(client, many_centres):
    url = reverse("catalogue:service", args=[many_centres.id_dup.code])
    response = client.get(url, {"county": "99"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Choose a county from the list" in html
    # Django points the invalid select at "county_error": the message must carry that id.
    assert 'aria-describedby="county_error"' in html and 'id="county_error"' in html


def test_free_services_say_free_in_both_languages(client, world):
    html = client.get(reverse("catalogue:charter", args=["gpo-nairobi"])).content.decode()
    assert ">Free</td>" in html and "KES 0.00" not in html
    assert ">KES 100.00</td>" in html
    service = client.get(reverse("catalogue:service", args=[world.kra_pin.code]))
    assert "<strong>Free</strong>" in service.content.decode()

    html = sw(client).get(reverse("catalogue:charter", args=["gpo-nairobi"])).content.decode()
    assert ">Bure</td>" in html
    assert "Jumatatu-Ijumaa 08:00-17:00, Jumamosi 09:00-13:00" in html
    assert "Saa za kazi" in html and "Kaunti ya Nairobi" in html


def test_charter_groups_services_by_agency_both_in_the_order_of_the_language_shown(client, world):
    def agencies_and_names(html):
        return re.findall(
            r'<h2 id="agency-[^"]+">([^<]+)</h2>|<td><a href="/services/[^/]+/">([^<]+)</a></td>',
            html,
        )

    make_service(
        world.kra, "KRA-COMPLIANCE", "Tax compliance certificate", "Cheti cha kufuata kodi"
    )
    CentreService.objects.create(
        centre=world.gpo, service=Service.objects.get(code="KRA-COMPLIANCE")
    )
    url = reverse("catalogue:charter", args=["gpo-nairobi"])
    english = agencies_and_names(client.get(url).content.decode())
    assert [a or n for a, n in english] == [
        "Kenya Revenue Authority",
        "KRA PIN registration",
        "Tax compliance certificate",
        "National Hospital Insurance Fund",
        "NHIF registration",
        "National Registration Bureau",
        "Replacement of a lost ID card",
    ]
    swahili = agencies_and_names(sw(client).get(url).content.decode())
    assert [a or n for a, n in swahili] == [
        "Mamlaka ya Ushuru Kenya",
        "Cheti cha kufuata kodi",
        "Usajili wa PIN ya KRA",
        "Mfuko wa Kitaifa wa Bima ya Afya",
        "Usajili wa NHIF",
        "Ofisi ya Usajili wa Kitaifa",
        "Kubadilisha kitambulisho kilichopotea",
    ]


@pytest.mark.parametrize(
    "params, shown",
    [
        ({"mda": "KRA"}, ["KRA PIN registration"]),
        ({"q": "nhi"}, ["NHIF registration"]),  # the one search, from the third letter
        ({"q": "lost id"}, ["Replacement of a lost ID card"]),
        ({"mda": "KRA", "q": "nhif"}, []),
    ],
)
def test_charter_filters_by_agency_and_words_within_the_centre(client, world, params, shown):
    url = reverse("catalogue:charter", args=["gpo-nairobi"])
    html = client.get(url, params).content.decode()
    table_part = html.split('role="status"')[1]
    assert re.findall(r'<td><a href="/services/[^/]+/">([^<]+)</a></td>', table_part) == shown
    assert f"{len(shown)} of 3 services shown." in html
    if not shown:
        assert "No service of this charter matches" in html


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"mda": "NOPE"}, "mda", "Choose an agency from the list"),
        ({"q": "x" * 101}, "q", "Search words must be 100 characters or fewer"),
    ],
)
def test_charter_filter_refuses_bad_input_naming_the_field(client, world, params, field, message):
    response = client.get(reverse("catalogue:charter", args=["gpo-nairobi"]), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#{field}">{message}</a>' in html
    # The whole charter stays readable below the message.
    assert "KRA PIN registration" in html


def test_search_without_words_lists_services_by_name_in_the_language_shown(client, world):
    html = sw(client).get(reverse("catalogue:search"), {"mda": ""}).content.decode()
    shown = re.findall(r'<h2 class="h3"><a href="[^"]+">([^<]+)</a>', html)
    assert shown == sorted(shown, key=str.casefold) and shown[0].startswith("Kubadilisha")


def test_centres_found_by_name_or_town_and_by_county(client, world):
    Centre.objects.filter(pk=world.kisumu.pk).update(town="Oginga Odinga Street")
    url = reverse("catalogue:centres")
    assert client.get(url).content.decode().count("<tr>") == 3  # heading and two centres

    by_town = client.get(url, {"q": "oginga"}).content.decode()
    assert "Huduma Centre Kisumu" in by_town and "Huduma Centre GPO" not in by_town
    assert ">1 centre<" in by_town

    by_county = client.get(url, {"county": "47"}).content.decode()
    assert "Huduma Centre GPO" in by_county and "Huduma Centre Kisumu" not in by_county
    assert '<option value="47" selected>Nairobi</option>' in by_county

    nothing = client.get(url, {"q": "atlantis", "county": "42"}).content.decode()
    assert "No centre matches" in nothing


@pytest.mark.parametrize(
    "params,message",
    [({"county": "48"}, "Choose a county from the list"), ({"q": "x" * 101}, "100 characters")],
)
def test_centres_filter_refuses_bad_input_with_a_message(client, world, params, message):
    response = client.get(reverse("catalogue:centres"), params)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    field = next(iter(params))
    assert f'aria-describedby="{field}_error"' in response.content.decode()
    assert f'id="{field}_error"' in response.content.decode()


def pdf_lines(pdf: bytes) -> list[str]:
    """The text lines drawn on each page (fpdf2 writes one `(text) Tj` per line)."""
    lines = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue  # not a page (a font, an image)
        for block in re.findall(rb"BT (.*?) ET", content, re.DOTALL):
            parts = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", block)
            if parts:
                text = b"".join(parts).replace(b"\\(", b"(").replace(b"\\)", b")")
                lines.append(text.decode("latin-1"))
    return lines


def test_charter_pdf_wraps_long_names_and_shows_hours_fees_and_page_numbers(client, world):
    mda = MDA.objects.create(
        code="BRS",
        name_en="Business Registration Service (Office of the Attorney-General)",
        name_sw="Huduma ya Usajili wa Biashara",
    )
    for n in range(60):
        service = make_service(
            mda,
            f"BRS-{n:02d}",
            f"Search and reservation of a business name before registration, case {n:02d}",
            f"Kutafuta jina la biashara {n:02d}",
            fee="1050.00",
            requirements=(),
        )
        CentreService.objects.create(centre=world.gpo, service=service)

    lines = pdf_lines(client.get(reverse("catalogue:charter_pdf", args=["gpo-nairobi"])).content)
    assert "Opening hours: Mon-Fri 08:00-17:00, Sat 09:00-13:00" in lines
    assert "KES 1,050.00" in lines and "Free" in lines and "KES 0.00" not in lines
    pages = [line for line in lines if line.startswith("Page ")]
    assert len(pages) >= 2 and pages[0] == f"Page 1 of {len(pages)}"
    assert pages[-1] == f"Page {len(pages)} of {len(pages)}"
    # Nothing cut: the long agency name is all there, over two lines of its cell.
    assert "Business Registration Service (Office of" in lines
    assert "the Attorney-General)" in lines
    assert any(line.startswith("Search and reservation") for line in lines)
    assert any(line.endswith("case 59") for line in lines)
    assert lines.count("Service") == len(pages)  # the heading row repeated on every page
    assert lines.count("Agency") == len(pages) and "MDA" not in lines


def test_citizen_pages_say_agency_not_mda(client, world):
    """Citizens read "Agency" / "Taasisi" (as on the kiosk), not the shorthand "MDA"."""
    charter = reverse("catalogue:charter", args=["gpo-nairobi"])
    html = client.get(charter).content.decode()
    assert '<label for="mda">Agency</label>' in html and ">MDA<" not in html
    search = client.get(reverse("catalogue:search")).content.decode()
    assert '<label for="mda">Agency</label>' in search
    html = sw(client).get(charter).content.decode()
    assert '<label for="mda">Taasisi</label>' in html and "MDA" not in html

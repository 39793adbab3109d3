"""The hall kiosk's screens (a paired kiosk of GPO Nairobi): attract screen, choosing by tile,
search and agency in the order picked, the check before queuing, and the printed ticket."""

import re

import pytest
from django.urls import reverse

from huduma.catalogue.models import MDA, CentreService
from huduma.queues import services
from huduma.queues.models import IssueChannel, Visit
from tests.conftest import make_service

pytestmark = pytest.mark.django_db

KIOSK = reverse("queues:kiosk", args=["gpo-nairobi"])


def html_of(response) -> str:
    return response.content.decode()


def tiles(html: str) -> list[str]:
    """The service ids of the tiles, in the order shown."""
    return re.findall(r'class="kiosk-tile" type="submit" name="toggle" value="(\d+)"', html)


def test_attract_screen_starts_in_the_language_touched(kiosk, world):
    start = reverse("queues:kiosk_attract", args=["gpo-nairobi"])
    html = html_of(kiosk.get(start))
    assert "Touch to start" in html and "Gusa kuanza" in html
    assert 'data-kiosk-idle="0"' in html  # the resting screen has nowhere to go back to
    begun = kiosk.post(reverse("set_language"), {"language": "sw", "next": KIOSK})
    assert begun["Location"] == KIOSK
    assert "Tafuta" in html_of(kiosk.get(KIOSK))


def test_the_kiosk_is_a_screen_with_no_way_off_it(kiosk, world):
    html = html_of(kiosk.get(KIOSK))
    # The appointment line is one item of its flex box, so " · " keeps its spaces.
    assert '<summary><span><span lang="en">I have an appointment</span> · ' in html
    assert 'class="header"' not in html and 'class="footer"' not in html
    links = re.findall(r'href="([^"]+)"', html)
    assert links, html
    for link in links:
        assert link.startswith(("/kiosk/gpo-nairobi/", "/static/")), link
    home = reverse("queues:kiosk_attract", args=["gpo-nairobi"])
    assert f'data-kiosk-home="{home}"' in html and 'data-kiosk-idle="60"' in html


def test_idle_times_come_from_the_settings(kiosk, world, settings, clock):
    settings.KIOSK_IDLE_SECONDS, settings.KIOSK_TICKET_SECONDS = 2, 1
    assert 'data-kiosk-idle="2"' in html_of(kiosk.get(KIOSK))
    visit = services.visit_issue(
        centre=world.gpo, services=[world.kra_pin], channel="kiosk", requirements_confirmed=True
    )
    page = html_of(kiosk.get(reverse("queues:kiosk_ticket", args=[visit.pk])))
    assert 'data-kiosk-idle="1"' in page and "data-autoprint" in page


def test_the_most_used_services_here_come_first(kiosk, world, clock):
    for _ in range(2):
        services.visit_issue(
            centre=world.gpo, services=[world.kra_pin], channel="kiosk", requirements_confirmed=True
        )
    html = html_of(kiosk.get(KIOSK))
    popular = html.split('id="kiosk-popular"')[1].split("</section>")[0]
    assert tiles(popular)[0] == str(world.kra_pin.pk)


def test_tiles_add_services_in_the_order_picked_and_remove_them(kiosk, world):
    kra, id_dup = world.kra_pin.pk, world.id_dup.pk
    first = kiosk.get(KIOSK, {"toggle": kra})
    assert first["Location"] == f"{KIOSK}?s={kra}"
    second = kiosk.get(KIOSK, {"s": kra, "q": "id", "toggle": id_dup})
    assert second["Location"] == f"{KIOSK}?s={kra}&s={id_dup}&q=id"
    html = html_of(kiosk.get(second["Location"]))
    basket = html.split('class="kiosk-basket"')[1]
    assert basket.index("KRA PIN registration") < basket.index("Replacement of a lost ID card")
    shown = html_of(kiosk.get(KIOSK, {"s": [kra, id_dup], "q": "registration"}))
    assert f'value="{kra}" aria-pressed="true"' in shown
    assert f'value="{world.nhif_reg.pk}" aria-pressed="false"' in shown
    removed = kiosk.get(KIOSK, {"s": [kra, id_dup], "toggle": kra})
    assert removed["Location"] == f"{KIOSK}?s={id_dup}"


@pytest.mark.parametrize(
    "query",
    [
        {"s": ["x", "-1", "9" * 30, ""], "q": "a" * 500, "mda": "NOPE"},
        {"toggle": "9" * 40},
        {"toggle": "abc", "s": "1"},
    ],
)
def test_odd_addresses_are_ignored_not_a_crash(kiosk, world, query):
    response = kiosk.get(KIOSK, query)
    assert response.status_code in (200, 302)


def test_a_service_not_offered_here_cannot_be_chosen(kiosk, world):
    elsewhere = make_service(world.kra, "KRA-TCC", "Tax compliance certificate", "Cheti cha ushuru")
    assert kiosk.get(KIOSK, {"toggle": elsewhere.pk})["Location"] == KIOSK
    html = html_of(kiosk.get(KIOSK, {"s": elsewhere.pk, "q": "tax compliance"}))
    assert str(elsewhere.pk) not in tiles(html) and "Tax compliance" not in html


def test_search_is_typo_tolerant_in_swahili_and_limited_to_this_centre(kiosk, world):
    html = html_of(kiosk.get(KIOSK, {"q": "kitambulsho"}))
    results = html.split('id="kiosk-results"')[1].split("</section>")[0]
    assert tiles(results)[0] == str(world.id_dup.pk)
    fragment = kiosk.get(
        reverse("queues:kiosk_search", args=["gpo-nairobi"]),
        {"q": "kitambulsho", "s": world.kra_pin.pk},
        headers={"HX-Request": "true"},
    )
    assert tiles(html_of(fragment)) == [str(world.id_dup.pk)]
    assert "<html" not in html_of(fragment)
    assert fragment["HX-Replace-Url"] == f"{KIOSK}?s={world.kra_pin.pk}&q=kitambulsho"
    one_letter = html_of(kiosk.get(KIOSK, {"q": "k"}))
    assert "Type at least two letters" in one_letter


def test_agencies_open_onto_their_services_here(kiosk, world):
    MDA.objects.create(code="NTSA", name_en="Transport Authority", name_sw="Mamlaka ya Uchukuzi")
    html = html_of(kiosk.get(KIOSK, {"s": world.kra_pin.pk}))
    agencies = html.split('id="kiosk-agencies"')[1]
    assert "National Registration Bureau" in agencies and "Transport Authority" not in agencies
    assert f"?s={world.kra_pin.pk}&amp;mda=NRB" in agencies
    opened = html_of(kiosk.get(KIOSK, {"s": world.kra_pin.pk, "mda": "NRB"}))
    section = opened.split('id="kiosk-agencies"')[1].split('id="kiosk-popular"')[0]
    assert tiles(section) == [str(world.id_dup.pk)] and "All agencies" in section


def test_agencies_are_in_the_order_of_the_language_shown(kiosk, world):
    kiosk.cookies["django_language"] = "sw"
    html = html_of(kiosk.get(KIOSK))
    agencies = html.split('id="kiosk-agencies"')[1]
    # Mamlaka (KRA), Mfuko (NHIF), Ofisi (NRB): Swahili order, not the English one.
    order = [
        agencies.index(n) for n in ("Mamlaka ya Ushuru", "Mfuko wa Kitaifa", "Ofisi ya Usajili")
    ]
    assert order == sorted(order)


def test_continue_with_nothing_chosen_says_what_to_do(kiosk, world):
    html = html_of(kiosk.get(KIOSK, {"step": "confirm"}))
    assert "There is a problem" in html and "Choose at least one service" in html


def test_the_check_lists_what_to_bring_and_issues_in_the_order_picked(kiosk, world, clock):
    picked = [world.kra_pin.pk, world.id_dup.pk]
    check = kiosk.get(KIOSK, {"s": picked, "step": "confirm"})
    html = html_of(check)
    assert check.status_code == 200 and "Police abstract" in html
    assert html.index("KRA PIN registration") < html.index("Replacement of a lost ID card")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    form = {"services": picked, "language": "en", "idempotency_key": key, "confirm": "1"}
    refused = kiosk.post(KIOSK, {**form, "priority": "elderly", "phone": "0712 345 678"})
    assert refused.status_code == 400 and not Visit.objects.exists()
    page = html_of(refused)
    assert "There is a problem" in page and 'href="#requirements_confirmed"' in page
    # Spoken to the citizen at the kiosk, not to staff.
    assert "Tick the box if you have every document on the list" in page
    assert "the citizen" not in page
    assert 'value="0712 345 678"' in page  # what was typed is kept
    assert re.search(r'value="elderly"\s+checked', page)
    done = kiosk.post(KIOSK, {**form, "priority": "elderly", "requirements_confirmed": "yes"})
    visit = Visit.objects.get()
    assert done["Location"] == reverse("queues:kiosk_ticket", args=[visit.pk])
    assert visit.channel == IssueChannel.KIOSK
    order = list(visit.tickets.order_by("position").values_list("service_id", flat=True))
    assert order == picked
    again = kiosk.post(KIOSK, {**form, "priority": "elderly", "requirements_confirmed": "yes"})
    assert again["Location"] == done["Location"] and Visit.objects.count() == 1


def test_a_number_given_at_the_kiosk_is_for_the_nearly_your_turn_text(kiosk, world, clock):
    form = {"services": [world.kra_pin.pk], "language": "sw", "confirm": "1", "priority": ""}
    with_phone = {**form, "requirements_confirmed": "yes", "phone": "0712 345 678"}
    assert kiosk.post(KIOSK, {**with_phone, "idempotency_key": "a" * 32}).status_code == 302
    assert kiosk.post(KIOSK, {**form, "requirements_confirmed": "yes"}).status_code == 302
    wants = dict(Visit.objects.values_list("phone", "near_front_sms"))
    assert wants == {"+254712345678": True, "": False}


def test_a_bad_phone_number_is_named_on_the_check_page(kiosk, world, clock):
    form = {
        "services": [world.id_dup.pk],  # it needs documents: the box is left unticked
        "language": "en",
        "confirm": "1",
        "phone": "12",
        "priority": "",
    }
    response = kiosk.post(KIOSK, form)
    assert response.status_code == 400 and 'href="#phone"' in html_of(response)
    assert not Visit.objects.exists()
    # The unticked box is named in the same answer, before the number as on the screen.
    summary = html_of(response).split('id="error-summary"')[1].split("</div>")[0]
    assert summary.index('href="#requirements_confirmed"') < summary.index('href="#phone"')
    assert 'aria-describedby="phone-hint phone-error"' in html_of(response)  # read out with it


def test_the_printed_ticket_shows_what_to_bring_and_where_to_wait(kiosk, world, clock):
    world.counters[("gpo-nairobi", 3)].name = "Hall B"
    world.counters[("gpo-nairobi", 3)].save()
    visit = services.visit_issue(
        centre=world.gpo,
        services=[world.kra_pin, world.id_dup],
        channel="kiosk",
        requirements_confirmed=True,
    )
    html = html_of(kiosk.get(reverse("queues:kiosk_ticket", args=[visit.pk])))
    assert visit.number in html
    kra, id_dup = html.index("KRA PIN registration"), html.index("Replacement of a lost ID card")
    assert kra < id_dup
    assert "Counter 3 (Hall B)" in html[kra:id_dup]
    assert "Counter 1" in html[id_dup:] and "Police abstract" in html[id_dup:]
    assert "National ID card" in html[kra:id_dup]
    home = reverse("queues:kiosk_attract", args=["gpo-nairobi"])
    assert f'href="{home}"' in html
    # No counter open for KRA PIN yet: no "0 minutes", but says so; once one opens, an estimate.
    assert "No counter for this service is open yet" in html and "minutes to wait" not in html
    services.counter_open(counter=world.counters[("gpo-nairobi", 3)], officer=world.bob)
    html = html_of(kiosk.get(reverse("queues:kiosk_ticket", args=[visit.pk])))
    assert "No counter for this service" not in html
    # First in the queue: said so, never "0 minutes · 0 people ahead".
    assert "You are at the front of the queue" in html
    assert "0 minutes" not in html and "0 people ahead" not in html


def test_another_centres_kiosk_cannot_search_here(client, world):
    from tests.conftest import pair_device

    client.cookies["huduma_device"] = pair_device(world, world.kisumu, "kiosk")
    url = reverse("queues:kiosk_search", args=["gpo-nairobi"])
    assert client.get(url, {"q": "kra"}).status_code == 403
    attract = reverse("queues:kiosk_attract", args=["gpo-nairobi"])
    assert client.get(attract).status_code == 403


def test_a_visit_holds_at_most_five_services(kiosk, world):
    extra = []
    for n in range(3):
        service = make_service(world.nrb, f"NRB-X{n}", f"Extra service {n}", f"Huduma ya ziada {n}")
        CentreService.objects.create(centre=world.gpo, service=service)
        extra.append(service.pk)
    five = [world.kra_pin.pk, world.id_dup.pk, *extra[:2], world.nhif_reg.pk]
    full = kiosk.get(KIOSK, {"s": five, "toggle": extra[2]})
    assert full["Location"] == f"{KIOSK}?" + "&".join(f"s={pk}" for pk in five)
    assert "at most 5 services" in html_of(kiosk.get(full["Location"]))


def test_the_language_switch_on_a_failed_check_comes_back_to_the_check(kiosk, world, clock):
    form = {"services": [world.kra_pin.pk], "language": "en", "confirm": "1", "priority": ""}
    html = html_of(kiosk.post(KIOSK, form))
    assert f'name="next" value="{KIOSK}?s={world.kra_pin.pk}&amp;step=confirm"' in html


def test_the_search_box_has_no_tiny_clear_cross():
    """Chromium draws a ~20 px clear button in a search box: under the kiosk's 48 px targets."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/kiosk.css")).read_text(encoding="utf-8")
    assert "input[type=search]::-webkit-search-cancel-button { -webkit-appearance: none;" in css

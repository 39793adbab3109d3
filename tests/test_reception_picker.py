"""Reception picks services by typing (the catalogue search, typo tolerant, this centre's
services only) or with one tap on the most used, and queues them in the order chosen or the
order they need, never alphabetically."""

import pytest
from django.urls import reverse

from huduma.catalogue.models import Service
from huduma.queues import services
from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(client, world):
    client.force_login(world.bob)
    return client


def url(name="queues:reception"):
    return reverse(name, args=["gpo-nairobi"])


def test_typing_with_a_typo_finds_the_service(desk, world):
    response = desk.get(url("queues:reception_services"), {"q": "replacment of lost id"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'name="pick" value="{world.id_dup.pk}"' in body


def test_the_search_offers_only_this_centres_services(desk, world):
    other = Service.objects.create(
        code="NHIF-OTHER",
        mda=world.nhif,
        name_en="NHIF waiver elsewhere",
        name_sw="Msamaha wa NHIF",
        fee_kes=0,
        turnaround_days=0,
    )
    body = desk.get(url("queues:reception_services"), {"q": "nhif"}).content.decode()
    assert f'value="{world.nhif_reg.pk}"' in body and f'value="{other.pk}"' not in body
    nothing = desk.get(url("queues:reception_services"), {"q": "zebra"}).content.decode()
    assert "No service of this centre matches" in nothing
    too_long = desk.get(url("queues:reception_services"), {"q": "x" * 500})
    assert too_long.status_code == 200


def test_most_used_services_are_one_tap_away(desk, world, clock):
    services.visit_issue(
        centre=world.gpo, services=[world.kra_pin], channel="reception", requirements_confirmed=True
    )
    page = desk.get(url()).content.decode()
    assert "Most used at this centre" in page
    assert f'name="pick" value="{world.kra_pin.pk}"' in page
    assert page.count('type="checkbox"') == 1  # the SMS choice only: no wall of services


def test_picks_keep_the_order_chosen_and_can_be_removed(desk, world):
    picked = desk.post(url(), {"pick": world.kra_pin.pk, "phone": "", "language": "sw"}, **HTMX)
    assert picked.status_code == 200 and 'id="issue-form"' in picked.content.decode()
    two = desk.post(
        url(), {"services": [world.kra_pin.pk], "pick": world.id_dup.pk, "language": "sw"}
    ).content.decode()
    assert two.index("KRA PIN registration") < two.index("Replacement of a lost ID card")
    one = desk.post(
        url(),
        {"services": [world.kra_pin.pk, world.id_dup.pk], "unpick": world.kra_pin.pk},
        **HTMX,
    ).content.decode()
    assert f'name="services" value="{world.id_dup.pk}"' in one
    assert f'name="services" value="{world.kra_pin.pk}"' not in one


def test_a_two_service_ticket_queues_in_the_order_chosen_or_needed(desk, world, clock):
    world.kra_pin.prerequisites.add(world.id_dup)
    chosen = [world.nhif_reg.pk, world.kra_pin.pk, world.id_dup.pk]
    step2 = desk.post(url(), {"services": chosen, "language": "sw", "continue": "1"})
    body = step2.content.decode()
    assert body.index("NHIF registration") < body.index("Replacement of a lost ID card")
    assert body.index("Replacement of a lost ID card") < body.index("KRA PIN registration")
    key = body.split('name="idempotency_key" value="')[1].split('"')[0]
    done = desk.post(
        url(),
        {
            "services": chosen,
            "language": "sw",
            "confirm": "1",
            "requirements_confirmed": "yes",
            "idempotency_key": key,
        },
    )
    assert done.status_code == 302
    visit = Visit.objects.get()
    assert list(visit.tickets.order_by("position").values_list("service__code", flat=True)) == [
        "NHIF-REGISTRATION",
        "NRB-ID-DUPLICATE",
        "KRA-PIN",
    ]


def test_continuing_with_nothing_chosen_is_a_form_error(desk, world):
    response = desk.post(url(), {"language": "sw", "continue": "1"})
    assert response.status_code == 400
    assert "Choose at least one service" in response.content.decode()

"""Joining from one's own phone: each step reports only the fields on its page, in words for
the citizen, and the service list follows the language shown."""

import re

import pytest
from django.urls import reverse

from huduma.queues import services
from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db


def url():
    return reverse("queues:join", args=["gpo-nairobi"])


def test_a_mistyped_number_is_reported_on_the_page_where_it_is_typed(client, world, clock):
    first = client.post(url(), {"service": world.id_dup.pk, "phone": "0712 34"})
    html = first.content.decode()
    assert first.status_code == 400
    # The summary's link leads to the input itself (focus moves there), on this very page.
    assert 'href="#phone"' in html and re.search(r'<input type="tel" name="phone" id="phone"', html)
    assert "Do you have these documents?" not in html
    assert 'value="0712 34"' in html  # what was typed, to correct in place
    fixed = client.post(url(), {"service": world.id_dup.pk, "phone": "0712 345 678"})
    assert fixed.status_code == 200
    assert "Do you have these documents?" in fixed.content.decode()


def test_the_checklist_step_speaks_to_the_citizen(client, world, clock):
    step = {"service": world.id_dup.pk, "phone": "0712345678", "confirm": "1"}
    page = client.post(url(), step)
    html = page.content.decode()
    assert page.status_code == 400
    assert "Tick the box if you have every document on the list" in html
    assert "the citizen" not in html  # staff wording stays on staff pages
    assert 'href="#requirements_confirmed"' in html and 'id="requirements_confirmed"' in html


def test_a_refusal_about_the_phone_at_the_last_step_goes_back_to_the_phone(client, world, clock):
    for _ in range(2):
        services.visit_issue(
            centre=world.gpo,
            services=[world.nhif_reg],
            channel="web",
            requirements_confirmed=True,
            phone="0712345678",
        )
    page = client.post(
        url(),
        {
            "service": world.id_dup.pk,
            "phone": "0712345678",
            "confirm": "1",
            "requirements_confirmed": "yes",
        },
    )
    html = page.content.decode()
    assert page.status_code == 400 and "already holds 2 tickets" in html
    assert 'id="phone"' in html and 'href="#phone"' in html
    assert Visit.objects.count() == 2


def test_services_are_listed_in_the_order_of_the_language_shown(client, world, clock):
    english = client.get(url()).content.decode()
    names = ["KRA PIN registration", "NHIF registration", "Replacement of a lost ID card"]
    assert [english.index(n) for n in names] == sorted(english.index(n) for n in names)
    client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    swahili = client.get(url()).content.decode()
    names = ["Kubadilisha kitambulisho", "Usajili wa NHIF", "Usajili wa PIN ya KRA"]
    assert [swahili.index(n) for n in names] == sorted(swahili.index(n) for n in names)

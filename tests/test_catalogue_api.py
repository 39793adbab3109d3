"""The catalogue API: paginated, cacheable, and a clear 4xx for every kind of bad input."""

import pytest

from huduma.catalogue.models import Article
from huduma.catalogue.services import article_save

pytestmark = pytest.mark.django_db
API = "/api/catalogue"


def test_search_returns_a_page_of_services(client, world):
    response = client.get(f"{API}/services", {"q": "kitambulisho"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["pages"] == 1
    first = body["results"][0]
    assert first["code"] == "NRB-ID-DUPLICATE"
    assert first["fee_kes"] == "100.00"
    assert first["mda"]["code"] == "NRB"


def test_pagination_splits_results(client, world):
    body = client.get(f"{API}/services", {"page_size": 2, "page": 2}).json()
    assert (body["count"], body["page"], body["pages"], len(body["results"])) == (3, 2, 2, 1)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"colour": "red"}, 400, "colour"),
        ({"page": "0"}, 422, "page"),
        ({"page": "abc"}, 422, "page"),
        ({"page_size": "1000"}, 422, "page_size"),
        ({"page": "99"}, 404, "page"),
        ({"q": "x" * 101}, 422, "q"),
        ({"mda": "NOPE"}, 400, "mda"),
        ({"channel": "pigeon"}, 400, "channel"),
        ({"centre": "atlantis"}, 400, "centre"),
    ],
)
def test_bad_input_gets_a_4xx_naming_the_field(client, world, params, status, field):
    response = client.get(f"{API}/services", params)
    assert response.status_code == status
    body = response.json()
    named = body.get("field") or body["detail"][0]["loc"][-1]
    assert named == field


def test_unknown_service_is_404_json(client, world):
    response = client.get(f"{API}/services/NOPE-NOTHING")
    assert response.status_code == 404
    assert "NOPE-NOTHING" in response.json()["detail"]


def test_service_detail_has_requirements_channels_and_centres(client, world):
    body = client.get(f"{API}/services/NRB-ID-DUPLICATE").json()
    assert body["requirements"] == [{"text_en": "Police abstract", "text_sw": "Hati ya polisi"}]
    assert [c["channel"] for c in body["channels"]] == ["centre"]
    assert {c["code"] for c in body["centres"]} == {"gpo-nairobi", "kisumu"}


def test_catalogue_reads_carry_etag_and_answer_304(client, world):
    first = client.get(f"{API}/services/KRA-PIN")
    etag = first["ETag"]
    assert "max-age" in first["Cache-Control"]
    again = client.get(f"{API}/services/KRA-PIN", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    world.kra_pin.fee_kes = 50
    world.kra_pin.save()
    changed = client.get(f"{API}/services/KRA-PIN", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["fee_kes"] == "50.00"


def test_charter_lists_centre_services_with_complaint_contacts(client, world):
    body = client.get(f"{API}/centres/kisumu/charter").json()
    assert {s["code"] for s in body["services"]} == {
        "NRB-ID-DUPLICATE",
        "NHIF-REGISTRATION",
        "KRA-PIN",
    }
    assert body["complaints"]["phone"]
    assert body["date"]


def test_unknown_centre_charter_is_404(client, world):
    response = client.get(f"{API}/centres/atlantis/charter")
    assert response.status_code == 404
    assert response.json()["field"] == "code"


def test_staff_only_articles_are_hidden_from_the_public(client, world):
    article_save(
        article=Article(
            slug="faq-public",
            service=world.id_dup,
            title_en="Public FAQ",
            body_en="Bring the abstract.",
        )
    )
    article_save(
        article=Article(
            slug="staff-tip",
            service=world.id_dup,
            title_en="Staff tip",
            body_en="Check the old card number.",
            audience=Article.Audience.STAFF,
        )
    )
    public = client.get(f"{API}/articles").json()
    assert [a["slug"] for a in public["results"]] == ["faq-public"]
    assert client.get(f"{API}/articles/staff-tip").status_code == 404
    client.force_login(world.alice)
    staff = client.get(f"{API}/articles").json()
    assert {a["slug"] for a in staff["results"]} == {"faq-public", "staff-tip"}


def test_editing_an_article_keeps_the_previous_version(world):
    article = article_save(article=Article(slug="faq", title_en="Old", body_en="Old text"))
    article.body_en = "New text"
    article = article_save(article=article)
    assert article.version == 2
    old = article.versions.get()
    assert (old.version, old.body_en) == (1, "Old text")


def test_openapi_document_is_served(client, world):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/catalogue/services" in response.json()["paths"]


def test_api_docs_load_no_script_from_a_cdn(client, world):
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def _charter_changes(client, etag) -> bool:
    response = client.get(f"{API}/centres/kisumu/charter", HTTP_IF_NONE_MATCH=etag)
    return response.status_code == 200


@pytest.mark.parametrize(
    "edit",
    [
        "withdraw_a_service",
        "offer_a_service_again",
        "swap_one_service_for_another",
        "reword_a_requirement",
        "reword_how_to_apply",
    ],
)
def test_charter_etag_changes_with_every_edit_the_charter_shows(client, world, edit):
    """Clients holding an old charter must not keep it after the centre's offer changes."""
    from huduma.catalogue.models import CentreService, Requirement, ServiceChannel

    offered = CentreService.objects.filter(centre=world.kisumu)
    if edit == "offer_a_service_again":
        offered.filter(service=world.kra_pin).delete()
    etag = client.get(f"{API}/centres/kisumu/charter")["ETag"]
    assert not _charter_changes(client, etag)
    if edit == "withdraw_a_service":
        offered.filter(service=world.kra_pin).delete()
    elif edit == "offer_a_service_again":
        CentreService.objects.create(centre=world.kisumu, service=world.kra_pin)
    elif edit == "swap_one_service_for_another":
        offered.get(service=world.kra_pin).delete()  # same count afterwards
        CentreService.objects.create(centre=world.kisumu, service=world.kra_pin)
    elif edit == "reword_a_requirement":
        requirement = Requirement.objects.filter(service=world.kra_pin).first()
        requirement.text_en += " (original)"
        requirement.save()
    else:
        channel = ServiceChannel.objects.filter(service=world.kra_pin).first()
        channel.how_en = "Apply online first."
        channel.save()
    assert _charter_changes(client, etag)

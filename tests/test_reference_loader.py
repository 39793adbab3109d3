"""The national reference data loads completely and re-loads in place, never duplicating."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from huduma.catalogue.loader import clean_sub_county_name, load_reference_data
from huduma.catalogue.models import MDA, CentreService, Requirement, Service
from huduma.core.models import AuditEntry
from huduma.places.models import Centre, County, SubCounty

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (County, SubCounty, Centre, MDA, Service, Requirement, CentreService)
    }


def test_reference_data_is_complete(reference):
    assert County.objects.count() == 47
    assert set(County.objects.values_list("code", flat=True)) == set(range(1, 48))
    assert County.objects.get(code=47).name == "Nairobi"
    assert SubCounty.objects.count() >= 290
    assert SubCounty.objects.filter(county__name="Nairobi", name="Starehe").exists()
    assert Centre.objects.filter(status="open").count() >= 35
    assert Centre.objects.get(code="gpo-nairobi").county.code == 47
    assert MDA.objects.count() >= 29
    assert Service.objects.count() >= 40
    # Every service a citizen needs documents for lists them, in both languages.
    for service in Service.objects.filter(needs_documents=True):
        assert service.requirements.exists(), service.code
        assert all(r.text_sw for r in service.requirements.all()), service.code
    # The one fee the programme documents state is not a demo value.
    search = Service.objects.filter(name_en__icontains="business name search").first()
    assert search is not None and search.fee_kes == Decimal("100.00")


def test_reloading_changes_nothing_and_duplicates_nothing(reference):
    before = counts()
    audit_before = AuditEntry.objects.count()
    report = load_reference_data(with_boundaries=False)
    assert counts() == before
    assert str(report) == "created nothing; updated nothing"
    assert AuditEntry.objects.count() == audit_before


def test_reloading_restores_an_edited_record_in_place(reference):
    service = Service.objects.order_by("code").first()
    original_fee = service.fee_kes
    service.fee_kes = Decimal("99999.00")
    service.save()
    Requirement.objects.filter(service=service).delete()
    load_reference_data(with_boundaries=False)
    again = Service.objects.get(code=service.code)
    assert again.pk == service.pk
    assert again.fee_kes == original_fee
    assert Service.objects.filter(code=service.code).count() == 1
    if again.needs_documents:
        assert again.requirements.exists()


def test_command_loads_boundaries(db):
    call_command("load_reference")
    nairobi = County.objects.get(code=47)
    assert nairobi.boundary["type"] in {
        "GeometryCollection",
        "Polygon",
        "MultiPolygon",
        "FeatureCollection",
    }


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Kajiado Central.", "Kajiado Central"),
        ("Starehe Sub County ", "Starehe"),
        ("baringo central", "Baringo Central"),
        ("Kisumu east ", "Kisumu East"),
    ],
)
def test_source_names_are_tidied(raw, clean):
    assert clean_sub_county_name(raw) == clean


def test_search_in_both_languages_over_the_real_catalogue(reference):
    from huduma.catalogue.selectors import ServiceFilters, services_search

    def top(q):
        return [s.name_en for s in services_search(ServiceFilters(q=q))][:3]

    assert any("birth" in name.lower() for name in top("cheti cha kuzaliwa"))
    assert any("birth" in name.lower() for name in top("birth certficate"))
    assert any(
        "good conduct" in name.lower() or "clearance" in name.lower()
        for name in top("police clearence")
    )


def test_knowledge_base_seed_has_public_and_staff_articles(reference):
    from huduma.catalogue.models import Article

    assert Article.objects.filter(audience="public").count() >= 3
    assert Article.objects.filter(audience="staff").exists()
    assert Article.objects.get(slug="lost-id-what-to-do").service.code == "NRB-ID-DUPLICATE"


def test_every_row_the_loader_writes_is_in_the_audit_log(reference):
    """A reload that restores a requirement list records each restored row, like any edit."""
    service = Service.objects.filter(needs_documents=True).order_by("code").first()
    wanted = list(service.requirements.values_list("text_en", flat=True))
    Requirement.objects.filter(service=service).delete()
    last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    load_reference_data(with_boundaries=False)
    created = AuditEntry.objects.filter(pk__gt=last_id, action="catalogue.requirement.create")
    assert sorted(e.after["text_en"] for e in created) == sorted(wanted)
    for model in (County, SubCounty, Centre, MDA, Service, CentreService):
        label = f"{model._meta.label_lower}.create"
        rows = model.objects.count()
        assert AuditEntry.objects.filter(action=label).count() >= rows, label

"""Validation at every door: imports pass the model's validation, every CSV we produce is safe
to open in a spreadsheet, money pages refuse out-of-range input with a 4xx, and numbers are
ASCII digits only (forms, Open311)."""

import csv
import io
from pathlib import Path

import pytest
import tablib
from django import forms
from django.urls import reverse

from huduma.catalogue.admin import MDAResource, ServiceResource
from huduma.catalogue.models import Service
from huduma.complaints.forms import DetailsForm
from huduma.core.csv_safe import csv_cell, writer
from huduma.core.money import kes
from huduma.ledger import reports
from huduma.ledger.errors import BadStatement
from huduma.places.admin import CentreResource
from tests.conftest import sign_in_verified

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def service_row(world, code: str) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            "code",
            "mda",
            "group",
            "name_en",
            "name_sw",
            "fee_kes",
            "turnaround_days",
            "is_active",
        ]
    )
    data.append([code, world.nrb.pk, "", "Imported service", "Huduma mpya", "100.00", "5", "1"])
    return data


@pytest.mark.parametrize("code", ['=HYPERLINK("http://x")', "+CMD|X", "@SUM(A1)", "KRA|PIN"])
def test_catalogue_import_refuses_what_the_admin_form_would(world, code):
    result = ServiceResource().import_data(service_row(world, code), dry_run=False)
    assert result.has_validation_errors()
    assert "code" in result.invalid_rows[0].field_specific_errors
    assert not Service.objects.filter(code=code).exists()


def test_catalogue_import_of_a_valid_row_still_works(world):
    result = ServiceResource().import_data(service_row(world, "NEW-SERVICE"), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Service.objects.filter(code="NEW-SERVICE").exists()


@pytest.mark.parametrize("text", FORMULAS)
def test_every_formula_start_is_neutralised(text):
    assert csv_cell(text) == "'" + text
    out = io.StringIO()
    writer(out).writerow([text, "plain", 5])
    assert next(csv.reader(io.StringIO(out.getvalue())))[0] == "'" + text


def test_numbers_and_plain_text_are_left_alone():
    from decimal import Decimal

    assert csv_cell(Decimal("-100.00")) == Decimal("-100.00")
    assert csv_cell("Huduma Centre GPO") == "Huduma Centre GPO"


def test_revenue_csv_and_admin_exports_carry_no_live_formula(world):
    world.nhif_reg.name_en = '=HYPERLINK("http://evil","click")'
    world.nhif_reg.save()
    world.nrb.name_en = "@SUM(A1)"
    world.nrb.save()
    rows = [
        {
            "day": __import__("datetime").date(2026, 11, 20),
            "mda": "@SUM(A1)",
            "centre": "+cmd|' /C calc'!A0",
            "service": world.nhif_reg.name_en,
            "paid": 1,
            "refunded": 0,
            "net": 1,
        }
    ]
    line = list(csv.reader(io.StringIO(reports.revenue_csv(rows))))[1]
    assert [cell[0] for cell in line[1:4]] == ["'", "'", "'"]
    for resource in (ServiceResource(), MDAResource(), CentreResource()):
        exported = resource.export().csv
        for row in csv.reader(io.StringIO(exported)):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_every_csv_writer_goes_through_core_csv_safe():
    writers = [
        path.relative_to(ROOT)
        for path in (ROOT / "huduma").rglob("*.py")
        if "csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text()
    ]
    assert writers == [Path("huduma/core/csv_safe.py")]


@pytest.mark.parametrize("amount", ["1e400", "Infinity", "NaN", "٣٠٠", "１００", "9" * 41])
def test_amounts_out_of_range_or_not_ascii_are_not_amounts(amount):
    with pytest.raises(ValueError):
        kes(amount)


@pytest.mark.parametrize(
    "statement",
    [
        "Receipt No.,Paid In\nQKA1,1e400\n",
        "Receipt No.,Paid In\nQKA1," + "9" * (129 * 1024) + "\n",
        'Receipt No.,Paid In\nQKA1,"' + "x" * (129 * 1024) + '"\n',
    ],
)
def test_reconciliation_refuses_huge_cells_and_amounts(world, client, statement):
    import datetime as dt

    with pytest.raises(BadStatement):
        reports.reconcile(statement=statement, day=dt.date(2026, 11, 20))
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in_verified(client, world.sam)
    response = client.post(
        reverse("ledger:reconciliation"),
        {"day": "2026-11-20", "statement": SimpleUploadedFile("s.csv", statement.encode())},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query, field",
    [
        ("since=0001-01-01&until=9999-12-31", "since"),
        ("since=2026-11-01&until=9999-12-31", "until"),
        ("since=２０２６-11-01", "since"),
        ("since=yesterday", "since"),
    ],
)
def test_revenue_refuses_dates_out_of_range_with_a_400_naming_the_field(
    world, client, query, field
):
    sign_in_verified(client, world.sam)
    for fmt in ("", "&format=csv"):
        response = client.get(reverse("ledger:revenue") + "?" + query + fmt)
        assert response.status_code == 400
        assert response.content.decode().startswith(field)


@pytest.mark.parametrize("value", ["５", "٣", "²", "1٣"])
def test_form_numbers_take_ascii_digits_only(world, value):
    form = DetailsForm(
        data={"centre": value, "text": "Nilisubiri muda mrefu sana.", "phone": "0712345678"}
    )
    assert not form.is_valid() and "centre" in form.errors
    for field in (forms.IntegerField(), forms.DecimalField(), forms.FloatField()):
        with pytest.raises(forms.ValidationError):
            field.clean(value)
    assert forms.IntegerField().clean("5") == 5


def test_a_centre_chosen_in_ascii_digits_is_still_accepted(world):
    form = DetailsForm(data={"centre": str(world.gpo.pk)})
    form.is_valid()
    assert "centre" not in form.errors


@pytest.mark.parametrize("lat", ["٣", "３", "1_0", "nan", "1e1", " 3"])
def test_open311_coordinates_take_ascii_digits_only(client, world, lat):
    from huduma.complaints.services import api_client_create

    key = api_client_create(name="Civic app")[1]
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "service_quality",
            "attribute[centre]": world.gpo.code,
            "description": "Counter 2 closed at 11:00 with people waiting.",
            "phone": "0712345678",
            "lat": lat,
            "long": "36.8155",
        },
    )
    assert response.status_code == 400, response.content
    assert "lat" in response.content.decode()

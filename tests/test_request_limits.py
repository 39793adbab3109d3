"""Request bodies have a size limit on every endpoint: an oversized body or too many form
fields is a clear 413 or 400, read no further, and writes nothing."""

import pytest
from django.urls import reverse

from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db


def test_oversized_json_body_on_the_public_join_is_a_413(client, world, clock, settings):
    body = {"services": ["NHIF-REGISTRATION"], "phone": "0712345678", "pad": "x" * 300_000}
    response = client.post(
        "/api/queues/centres/gpo-nairobi/join", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "256 KB" in response.json()["detail"]
    assert Visit.objects.count() == 0


def test_oversized_form_on_a_public_page_is_a_413(client, world, clock):
    response = client.post(
        reverse("queues:join", args=["gpo-nairobi"]),
        {"service": world.nhif_reg.pk, "phone": "0712345678", "pad": "x" * 300_000},
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Visit.objects.count() == 0


def test_the_limit_is_configurable(client, world, clock, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        "/api/queues/centres/gpo-nairobi/join",
        {"services": ["NHIF-REGISTRATION"], "phone": "0712345678", "pad": "x" * 2000},
        content_type="application/json",
    )
    assert response.status_code == 413


def test_too_many_form_fields_is_a_400(client, world, clock, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    fields = {f"f{n}": "1" for n in range(60)}
    response = client.post(reverse("queues:kiosk", args=["gpo-nairobi"]), fields)
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    response = client.get("/api/catalogue/services", fields)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_an_upload_larger_than_the_upload_limit_is_a_413(client, world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.HUDUMA_MAX_UPLOAD_BYTES = 10_000
    client.force_login(world.sam)
    upload = SimpleUploadedFile("services.csv", b"x" * 20_000, content_type="text/csv")
    response = client.post("/admin/catalogue/service/import/", {"import_file": upload})
    assert response.status_code == 413


def _unbounded(schema: dict, components: dict, where: str) -> list[str]:
    """Names of string fields without maxLength and lists without maxItems under `schema`."""
    if "$ref" in schema:
        return _unbounded(components[schema["$ref"].rsplit("/", 1)[1]], components, where)
    found = []
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        found += _unbounded(option, components, where)
    kind = schema.get("type")
    if kind == "string" and not (
        "maxLength" in schema
        or "enum" in schema
        or schema.get("pattern", "").endswith(")$")  # a closed list such as ^(en|sw)$
        or schema.get("format") in ("date-time", "uuid")
    ):
        found.append(where)
    if kind == "array":
        if "maxItems" not in schema:
            found.append(where)
        found += _unbounded(schema.get("items", {}), components, f"{where}[]")
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded(prop, components, f"{where}.{name}")
    return found


def test_every_request_body_field_has_a_length_limit():
    from huduma.api import api

    openapi = api.get_openapi_schema()
    components = openapi["components"]["schemas"]
    unbounded = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded(media["schema"], components, f"{method} {path}")
    assert unbounded == []


def test_an_overlong_service_code_in_a_list_is_a_422_naming_it(client, world, clock):
    response = client.post(
        "/api/queues/centres/gpo-nairobi/join",
        {"services": ["X" * 41], "phone": "0712345678", "requirements_confirmed": True},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["field"]) == (422, "services")

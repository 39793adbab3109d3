"""Every body answered as documented: a form or multipart body to a JSON operation is a 415
(was a 500 with a traceback: the input filter had consumed the body the API then read); the
5 MB upload limit applies only to the pages that take a file, read after sign-in and CSRF."""

import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in_verified

JOIN = "/api/queues/centres/gpo-nairobi/join"
CALLBACK = "/api/payments/mpesa/callback/some-secret"


@pytest.mark.parametrize("url", [JOIN, CALLBACK, "/api/payments/c2b/testc2bsecret/confirmation"])
def test_a_multipart_body_to_a_json_operation_is_a_415(client, world, url, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.post(url, {"f": "0123456789"})  # the test client sends multipart
    assert response.status_code == 415, response.content
    assert response.json()["code"] == "unsupported_media_type"
    assert "application/json" in response.json()["detail"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback


def test_a_form_body_to_a_json_operation_is_a_415(client, world):
    response = client.post(JOIN, "services=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_json_still_reaches_the_operation_after_the_filter_read_it(client, world):
    response = client.post(
        JOIN,
        json.dumps({"services": [world.nhif_reg.code], "phone": "0712345678"}),
        content_type="application/json",
    )
    assert response.status_code != 415 and response.status_code < 500, response.content


def test_the_415_is_documented_on_every_operation_with_a_json_body(client):
    schema = client.get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                assert "415" in operation["responses"], (method, path)


def big(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("statement.csv", b"Receipt No.,Paid In\n" + b"x" * size, "text/csv")


def test_a_large_multipart_body_to_a_page_without_files_is_a_413(client, world):
    """An anonymous 1 MB post to a public form is refused by its length, never parsed."""
    response = client.post(reverse("complaints:start"), {"f": big(1024 * 1024)})
    assert response.status_code == 413
    response = client.post(JOIN, {"f": big(1024 * 1024)})
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_the_upload_page_reads_its_body_after_sign_in_and_csrf(world):
    url = reverse("ledger:reconciliation")
    client = Client(enforce_csrf_checks=True)
    body = {"day": "2026-11-20", "statement": big(1024 * 1024)}
    # Anonymous: sent to sign in, not parsed (the filter let the 1 MB through for this page).
    response = client.post(url, body)
    assert response.status_code == 302 and "sign-in" in response["Location"]
    # Signed in, no CSRF token: 403.
    sign_in_verified(client, world.sam)
    response = client.post(url, {"day": "2026-11-20", "statement": big(1024 * 1024)})
    assert response.status_code == 403
    # With the token, the 1 MB statement is read (its rows are what it refuses).
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(
        url,
        {"day": "2026-11-20", "statement": big(1024 * 1024), "csrfmiddlewaretoken": token},
    )
    assert response.status_code in (200, 400)
    assert "too large" not in response.content.decode()

"""Security headers on every page: CSP without inline code, HSTS over https (behind the trusted
proxy), Referrer-Policy; and no template carries inline script that the policy would block."""

import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(ROOT.glob("huduma/templates/**/*.html")) + sorted(
    ROOT.glob("huduma/*/templates/**/*.html")
)


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/", "/centres/", "/kiosk/gpo-nairobi/", "/staff/sign-in/"])
def test_pages_carry_a_strict_content_security_policy(client, world, kiosk_token, path):
    client.cookies["huduma_device"] = kiosk_token  # the kiosk page is for a paired kiosk
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    for name in ("script-src", "style-src"):
        assert policy[name] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_over_https_through_the_trusted_proxy(settings, world):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    https = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https").get("/")
    assert https["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Plain http, or a client claiming https without the proxy: no HSTS.
    forged = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https").get("/")
    assert "Strict-Transport-Security" not in forged


INLINE = [
    (
        re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
        ),
        "script",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"<style\b", re.IGNORECASE), "style element"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def test_templates_have_no_inline_code():
    assert len(TEMPLATES) > 20
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in TEMPLATES
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert found == []

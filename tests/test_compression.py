"""2G budget: pages gzipped, static files pre-compressed and cached for a year under hashed
names, and every citizen page under 30 KB on the wire with its own stylesheet and scripts."""

import gzip
import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from huduma.queues import services as queue_services

PAGE_BUDGET_BYTES = 30_000
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "huduma.core.staticfiles.StaticFilesStorage"},
}
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with the production storage, as a deployment runs it (once per module)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, collected):
    """The production static storage over the collected files; a fresh client, so that
    WhiteNoise reads them when its middleware is built on the first request."""
    settings.STATIC_ROOT = collected
    settings.STORAGES = PRODUCTION_STORAGES
    return Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_pages_are_gzipped_for_browsers_that_accept_it(client, world):
    url = reverse("catalogue:charter", args=["gpo-nairobi"])
    squeezed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert squeezed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in squeezed["Vary"]
    html = gzip.decompress(squeezed.content).decode()
    assert "Huduma Centre GPO" in html
    assert len(squeezed.content) < len(html.encode()) / 2

    plain = client.get(url)
    assert not plain.has_header("Content-Encoding")
    assert "Huduma Centre GPO" in plain.content.decode()


def test_what_is_compressed_already_is_not_compressed_again(client, world):
    pdf = client.get(
        reverse("catalogue:charter_pdf", args=["gpo-nairobi"]), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert not pdf.has_header("Content-Encoding")


def test_static_files_are_hashed_precompressed_and_cached_for_a_year(production_static, world):
    html = gzip.decompress(production_static.get(reverse("catalogue:home")).content).decode()
    (stylesheet,) = re.findall(r'href="(/static/css/huduma\.[0-9a-f]{12}\.css)"', html)

    css = production_static.get(stylesheet)
    assert css.status_code == 200
    assert css["Content-Encoding"] == "gzip"
    assert css["Cache-Control"] == "max-age=315360000, public, immutable"
    assert b".header" in gzip.decompress(body(css))

    # An unhashed name may change content under the same URL: cached briefly only.
    unhashed = production_static.get("/static/css/huduma.css")
    assert "immutable" not in unhashed["Cache-Control"]


def citizen_pages(world) -> dict[str, str]:
    visit = queue_services.visit_issue(
        centre=world.gpo,
        services=[world.id_dup],
        channel="web",
        requirements_confirmed=True,
        phone="+254712345678",
    )
    return {
        "home": reverse("catalogue:home"),
        "search": reverse("catalogue:search") + "?q=id",
        "service": reverse("catalogue:service", args=[world.id_dup.code]),
        "centres": reverse("catalogue:centres"),
        "charter": reverse("catalogue:charter", args=["gpo-nairobi"]),
        "join": reverse("queues:join", args=["gpo-nairobi"]) + f"?service={world.id_dup.pk}",
        "book": reverse("queues:book", args=["gpo-nairobi"]) + f"?service={world.id_dup.pk}",
        "ticket": reverse("queues:ticket", args=[visit.pk]),
        "complaint": reverse("complaints:start"),
        "track": reverse("applications:track"),
    }


def test_every_citizen_page_is_under_30_kb_compressed(production_static, world, clock):
    weights = {}
    for name, url in citizen_pages(world).items():
        page = production_static.get(url)
        assert page.status_code == 200, name
        html = gzip.decompress(page.content).decode() if page.has_header("Content-Encoding") else ""
        assert html, f"{name} was not compressed"
        total = len(page.content)
        for asset in sorted(set(ASSET.findall(html))):
            response = production_static.get(asset)
            assert response.status_code == 200, asset
            total += len(body(response))
        weights[name] = total
    over = {name: size for name, size in weights.items() if size >= PAGE_BUDGET_BYTES}
    assert not over, f"over {PAGE_BUDGET_BYTES} bytes: {over} (all: {weights})"


def test_before_collectstatic_pages_name_the_plain_files(settings, tmp_path, world):
    """Tests and benches run without collectstatic: pages still work, unhashed."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = PRODUCTION_STORAGES
    client = Client()
    html = client.get(reverse("catalogue:home")).content.decode()
    assert 'href="/static/css/huduma.css"' in html
    assert client.get("/static/css/huduma.css").status_code == 200

"""A callback URL's secret never reaches a log: the shipped nginx site writes the callback paths
with the secret cut out (its error log too), and Django's own request log does the same."""

import logging
import subprocess
import time

import pytest

from tests.test_deploy_granian import free_port
from tests.test_deploy_proxy import Browser, nginx_config, self_signed_certificate

SECRET = "s3cr3tFromTheUrl_0123456789abcdef"


@pytest.fixture
def nginx_binary():
    import shutil

    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not shutil.os.path.exists(path):
        pytest.skip("nginx not installed")
    return path


def test_nginx_logs_callback_paths_without_their_secret(tmp_path, nginx_binary):
    http_port, https_port, upstream = free_port(), free_port(), free_port()  # nothing upstream
    cert, key = self_signed_certificate(tmp_path)
    conf = nginx_config(
        tmp_path,
        http_port=http_port,
        https_port=https_port,
        upstream_port=upstream,
        cert=cert,
        key=key,
    )
    server = subprocess.Popen(
        [nginx_binary, "-p", str(tmp_path), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        browser = Browser(https_port, cert)
        for _ in range(100):
            try:
                browser.request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        paths = [
            f"/api/payments/mpesa/callback/{SECRET}",
            f"/api/payments/c2b/{SECRET}/confirmation",
        ]
        for path in paths:
            answer, _ = browser.request("POST", path, form={"a": "b"})
            assert answer.status == 502  # no Huduma behind it: nginx still logs the request
    finally:
        server.terminate()
        server.wait(10)
    access = (tmp_path / "access.log").read_text()
    assert "/api/payments/mpesa/callback/[secret]" in access
    assert "/api/payments/c2b/[secret]/confirmation" in access
    assert SECRET not in access
    assert SECRET not in (tmp_path / "error.log").read_text()


def test_django_request_log_cuts_the_secret_out(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post(
            f"/api/payments/mpesa/callback/{SECRET}", "not json", content_type="application/json"
        )
    assert response.status_code in (400, 422)
    assert caplog.records, "the refused callback is logged"
    assert all(SECRET not in record.getMessage() for record in caplog.records)

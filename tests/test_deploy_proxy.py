"""End to end through the shipped TLS proxy: nginx (deploy/nginx-huduma.conf) in front of Granian
(deploy/huduma-web.service), configured by deploy/huduma.env.example. A member of staff signs in
and signs out (two CSRF-protected form posts) over https, as a browser would."""

import gzip
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from tests.conftest import IN_CI
from tests.test_deploy_check import production_env
from tests.test_deploy_granian import (
    ROOT,
    UNIT,
    free_port,
    health,
    unit_exec_start,
    wait_until,
    with_option,
)

pytestmark = pytest.mark.server

NGINX_SITE = ROOT / "deploy" / "nginx-huduma.conf"
HOST = "huduma.example"
TOTP_KEY = "3132333435363738393031323334353637383930"  # the RFC 6238 test key


@pytest.fixture
def nginx_binary():
    path = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if path is None:
        if IN_CI:
            pytest.fail("CI=true: nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx not installed")
    return path


def self_signed_certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_config(tmp: Path, *, http_port, https_port, upstream_port, cert, key) -> Path:
    """The shipped site, with only ports, certificate and paths substituted."""
    site = NGINX_SITE.read_text()
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert)),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key)),
        ("root /srv/huduma/var;", f"root {tmp};"),
        ("/var/log/nginx/huduma-access.log", f"{tmp}/access.log"),
        ("/var/log/nginx/error.log", f"{tmp}/error.log"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site)
    temp_paths = (
        "\n".join(
            f"  {name}_temp_path {tmp}/{name};" for name in ("client_body", "proxy", "fastcgi")
        )
        + f"\n  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;"
    )
    main = tmp / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\ndaemon off;\n"
        + "worker_processes 1;\nevents {}\n"
        + f"http {{\n  access_log {tmp}/access.log;\n{temp_paths}\n  include {tmp}/site.conf;\n}}\n"
    )
    return main


class Browser:
    """Just enough of a browser: one https origin, cookies, Origin and Referer on posts."""

    def __init__(self, port: int, cafile: Path):
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.cookies: dict[str, str] = {}
        self.secure_cookies: set[str] = set()

    def request(self, method, path, form=None, referer=None, headers=None, raw=False):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=10)
        # Certificate checked for huduma.example while connecting to 127.0.0.1.
        conn.sock = self.context.wrap_socket(
            socket.create_connection(("127.0.0.1", self.port), timeout=10),
            server_hostname=HOST,
        )
        headers = {"Host": HOST, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{HOST}",
                    "Referer": f"https://{HOST}{referer or path}",
                }
            )
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        body = response.read()
        text = body if raw else body.decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
            if "; secure" in header.lower():
                self.secure_cookies.add(name)
        conn.close()
        return response, text


def token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_sign_in_and_a_form_post_through_the_tls_proxy(tmp_path, nginx_binary):
    env = production_env(
        tmp_path,
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",  # 127.0.0.1: the health check on the machine
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
        SMS_BACKEND="memory",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # As the README's deployment steps do: hashed, pre-compressed copies under var/static.
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    # The Secretariat signs in with a password and then an authenticator code: two forms.
    create_staff = (
        "from huduma.accounts.models import User, Role; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        "sam = User.objects.create_user("
        "'sam', password='pw-sam-long-enough', role=Role.SECRETARIAT); "
        f"TOTPDevice.objects.create(user=sam, name='phone', confirmed=True, key='{TOTP_KEY}')"
    )
    subprocess.run([*manage, "shell", "-c", create_staff], cwd=ROOT, env=env, check=True)

    web_port, http_port, https_port = free_port(), free_port(), free_port()
    argv = [str(Path(sys.executable).parent / "granian"), *unit_exec_start(UNIT)[1:]]
    argv = with_option(argv, "--port", str(web_port))
    cert, key = self_signed_certificate(tmp_path)
    conf = nginx_config(
        tmp_path,
        http_port=http_port,
        https_port=https_port,
        upstream_port=web_port,
        cert=cert,
        key=key,
    )
    log = (tmp_path / "servers.log").open("w")
    servers = [
        subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen(
            [nginx_binary, "-p", str(tmp_path), "-c", str(conf)],
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
    ]
    try:
        assert wait_until(lambda: health(web_port), 30), "Granian did not start"
        browser = Browser(https_port, cert)
        assert wait_until(lambda: _answers(browser), 10), (tmp_path / "error.log").read_text()

        page, html = browser.request("GET", "/staff/sign-in/")
        assert page.status == 200
        _assert_compressed_and_cached(browser, html)
        # https as far as Django knows: HSTS, and the CSRF cookie is Secure.
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "csrftoken" in browser.secure_cookies

        signed_in, _ = browser.request(
            "POST",
            "/staff/sign-in/",
            {
                "csrfmiddlewaretoken": token(html),
                "username": "sam",
                "password": "pw-sam-long-enough",
            },
        )
        assert signed_in.status == 302, "staff sign-in refused behind the proxy"
        assert signed_in.headers["Location"] == "/staff/"
        assert "sessionid" in browser.secure_cookies
        # Until the authenticator code is given, staff pages send the Secretariat to that step.
        asked, _ = browser.request("GET", "/staff/")
        code_url = asked.headers["Location"]
        assert asked.status == 302 and code_url.startswith("/staff/sign-in/code/")
        page, html = browser.request("GET", code_url)
        assert page.status == 200
        code = f"{TOTP(bytes.fromhex(TOTP_KEY)).token():06d}"
        verified, _ = browser.request(
            "POST", code_url, {"csrfmiddlewaretoken": token(html), "code": code}, referer=code_url
        )
        assert verified.status == 302, "the authenticator code was refused behind the proxy"
        assert verified.headers["Location"] == "/staff/"

        home, html = browser.request("GET", "/staff/")
        assert home.status == 200 and "Sign out" in html
        signed_out, _ = browser.request(
            "POST", "/staff/sign-out/", {"csrfmiddlewaretoken": token(html)}, referer="/staff/"
        )
        assert signed_out.status == 302
        assert browser.request("GET", "/staff/")[0].status == 302  # back to the sign-in page

        # Plain http is sent to https by the proxy.
        conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
        conn.request("GET", "/staff/", headers={"Host": HOST})
        redirect = conn.getresponse()
        assert redirect.status == 301
        assert redirect.headers["Location"] == f"https://{HOST}/staff/"
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def _answers(browser: Browser) -> bool:
    try:
        return browser.request("GET", "/api/health")[0].status == 200
    except OSError:
        return False


def _assert_compressed_and_cached(browser: Browser, html: str) -> None:
    """Pages come gzipped from Django; the stylesheet they name is the hashed copy, sent by
    nginx from its .gz, cached for a year."""
    accept_gzip = {"Accept-Encoding": "gzip"}
    page, body = browser.request("GET", "/staff/sign-in/", headers=accept_gzip, raw=True)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "sign" in gzip.decompress(body).decode().lower()
    stylesheet = re.search(r'href="(/static/css/huduma\.[0-9a-f]{12}\.css)"', html).group(1)
    static, body = browser.request("GET", stylesheet, headers=accept_gzip, raw=True)
    assert static.status == 200
    assert static.headers["Content-Encoding"] == "gzip"
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b".header" in gzip.decompress(body)
    plain, body = browser.request("GET", stylesheet, raw=True)
    assert plain.headers.get("Content-Encoding") is None and b".header" in body

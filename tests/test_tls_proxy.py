"""Behind the TLS proxy: staff sign in and post forms (CSRF enforced), and the rate limits count
citizens, not the proxy; forwarded headers count only when the proxy is a trusted one."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from huduma.core.proxy import parse_networks, resolve_client
from huduma.queues.models import Visit

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"  # the TLS proxy, configured in TRUSTED_PROXIES
STRANGER = "203.0.113.9"  # a client connecting directly, not through the proxy
ORIGIN = "https://huduma.example"


@pytest.fixture
def behind_proxy(settings):
    settings.ALLOWED_HOSTS = ["huduma.example", "testserver"]
    settings.TRUSTED_PROXIES = ["10.0.0.0/29", "::1"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


def browser(peer: str, citizen: str = "198.51.100.7") -> Client:
    """A browser whose requests reach Django from `peer`, as the proxy forwards them."""
    return Client(
        enforce_csrf_checks=True,
        REMOTE_ADDR=peer,
        HTTP_HOST="huduma.example",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR=citizen,
        HTTP_ORIGIN=ORIGIN,
        HTTP_REFERER=ORIGIN + "/staff/sign-in/",
    )


def csrf_token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(client: Client, username: str):
    url = reverse("accounts:login")
    data = {"csrfmiddlewaretoken": csrf_token(client, url)}
    return client.post(url, {**data, "username": username, "password": "pw-" + username})


def test_staff_sign_in_and_a_form_post_through_the_proxy(behind_proxy, world, clock):
    client = browser(PROXY)
    signed_in = sign_in(client, "bob")
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("accounts:home")

    url = reverse("queues:reception", args=["gpo-nairobi"])
    token = csrf_token(client, url)
    step = {"csrfmiddlewaretoken": token, "services": [world.id_dup.pk], "language": "en"}
    html = client.post(url, step).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    issued = client.post(
        url, {**step, "confirm": "1", "idempotency_key": key, "requirements_confirmed": "yes"}
    )
    assert issued.status_code == 302
    assert Visit.objects.get().number == "A001"
    # Served over https as far as the browser knows: cookies are Secure, HSTS-able.
    assert client.cookies["sessionid"]["secure"]


def test_the_same_from_an_untrusted_peer_is_not_https(behind_proxy, world):
    client = browser(STRANGER)
    refused = sign_in(client, "bob")
    # Its X-Forwarded-Proto is ignored: the https Origin does not match an http request.
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session


def test_json_429_carries_retry_after(world, clock, real_cache):
    client = Client(REMOTE_ADDR="198.51.100.20")
    body = {"services": ["NHIF-REGISTRATION"], "requirements_confirmed": True}
    url = "/api/queues/centres/gpo-nairobi/join"
    responses = [
        client.post(url, {**body, "phone": f"07123456{n:02d}"}, content_type="application/json")
        for n in range(21)
    ]
    limited = responses[-1]
    assert limited.status_code == 429 and limited.json()["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0


def test_rate_limit_counts_two_citizens_behind_one_proxy_apart(
    behind_proxy, world, clock, real_cache
):
    first, second = browser(PROXY, "198.51.100.1"), browser(PROXY, "198.51.100.2")
    for client in (first, second):
        client.defaults["HTTP_REFERER"] = ORIGIN + "/queue/gpo-nairobi/join/"
    join = reverse("queues:join", args=["gpo-nairobi"])

    def post(client, n):
        data = {
            "csrfmiddlewaretoken": csrf_token(client, join),
            "service": world.nhif_reg.pk,
            "phone": f"07123456{n:02d}",
            "confirm": "1",
            "requirements_confirmed": "yes",
        }
        return client.post(join, data).status_code

    assert [post(first, n) for n in range(21)] == [302] * 20 + [429]
    # The proxy's address was not what was counted: the second citizen still gets in.
    assert post(second, 50) == 302


def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(
    behind_proxy, world, clock, real_cache
):
    url = "/api/queues/centres/gpo-nairobi/join"
    codes = []
    for n in range(21):
        # A script connecting directly, claiming to be a new citizen every time.
        client = Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        body = {
            "services": ["NHIF-REGISTRATION"],
            "phone": f"07123456{n:02d}",
            "requirements_confirmed": True,
        }
        codes.append(client.post(url, body, content_type="application/json").status_code)
    assert codes == [201] * 20 + [429]


NETWORKS = parse_networks(["10.0.0.0/29", "::1"])


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("10.0.0.5", "198.51.100.1", "198.51.100.1"),
        # The client's own (forged) entries are on the left; the proxy appended the real one.
        ("10.0.0.5", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Two trusted proxies in a chain are both skipped.
        ("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        # An untrusted peer's header means nothing.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # A trusted proxy that sent no header: the proxy is the client (a health check).
        ("10.0.0.5", "", "10.0.0.5"),
        # Garbage where an address should be: keep the last address we can vouch for.
        ("10.0.0.5", "198.51.100.1, not-an-ip", "10.0.0.5"),
    ],
)
def test_client_address_walks_the_header_from_the_right(peer, header, client):
    assert resolve_client(peer, header, NETWORKS) == client


def test_a_bad_trusted_proxy_fails_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="not an IP address or network"):
        parse_networks(["10.0.0.5", "proxy.internal"])

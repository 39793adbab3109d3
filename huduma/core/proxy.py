"""The client's address and scheme behind a TLS proxy, trusted only from configured proxies.

A proxy says who the client is (X-Forwarded-For) and whether it spoke https (X-Forwarded-Proto).
Anyone can send those headers, so they count only when the peer that connected to us is one of
settings.TRUSTED_PROXIES; from anyone else they are dropped before any other code sees them.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers only a trusted proxy may set (as WSGI environ keys).
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")


def parse_networks(values) -> tuple[Network, ...]:
    """'10.0.0.5', '10.0.0.0/8', '::1' -> networks; a bad value fails at start-up."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or network"
            ) from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve_client(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The first address, from the right, that is not a trusted proxy.

    Each proxy appends the address it received the request from, so the right-hand end of the
    list was written by our proxies and the left-hand end by the client (and may be forged).
    """
    current = peer
    if not is_trusted(_ip(peer), networks):
        return peer
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        address = _ip(hop)
        if address is None:
            # Garbage where a trusted proxy should have written an address: keep the last
            # address we can vouch for rather than a value the client may choose.
            return current
        current = str(address)
        if not is_trusted(address, networks):
            return current
    return current


class TrustedProxyMiddleware:
    """First in MIDDLEWARE: REMOTE_ADDR becomes the client's address; proxy headers from
    untrusted peers are removed, so request.is_secure() (SECURE_PROXY_SSL_HEADER), CSRF and
    the rate limits all see the same, honest picture."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        networks = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
        peer = meta.get("REMOTE_ADDR", "")
        if networks and is_trusted(_ip(peer), networks):
            meta["REMOTE_ADDR"] = resolve_client(
                peer, meta.get("HTTP_X_FORWARDED_FOR", ""), networks
            )
        else:
            for header in PROXY_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)

"""Open311 clients: their API keys (only a hash is kept), rekeying, and the demo's key."""

import secrets

from huduma.complaints.models import (
    ApiClient,
)
from huduma.complaints.records import _sha


def _key_hash(key: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return _sha(key)


def new_api_key() -> tuple[str, str, str]:
    """(key, prefix shown in the admin, hash stored)."""
    key = "o311_" + secrets.token_urlsafe(32)
    return key, key[5:13], _key_hash(key)


def api_client_create(*, name: str) -> tuple[ApiClient, str]:
    """A new Open311 client and its key. Only the hash is stored: show the key once."""
    key, prefix, digest = new_api_key()
    client = ApiClient.objects.create(name=name, key_prefix=prefix, key_hash=digest)
    return client, key


def api_client_rekey(*, client: ApiClient) -> str:
    key, prefix, digest = new_api_key()
    client.key_prefix, client.key_hash, client.revoked_at = prefix, digest, None
    client.save(update_fields=["key_prefix", "key_hash", "revoked_at"])
    return key


def api_client_for_key(key: str) -> ApiClient | None:
    """The active client holding this key, or None (unknown or revoked)."""
    if not key or len(key) > 200:
        return None
    return ApiClient.objects.filter(key_hash=_key_hash(key), revoked_at__isnull=True).first()


def open311_demo_key() -> str:
    """A fresh key for the demo's Open311 client (created on first use). Demo only."""
    client = ApiClient.objects.filter(name="Demo civic app").first()
    if client is None:
        return api_client_create(name="Demo civic app")[1]
    return api_client_rekey(client=client)


def open311_demo_lines() -> list[str]:
    """The demo's Open311 line (`load_demo`): a fresh key on every run (only its hash is
    stored, so the old one cannot be shown)."""
    return [f"Open311 API key: {open311_demo_key()}"]

"""The platform's Ed25519 signing keys: the current one signs receipts and chain checkpoints,
the published key set checks them.

The private key never lives in the database (an insider with database access must not be able
to sign). It comes from HUDUMA_SIGNING_KEY (PEM text) or the file HUDUMA_SIGNING_KEY_FILE; the
demo and the tests generate one under var/ the first time, as they do for SECRET_KEY.

Every key has an id (the first 16 hex digits of the SHA-256 of its raw public key), written in
each receipt and checkpoint it signs. The key set (HUDUMA_SIGNING_KEYSET_FILE, JSON, public) lists
every key ever used with its validity: `not_after` when it was rotated out, `revoked_at` when it
leaked. Verifying needs only this set, never the private key (`load_key_set`).
"""

import datetime as dt
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _may_generate() -> bool:
    return bool(
        settings.DEBUG or getattr(settings, "DEMO", False) or os.environ.get("HUDUMA_TESTING")
    )


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed: a reader never sees half a key.
    partial = path.with_name(path.name + ".new")
    partial.write_bytes(private_pem(key))
    partial.chmod(0o600)
    partial.replace(path)


def signing_key_configured() -> bool:
    """A key is given (text or an existing file): production refuses to start without one."""
    return (
        bool(getattr(settings, "HUDUMA_SIGNING_KEY", ""))
        or Path(settings.HUDUMA_SIGNING_KEY_FILE).exists()
    )


@functools.cache
def private_key() -> Ed25519PrivateKey:
    pem = getattr(settings, "HUDUMA_SIGNING_KEY", "")
    if not pem:
        path = Path(settings.HUDUMA_SIGNING_KEY_FILE)
        if not path.exists():
            if not _may_generate():
                raise ImproperlyConfigured(
                    "Set HUDUMA_SIGNING_KEY or HUDUMA_SIGNING_KEY_FILE (an Ed25519 private key)"
                )
            write_private_key(path, Ed25519PrivateKey.generate())
        pem = path.read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("the signing key must be an Ed25519 private key")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def current_key_id() -> str:
    return key_id(public_key())


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def public_key_pem() -> str:
    return public_pem(public_key())


def sign(data: bytes) -> bytes:
    return private_key().sign(data)


# --- The key set ---------------------------------------------------------------------------


def _time_text(moment: dt.datetime | None) -> str | None:
    # To the microsecond: a checkpoint signed a moment before the rotation is inside the period.
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class PublishedKey:
    """One key of the set: it signed from `not_before` until `not_after` (rotated out) or
    `revoked_at` (leaked: anything it signed for a later moment is refused)."""

    kid: str
    public_key: Ed25519PublicKey
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    def as_dict(self) -> dict:
        return {
            "kid": self.kid,
            "alg": "Ed25519",
            "public_key": public_pem(self.public_key),
            "not_before": _time_text(self.not_before),
            "not_after": _time_text(self.not_after),
            "revoked_at": _time_text(self.revoked_at),
        }

    def valid_at(self, moment: dt.datetime | None) -> bool:
        """Whether a signature of this key for `moment` may be trusted. Only the end counts: a
        payment taken offline is signed when it reaches the server, after the moment it states."""
        if moment is None:
            return self.revoked_at is None
        end = self.revoked_at or self.not_after
        return end is None or moment <= end

    def verifies(self, signature: bytes, data: bytes) -> bool:
        try:
            self.public_key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def load_key_set(data: dict | str | bytes) -> dict[str, PublishedKey]:
    """The keys of a published key set (the JSON of /receipts/keys.json), by id."""
    if not isinstance(data, dict):
        data = json.loads(data)
    keys = {}
    for item in data.get("keys", []):
        public = serialization.load_pem_public_key(item["public_key"].encode())
        if not isinstance(public, Ed25519PublicKey):
            raise TypeError("a key of the set is not an Ed25519 public key")
        kid = key_id(public)
        if item.get("kid") not in (None, kid):
            raise ValueError(f"key id {item.get('kid')} does not match its key")
        keys[kid] = PublishedKey(
            kid=kid,
            public_key=public,
            not_before=_time(item.get("not_before")),
            not_after=_time(item.get("not_after")),
            revoked_at=_time(item.get("revoked_at")),
        )
    return keys


def _keyset_path() -> Path:
    return Path(settings.HUDUMA_SIGNING_KEYSET_FILE)


def _stored_key_set() -> dict[str, PublishedKey]:
    path = _keyset_path()
    return load_key_set(path.read_text()) if path.exists() else {}


def key_set() -> dict[str, PublishedKey]:
    """Every key this installation ever signed with: the key-set file, plus the current key."""
    keys = _stored_key_set()
    current = current_key_id()
    if current not in keys:
        keys[current] = PublishedKey(kid=current, public_key=public_key())
    return keys


def key_set_document(keys: dict[str, PublishedKey] | None = None) -> dict:
    keys = key_set() if keys is None else keys
    return {"current": current_key_id(), "keys": [k.as_dict() for k in keys.values()]}


def save_key_set(keys: dict[str, PublishedKey]) -> None:
    path = _keyset_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".new")
    partial.write_text(
        json.dumps({"keys": [k.as_dict() for k in keys.values()]}, indent=2, sort_keys=True) + "\n"
    )
    partial.replace(path)


def rotate(*, now: dt.datetime) -> tuple[str, str]:
    """Retire the current key (kept in the set, valid until now) and start signing with a new
    one; the old private key is overwritten. Returns (old id, new id)."""
    if getattr(settings, "HUDUMA_SIGNING_KEY", ""):
        raise ImproperlyConfigured(
            "The key is given as HUDUMA_SIGNING_KEY text: use HUDUMA_SIGNING_KEY_FILE to rotate"
        )
    keys = key_set()
    old = current_key_id()
    keys[old] = PublishedKey(
        kid=old,
        public_key=keys[old].public_key,
        not_before=keys[old].not_before,
        not_after=now,
        revoked_at=keys[old].revoked_at,
    )
    new_key = Ed25519PrivateKey.generate()
    new = key_id(new_key.public_key())
    keys[new] = PublishedKey(kid=new, public_key=new_key.public_key(), not_before=now)
    # The set first: if writing the key fails, the old key still signs and is still listed.
    save_key_set(keys)
    write_private_key(Path(settings.HUDUMA_SIGNING_KEY_FILE), new_key)
    private_key.cache_clear()
    return old, new


def revoke(*, kid: str, at: dt.datetime) -> None:
    """Mark a leaked key: its signatures for any moment after `at` are refused."""
    keys = key_set()
    if kid not in keys:
        raise KeyError(kid)
    key = keys[kid]
    keys[kid] = PublishedKey(
        kid=kid,
        public_key=key.public_key,
        not_before=key.not_before,
        not_after=key.not_after or at,
        revoked_at=at,
    )
    save_key_set(keys)

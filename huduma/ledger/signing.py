"""The platform's Ed25519 signing key: signs receipts and chain checkpoints.

The key never lives in the database (an insider with database access must not be able to sign).
It comes from HUDUMA_SIGNING_KEY (PEM text) or the file HUDUMA_SIGNING_KEY_FILE; the demo and
the tests generate one under var/ the first time, as they do for SECRET_KEY.
"""

import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _may_generate() -> bool:
    return bool(
        settings.DEBUG or getattr(settings, "DEMO", False) or os.environ.get("HUDUMA_TESTING")
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
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            path.chmod(0o600)
        pem = path.read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("the signing key must be an Ed25519 private key")
    return key


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(data: bytes) -> bytes:
    return private_key().sign(data)

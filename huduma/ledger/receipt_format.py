"""The offline receipt format: what the QR code carries, checkable with the public key alone.

This module needs only the `cryptography` package (no Django, no database), so anyone holding
the published key set (or one public key) can check a receipt on a machine with no network:

    python -m huduma.ledger.receipt_format keys.json "HR2|3f9c...|HR-...|100.00|..."

The text is `HR2|key id|number|amount|service code|MDA code|centre code|paid at (ISO 8601, UTC)|
signature` where the signature is Ed25519 over everything before the last `|`, in URL-safe base64
without padding. The key id names the key of the set that signed it, so receipts stay checkable
after the key is rotated. Receipts made before key ids (`HR1|number|...`) are still read. The QR
may hold the text alone or as the `code` parameter of the verification page's address.
"""

import base64
import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

PREFIX = "HR2"
LEGACY_PREFIX = "HR1"
FIELDS = ("number", "amount", "service", "mda", "centre", "paid_at")


class BadReceipt(ValueError):
    """The text is not a receipt, or its signature does not match its details."""


@dataclass(frozen=True)
class ReceiptDetails:
    number: str
    amount: str
    service: str
    mda: str
    centre: str
    paid_at: str
    # Which key of the published set signed it ("" for a receipt made before key ids). Not part
    # of the payment's details: a receipt re-signed by another key is the same receipt.
    key_id: str = field(default="", compare=False)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed_part(details: ReceiptDetails) -> str:
    values = [getattr(details, name) for name in FIELDS]
    head = [PREFIX, details.key_id] if details.key_id else [LEGACY_PREFIX]
    for value in [*head, *values]:
        if "|" in value:
            raise ValueError("a receipt field may not contain '|'")
    return "|".join([*head, *values])


def encode(details: ReceiptDetails, signature: bytes) -> str:
    return f"{signed_part(details)}|{b64(signature)}"


def extract(text: str) -> str:
    """The receipt text, whether given alone or inside the verification page's address."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        codes = parse_qs(urlsplit(text).query).get("code")
        if not codes:
            raise BadReceipt("no receipt code in this address")
        text = codes[0]
    return text


def decode(text: str) -> tuple[ReceiptDetails, bytes]:
    parts = extract(text).split("|")
    if len(parts) == len(FIELDS) + 3 and parts[0] == PREFIX and parts[1]:
        kid, parts = parts[1], [parts[0], *parts[2:]]
    elif len(parts) == len(FIELDS) + 2 and parts[0] == LEGACY_PREFIX:
        kid = ""
    else:
        raise BadReceipt("not a Huduma receipt code")
    try:
        signature = unb64(parts[-1])
    except ValueError as exc:
        raise BadReceipt("the signature is not readable") from exc
    return ReceiptDetails(*parts[1:-1], key_id=kid), signature


def _paid_at(details: ReceiptDetails) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(details.paid_at)
    except ValueError:
        return None


def verify(text: str, keys) -> ReceiptDetails:
    """The receipt's details if the signature holds; BadReceipt if anything was altered.

    `keys` is the published key set (`signing.load_key_set`: id -> key with its validity) or a
    single public key. With the set, the receipt's key must be in it, and a key revoked (or
    retired) before the receipt's payment time does not vouch for it."""
    details, signature = decode(text)
    data = signed_part(details).encode()
    if isinstance(keys, Ed25519PublicKey):
        try:
            keys.verify(signature, data)
        except InvalidSignature as exc:
            raise BadReceipt(
                "the signature does not match these details: altered or forged"
            ) from exc
        return details
    candidates = [keys[details.key_id]] if details.key_id in keys else []
    if not details.key_id:
        candidates = list(keys.values())
    if not candidates:
        raise BadReceipt("signed by a key this installation never published")
    for key in candidates:
        if key.verifies(signature, data):
            if not key.valid_at(_paid_at(details)):
                raise BadReceipt(
                    f"signed by key {key.kid}, which was revoked or retired before this payment"
                )
            return details
    raise BadReceipt("the signature does not match these details: altered or forged")


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError("not an Ed25519 public key")
    return key


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m huduma.ledger.receipt_format KEYS.json|PUBLIC_KEY.pem RECEIPT_CODE")
        return 2
    with open(argv[0], "rb") as handle:
        raw = handle.read()
    if raw.lstrip().startswith(b"{"):
        # signing.py reads the set; imported here so the PEM path needs no Django at all.
        from huduma.ledger.signing import load_key_set

        key = load_key_set(json.loads(raw))
    else:
        key = load_public_key(raw)
    try:
        details = verify(argv[1], key)
    except BadReceipt as exc:
        print(f"INVALID: {exc}")
        return 1
    print("VALID receipt")
    for name in FIELDS:
        print(f"  {name}: {getattr(details, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

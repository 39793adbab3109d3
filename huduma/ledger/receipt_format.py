"""The offline receipt format: what the QR code carries, checkable with the public key alone.

This module needs only the `cryptography` package (no Django, no database), so anyone holding
the published public key can check a receipt on a machine with no network:

    python -m huduma.ledger.receipt_format public-key.pem "HR1|HR-...|100.00|..."

The text is `HR1|number|amount|service code|MDA code|centre code|paid at (ISO 8601, UTC)|signature`
where the signature is Ed25519 over everything before the last `|`, in URL-safe base64 without
padding. The QR may hold it alone or as the `code` parameter of the verification page's address.
"""

import base64
import sys
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

PREFIX = "HR1"
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


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed_part(details: ReceiptDetails) -> str:
    values = [getattr(details, name) for name in FIELDS]
    for value in values:
        if "|" in value:
            raise ValueError("a receipt field may not contain '|'")
    return "|".join([PREFIX, *values])


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
    if len(parts) != len(FIELDS) + 2 or parts[0] != PREFIX:
        raise BadReceipt("not a Huduma receipt code")
    try:
        signature = unb64(parts[-1])
    except ValueError as exc:
        raise BadReceipt("the signature is not readable") from exc
    return ReceiptDetails(*parts[1:-1]), signature


def verify(text: str, public_key: Ed25519PublicKey) -> ReceiptDetails:
    """The receipt's details if the signature holds; BadReceipt if anything was altered."""
    details, signature = decode(text)
    try:
        public_key.verify(signature, signed_part(details).encode())
    except InvalidSignature as exc:
        raise BadReceipt("the signature does not match these details: altered or forged") from exc
    return details


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError("not an Ed25519 public key")
    return key


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m huduma.ledger.receipt_format PUBLIC_KEY.pem RECEIPT_CODE")
        return 2
    with open(argv[0], "rb") as handle:
        key = load_public_key(handle.read())
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

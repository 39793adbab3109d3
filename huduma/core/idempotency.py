"""The one idempotency rule: a key a client sends so that a repeated request (a double click,
a retry after a lost answer) gets the first answer instead of a second ticket, payment or
complaint; the same key with a different request is refused (409) naming what differs.

- `key_checked(key)`: None when absent, else 1 to 80 visible ASCII characters (no spaces), or
  an `InvalidIdempotencyKey` (400) naming the field.
- `signature(**parts)`: what was asked, stored beside the key ("part|part|..."), in the order
  given; `replay_check(stored, asked, parts)` raises `IdempotencyMismatch` unless they match,
  naming the first part that differs. A long part (a complaint's text) is stored as its hash
  (`digest`), so the signature fits its column.

Where a key belongs (a staff user's keys are theirs, an anonymous channel's its phone's) is
each app's scope rule (queues.services.idempotency_scope, complaints' _scope); a unique
constraint on (scope, key) makes the first insert win a race, and the loser reads the winner.
"""

import hashlib
import re
from collections.abc import Sequence

from django.utils.translation import gettext as _

from huduma.core.errors import Conflict, DomainError

KEY = re.compile(r"[\x21-\x7e]{1,80}")
SEPARATOR = "|"


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"


class IdempotencyMismatch(Conflict):
    code = "idempotency_mismatch"


def key_checked(key: str | None, *, field: str = "idempotency_key") -> str | None:
    """None when absent, else the key if it is 1 to 80 visible ASCII characters."""
    if key is None:
        return None
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise InvalidIdempotencyKey(
            _("An idempotency key is 1 to 80 visible ASCII characters (no spaces)."), field=field
        )
    return key


def digest(value: object) -> str:
    """A part too long to store as it is: its SHA-256, 16 hex characters."""
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]


def signature(**parts: object) -> str:
    """What was asked, part by part in the order given (None as empty)."""
    return SEPARATOR.join(
        "" if v is None else str(v).replace(SEPARATOR, "/") for v in parts.values()
    )


def replay_check(
    stored: str, asked: str, *, parts: Sequence[str] = (), field: str = "idempotency_key"
) -> None:
    """Nothing when the request repeats the stored one; else IdempotencyMismatch, naming the
    first part that differs when `parts` names them."""
    if stored == asked:
        return
    before = dict(zip(parts, stored.split(SEPARATOR), strict=False))
    now = dict(zip(parts, asked.split(SEPARATOR), strict=False))
    differing = next((p for p in parts if before.get(p) != now.get(p)), None)
    if differing is None:
        raise IdempotencyMismatch(
            _("This idempotency key was already used for a different request."), field=field
        )
    raise IdempotencyMismatch(
        _("This idempotency key was already used for a different request (the %(part)s differ).")
        % {"part": differing},
        field=field,
    )

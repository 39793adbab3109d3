"""Named locks: the one way a verb serialises writers on something no row stands for (a
citizen's tickets today, an Idempotency-Key not yet stored, the head of the audit chain).

    with transaction.atomic():
        lock_names(f"queues.citizen:{centre.pk}|{day}|{phone}")
        ... count, then insert ...

- Held until the transaction ends (commit or rollback); call it inside `transaction.atomic()`.
- Several names are taken sorted (and each once), so two verbs locking the same names in
  another order cannot deadlock each other.
- A wait longer than `timeout` seconds (settings.HUDUMA_LOCK_TIMEOUT_S, 5 by default) is a
  `LockTimeout`: a DomainError answered 503 with a message, never a request left hanging.

PostgreSQL: one transaction-level advisory lock per name (a 64-bit key from the name's
SHA-256: a collision only makes two names wait for each other), waited for under a local
`lock_timeout` inside a savepoint, so that a timeout leaves the caller's transaction usable.

SQLite (demo, field kits): every write transaction begins IMMEDIATE (settings), which takes the
database's one write lock before the first statement, so the transaction already holds every
name; `lock_names` only checks it is in one. The equivalent of the timeout is the connection's
`timeout` OPTION (20 s): a writer waiting longer gets "database is locked", an OperationalError
the outage middleware answers with a 503 (core/outage.py).
"""

import hashlib

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from huduma.core.errors import DomainError

DEFAULT_TIMEOUT_S = 5.0
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait


class LockTimeout(DomainError):
    status = 503
    code = "busy"


def lock_key(name: str) -> int:
    """The advisory lock key of a name: the first 8 bytes of its SHA-256, signed."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_names(*names: str, timeout: float | None = None) -> None:
    """Hold the named locks until the transaction ends, or raise LockTimeout."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_names() holds its locks until commit: call it in a transaction")
    if connection.vendor != "postgresql" or not names:
        return
    if timeout is None:
        timeout = getattr(settings, "HUDUMA_LOCK_TIMEOUT_S", DEFAULT_TIMEOUT_S)
    keys = sorted({lock_key(name) for name in names})
    with connection.cursor() as cursor:
        for key in keys:
            # Free (the usual case): one round trip. Held: wait in PostgreSQL's queue.
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
            if not cursor.fetchone()[0]:
                _wait(cursor, key, timeout)


def _wait(cursor, key: int, timeout: float) -> None:
    cursor.execute(
        "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
        [f"{max(1, int(timeout * 1000))}ms"],
    )
    previous = cursor.fetchone()[0]
    try:
        with transaction.atomic():  # a savepoint: a timeout rolls back only to here
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        raise LockTimeout(_("This is busy right now. Please try again in a moment.")) from exc
    finally:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])

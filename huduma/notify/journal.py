"""What the SMS provider accepted, written to local disk before anything else can fail.

Africa's Talking's SMS API takes no idempotency key, so a message the provider accepted must
never be handed to it again. The outcome is normally recorded in the database at once; when
the database is cut at that moment, the worker's lease runs out and the sweep would send the
message again (one SMS in 461 was sent twice). So the accept is first written here, one small
file per message (fsync'd), and removed once the database has it: a message found here is
recorded as sent, not sent again. One worker per installation (README) keeps it on one disk.
"""

import json
import os
from pathlib import Path

from django.conf import settings


def _folder() -> Path:
    folder = Path(settings.SMS_SENT_JOURNAL_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(message_id) -> Path:
    return _folder() / f"{message_id}.json"


def accepted_write(message_id, *, provider: str, provider_message_id: str) -> None:
    path = _path(message_id)
    partial = path.with_suffix(".part")
    with open(partial, "w", encoding="utf-8") as fh:
        json.dump({"provider": provider, "provider_message_id": provider_message_id}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, path)


def accepted_read(message_id) -> dict | None:
    try:
        return json.loads(_path(message_id).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def accepted_forget(message_id) -> None:
    _path(message_id).unlink(missing_ok=True)

"""Start-up checks: production refuses to run without tamper evidence.

Without a signing key nothing can be signed; without a checkpoint sink outside the database and
a witness outside the installation, a database administrator can rewrite the ledger and the
audit log unseen. Skipped in debug, the demo, the tests and on a field kit (which signs nothing).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from huduma.core.startup import START_TAG
from huduma.ledger import signing


def _production() -> bool:
    return not (
        settings.DEBUG
        or getattr(settings, "DEMO", False)
        or os.environ.get("HUDUMA_TESTING")
        or getattr(settings, "HUDUMA_MODE", "centre") == "field"
    )


# A deployment check tagged START_TAG: `check --deploy` reports it and huduma/wsgi.py refuses to
# serve on it (as the payment providers' check does).
@register(START_TAG, deploy=True)
def tamper_evidence_check(app_configs=None, **kwargs) -> list[Error]:
    if not _production():
        return []
    errors = []
    if not signing.signing_key_configured():
        errors.append(
            Error(
                f"No signing key: set HUDUMA_SIGNING_KEY_FILE to an Ed25519 private key "
                f"(none at {settings.HUDUMA_SIGNING_KEY_FILE}).",
                hint="Create it with `manage.py rotate_signing_key` (README: Production set-up).",
                id="huduma.ledger.E001",
            )
        )
    else:
        try:
            signing.private_key()
        except (ValueError, TypeError, OSError) as exc:
            errors.append(Error(f"The signing key cannot be read: {exc}", id="huduma.ledger.E002"))
    sink = settings.HUDUMA_CHECKPOINT_SINK_FILE
    if not sink:
        errors.append(
            Error(
                "No checkpoint sink: set HUDUMA_CHECKPOINT_SINK_FILE to a file outside the "
                "database (another volume).",
                id="huduma.ledger.E003",
            )
        )
    else:
        folder = Path(sink).parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            errors.append(
                Error(
                    f"The checkpoint sink's folder {folder} does not exist or is not writable.",
                    hint="Create it, owned by the huduma user, and list it in the units' "
                    "ReadWritePaths.",
                    id="huduma.ledger.E004",
                )
            )
    if not (settings.HUDUMA_CHECKPOINT_EMAIL or settings.HUDUMA_CHECKPOINT_WITNESS_URL):
        errors.append(
            Error(
                "No checkpoint witness outside the installation: set "
                "HUDUMA_CHECKPOINT_WITNESS_URL and/or HUDUMA_CHECKPOINT_EMAIL=1.",
                id="huduma.ledger.E005",
            )
        )
    return errors

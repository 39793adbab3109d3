"""Rotate the platform's signing key, or revoke a leaked one (README: Signing keys)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from huduma.core import clock
from huduma.ledger import signing


class Command(BaseCommand):
    help = (
        "Start signing with a new key; the old one stays in the key set (keys.json), valid for "
        "what it signed until now. --revoke KID marks a leaked key: whatever it signed for a "
        "moment after --at (default now) is refused. Revoking the current key rotates first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--revoke", metavar="KID", help="the id of a leaked key")
        parser.add_argument(
            "--at",
            metavar="ISO8601",
            help="when the key leaked (default now); its signatures for later moments fail",
        )

    def handle(self, *args, **options):
        now = clock.now()
        at = now
        if options["at"]:
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at is not an ISO 8601 time: {options['at']}") from exc
            if at.tzinfo is None:
                raise CommandError("--at must carry its time zone (e.g. +03:00 or Z)")
        kid = options["revoke"]
        if kid is None or kid == signing.current_key_id():
            old, new = signing.rotate(now=now)
            self.stdout.write(f"Rotated: {old} retired, {new} signs from now.")
        if kid is not None:
            try:
                signing.revoke(kid=kid, at=at)
            except KeyError as exc:
                raise CommandError(f"No key {kid} in the key set") from exc
            self.stdout.write(f"Revoked {kid} from {at.isoformat()}.")
        self.stdout.write(
            "Restart the web server and the worker so that they sign with the new key; the "
            "key set at /receipts/keys.json lists every key."
        )

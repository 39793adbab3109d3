"""Sign the heads of the audit and ledger chains now (the periodic task does it every minute)."""

from django.core.management.base import BaseCommand, CommandError

from huduma.ledger.checkpoints import CheckpointNotSent, checkpoint_take
from huduma.ledger.models import Checkpoint


class Command(BaseCommand):
    help = "Checkpoint the audit and ledger chains: sign their heads and send them outside."

    def add_arguments(self, parser):
        parser.add_argument("--day-close", action="store_true", help="mark as the day's close")

    def handle(self, *args, **options):
        kind = Checkpoint.Kind.DAY_CLOSE if options["day_close"] else Checkpoint.Kind.INTERVAL
        try:
            made = checkpoint_take(kind=kind)
        except CheckpointNotSent as exc:
            # Stored and signed, but not outside: a non-zero exit (the monitors were told).
            raise CommandError(f"Checkpoints stored but not sent outside: {exc}") from exc
        for checkpoint in made:
            self.stdout.write(f"{checkpoint.chain}: entry {checkpoint.position} {checkpoint.hash}")

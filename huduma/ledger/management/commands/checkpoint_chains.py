"""Sign the heads of the audit and ledger chains now (the periodic task does it regularly)."""

from django.core.management.base import BaseCommand

from huduma.ledger.checkpoints import checkpoint_take
from huduma.ledger.models import Checkpoint


class Command(BaseCommand):
    help = "Checkpoint the audit and ledger chains: sign their heads and send them to the sinks."

    def add_arguments(self, parser):
        parser.add_argument("--day-close", action="store_true", help="mark as the day's close")

    def handle(self, *args, **options):
        kind = Checkpoint.Kind.DAY_CLOSE if options["day_close"] else Checkpoint.Kind.INTERVAL
        for checkpoint in checkpoint_take(kind=kind):
            self.stdout.write(f"{checkpoint.chain}: entry {checkpoint.position} {checkpoint.hash}")

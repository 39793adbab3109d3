"""manage.py rollup_rebuild --from 2026-01-01 --to 2026-01-31: recompute every rollup of those
days from the apps' rows (after a restore, a change of a service's MDA, or a doubt)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from huduma.core import clock
from huduma.insights import rollups


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Recompute the dashboard's rollups for a range of days (default: today)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="last day, YYYY-MM-DD")
        parser.add_argument(
            "--kind",
            action="append",
            choices=sorted(rollups.ROLLUPS),
            help="only these rollups (q tickets, r revenue, a applications, c complaints)",
        )

    def handle(self, *args, first=None, last=None, kind=None, **options):
        today = clock.local_date()
        first = _date(first) if first else today
        last = _date(last) if last else first
        if last < first:
            raise CommandError("--to is before --from")
        rollups.rebuild(first, last, kinds=kind)
        self.stdout.write(f"rollups rebuilt from {first} to {last}")

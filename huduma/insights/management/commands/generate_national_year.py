"""manage.py generate_national_year --tickets 20000000 --seed 1: a year of national volume for
the scale bench (PostgreSQL only; see huduma/insights/national_year.py for its shape)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from huduma.insights import national_year


class Command(BaseCommand):
    help = "Write a year of national volume (tickets, ratings, applications, payments) by COPY."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=2_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--centres", type=int, default=national_year.CENTRES)
        parser.add_argument("--no-rollups", action="store_true", help="skip filling the rollups")

    def handle(self, *args, tickets, seed, year, centres, no_rollups, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_national_year needs PostgreSQL (it writes with COPY)")
        if tickets < 1:
            raise CommandError("--tickets must be at least 1")
        started = time.monotonic()

        def progress(day, counts):
            self.stdout.write(
                f"  {day}: {counts.tickets} tickets ({time.monotonic() - started:.0f} s)"
            )

        counts = national_year.generate(
            tickets=tickets, seed=seed, year=year, centres_wanted=centres, progress=progress
        )
        written = time.monotonic() - started
        self.stdout.write(
            f"written: {counts.tickets} tickets, {counts.ratings} ratings, "
            f"{counts.applications} applications, {counts.entries} ledger entries, "
            f"{counts.complaints} complaints over {counts.days} days in {written:.0f} s"
        )
        if not no_rollups:
            national_year.fill_rollups(
                year, progress=lambda m: self.stdout.write(f"  rollups {m:%Y-%m}")
            )
            self.stdout.write(f"rollups filled in {time.monotonic() - started - written:.0f} s")

"""Load or update counties, centres, MDAs, services and articles from huduma/data."""

from django.core.management.base import BaseCommand, CommandError

from huduma.catalogue.loader import DataFileError, load_reference_data


class Command(BaseCommand):
    help = "Load the national reference data (safe to re-run: updates in place)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-boundaries", action="store_true", help="Skip the county boundary polygons."
        )

    def handle(self, *args, **options):
        try:
            report = load_reference_data(with_boundaries=not options["no_boundaries"])
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {report}."))

"""Rebuild the catalogue's search index for every service (after an upgrade, or a bulk edit
made outside the admin): the search reads only the index."""

from django.core.management.base import BaseCommand

from huduma.catalogue.models import Service
from huduma.catalogue.services import services_refresh_search

BATCH = 500


class Command(BaseCommand):
    help = "Rebuild the search index of every service (safe to re-run)."

    def handle(self, *args, **options):
        ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = list(
                Service.objects.filter(pk__in=ids[start : start + BATCH]).select_related("mda")
            )
            services_refresh_search(services=batch)
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt for {len(ids)} services."))

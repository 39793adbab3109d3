"""Catalogue search latency: p50/p95 over 1,000 queries against 2,000 services on PostgreSQL.

Each query runs the real selector and fetches the first page of 20 results, as the API does.
"""

import random
import statistics
import time

import django

django.setup()

from django.db import connection, transaction

from huduma.catalogue.loader import load_reference_data
from huduma.catalogue.models import Service
from huduma.catalogue.selectors import ServiceFilters, services_search
from huduma.catalogue.services import service_refresh_search

TARGET_SERVICES = 2000
QUERIES = 1000
SEED = 20261124
WORDS = [
    "lost id",
    "kitambulisho",
    "kitambulsho",
    "birth certficate",
    "cheti cha kuzaliwa",
    "nhif",
    "bima ya afya",
    "kra pin",
    "tax returns",
    "police clearence",
    "good conduct",
    "driving licence",
    "leseni ya udereva",
    "helb loan",
    "mkopo",
    "business name search",
    "jina la biashara",
    "pension",
    "pensheni",
    "self help group",
    "nssf statement",
    "voter registration",
    "women fund",
    "youth fund",
    "uwezo",
    "marriage",
    "death certificate",
    "abstract",
    "agpo",
    "film licence",
    "stamp duty",
    "parking",
    "replacing identity card",
]


def grow_catalogue(rng: random.Random) -> None:
    """Synthesise variants of the real services until there are TARGET_SERVICES."""
    base = list(Service.objects.select_related("mda"))
    n = Service.objects.count()
    regions = ["Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Nyeri", "Garissa", "Kitui"]
    with transaction.atomic():
        while n < TARGET_SERVICES:
            src = rng.choice(base)
            n += 1
            region = rng.choice(regions)
            clone = Service.objects.create(
                code=f"BENCH-{n:05d}",
                mda=src.mda,
                group=src.group,
                name_en=f"{src.name_en} ({region} variant {n})",
                name_sw=f"{src.name_sw} ({region} {n})",
                description_en=src.description_en,
                description_sw=src.description_sw,
                keywords_en=src.keywords_en,
                keywords_sw=src.keywords_sw,
                fee_kes=src.fee_kes,
                turnaround_days=src.turnaround_days,
                needs_documents=False,
            )
            service_refresh_search(service=clone)


def main() -> None:
    if connection.vendor != "postgresql":
        print("catalogue search bench: needs PostgreSQL (set DATABASE_URL); skipped")
        return
    rng = random.Random(SEED)
    load_reference_data(with_boundaries=False)
    grow_catalogue(rng)
    count = Service.objects.count()
    timings = []
    for _ in range(50):  # warm-up
        list(services_search(ServiceFilters(q=rng.choice(WORDS)))[:20])
    for _ in range(QUERIES):
        query = rng.choice(WORDS)
        start = time.perf_counter()
        list(services_search(ServiceFilters(q=query))[:20])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"catalogue search: {QUERIES} queries over {count} services, seed {SEED}")
    print(f"bench: catalogue.search_p50_ms {p50:.2f} ms")
    print(f"bench: catalogue.search_p95_ms {p95:.2f} ms")


if __name__ == "__main__":
    main()

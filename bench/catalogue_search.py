"""Catalogue search latency on PostgreSQL: p50/p95 over 1,000 queries at 2,000 services, then
again at TARGET_SERVICES (22,000 by default: the online services the seeds count) in the same
run, and the ratio of the two p95 (the search must not grow with the catalogue).

Each query runs the real selector and fetches the first page of 20 results, as the API does.
"""

import os
import random
import statistics
import time

import django

django.setup()

from django.db import connection, transaction

from huduma.catalogue.loader import load_reference_data
from huduma.catalogue.models import Service
from huduma.catalogue.selectors import ServiceFilters, services_search
from huduma.catalogue.services import services_refresh_search

SMALL = 2000
TARGET_SERVICES = int(os.environ.get("TARGET_SERVICES", "22000"))
QUERIES = 1000
SEED = 20261124
REAL_CODES: list[str] = []
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


def grow_catalogue(rng: random.Random, target: int) -> None:
    """Synthesise variants of the real services until there are `target`, indexed through the
    catalogue's own verb."""
    base = list(Service.objects.filter(code__in=REAL_CODES).select_related("mda"))
    n = Service.objects.count()
    regions = ["Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Nyeri", "Garissa", "Kitui"]
    while n < target:
        clones = []
        for _ in range(min(1000, target - n)):
            src = rng.choice(base)
            n += 1
            region = rng.choice(regions)
            clones.append(
                Service(
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
            )
        with transaction.atomic():
            services_refresh_search(services=Service.objects.bulk_create(clones))


def measure(rng: random.Random) -> tuple[int, float, float]:
    timings = []
    for _ in range(50):  # warm-up
        list(services_search(ServiceFilters(q=rng.choice(WORDS)))[:20])
    for _ in range(QUERIES):
        query = rng.choice(WORDS)
        start = time.perf_counter()
        list(services_search(ServiceFilters(q=query))[:20])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return Service.objects.count(), statistics.median(timings), timings[int(QUERIES * 0.95) - 1]


def main() -> None:
    if connection.vendor != "postgresql":
        print("catalogue search bench: needs PostgreSQL (set DATABASE_URL); skipped")
        return
    rng = random.Random(SEED)
    load_reference_data(with_boundaries=False)
    REAL_CODES.extend(Service.objects.values_list("code", flat=True))
    grow_catalogue(rng, SMALL)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    count, p50, p95_small = measure(rng)
    print(f"catalogue search: {QUERIES} queries over {count} services, seed {SEED}")
    print(f"bench: catalogue.search_p50_ms {p50:.2f} ms")
    print(f"bench: catalogue.search_p95_ms {p95_small:.2f} ms")
    if TARGET_SERVICES <= SMALL:
        return
    grow_catalogue(rng, TARGET_SERVICES)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    count, p50, p95 = measure(rng)
    print(f"catalogue search: {QUERIES} queries over {count} services, seed {SEED}")
    print(f"bench: catalogue.search_p50_ms_{TARGET_SERVICES} {p50:.2f} ms")
    print(f"bench: catalogue.search_p95_ms_{TARGET_SERVICES} {p95:.2f} ms")
    ratio = p95 / p95_small
    print(f"bench: catalogue.search_p95_ratio_{TARGET_SERVICES}_vs_{SMALL} {ratio:.2f} ratio")


if __name__ == "__main__":
    main()

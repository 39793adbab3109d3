"""Catalogue search quality: the share of citizen phrasings whose service is in the first three.

The table is bench/search_phrasings.tsv (also driving tests/test_search_phrasings.py on both
databases). Run on the reference catalogue, on this bench's PostgreSQL database and on a
scratch SQLite file, through the same selector.
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

TABLE = Path(__file__).with_name("search_phrasings.tsv")


def phrasings() -> list[tuple[str, str]]:
    with TABLE.open(encoding="utf-8") as f:
        rows = csv.reader((line for line in f if not line.startswith("#")), delimiter="\t")
        next(rows)  # header
        return [(phrase, code) for phrase, code in rows]


def misses() -> tuple[int, list[tuple[str, str, list[str]]]]:
    """Run the table against the current database (reference data loaded)."""
    from huduma.catalogue.selectors import ServiceFilters, services_search

    table = phrasings()
    missed = []
    for phrase, code in table:
        top = [s.code for s in list(services_search(ServiceFilters(q=phrase)))[:3]]
        if code not in top:
            missed.append((phrase, code, top))
    return len(table), missed


def measure() -> None:
    import django

    django.setup()
    from django.db import connection

    from huduma.catalogue.loader import load_reference_data

    load_reference_data(with_boundaries=False)
    total, missed = misses()
    for phrase, code, top in missed:
        print(f"  missed: {phrase!r} -> {code}, found {top}")
    share = (total - len(missed)) / total
    name = "postgres" if connection.vendor == "postgresql" else connection.vendor
    print(f"bench: catalogue.search_top3_{name} {share:.3f} share ({total} phrasings)")


def main() -> None:
    measure()
    # The same table on SQLite (the demo and every field kit), in a scratch file.
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"huduma-search-bench-{os.getpid()}.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{scratch}"}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env=env, check=True
        )
        subprocess.run(
            [sys.executable, "-c", "from bench.search_quality import measure; measure()"],
            env=env,
            check=True,
        )
    finally:
        scratch.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

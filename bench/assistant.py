"""The digital assistant's answers: the share of in-scope questions answered right the first
time (the right service or centre and the right kind of answer), and the share of questions
outside what it knows that it refused instead of guessing.

The table is bench/assistant_questions.tsv (also driving tests/test_assistant_questions.py).
Run on the reference catalogue, on this bench's PostgreSQL database and on a scratch SQLite
file, through the assistant's own selector. Prints the whole table, each language, and the
held-out rows (those not looked at while the rules and thresholds were set).
"""

import csv
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("assistant_questions.tsv")
OUT = "out"


@dataclass(frozen=True)
class Row:
    language: str
    question: str
    expected: str
    intent: str
    split: str

    @property
    def in_scope(self) -> bool:
        return self.expected != OUT


def questions() -> list[Row]:
    with TABLE.open(encoding="utf-8") as f:
        rows = csv.reader((line for line in f if not line.startswith("#")), delimiter="\t")
        next(rows)  # header
        return [Row(*row) for row in rows]


def verdict(row: Row, answer) -> bool:
    """Whether the assistant's answer is the one the row needs."""
    if not row.in_scope:
        return answer.refused
    if answer.refused or answer.intent != row.intent:
        return False
    if row.expected == "-":
        return answer.service is None and answer.centre is None
    if answer.service is not None and answer.service.code == row.expected:
        return True
    return (
        answer.service is None
        and answer.centre is not None
        and (answer.centre.code == row.expected)
    )


def run(rows: list[Row]) -> list[tuple[Row, object, bool]]:
    from huduma.channels.assistant.selectors import answer_question

    results = []
    for row in rows:
        answer = answer_question(row.question, default_language=row.language)
        results.append((row, answer, verdict(row, answer)))
    return results


def share(results, *, in_scope: bool, language: str = "", split: str = "") -> tuple[float, int]:
    chosen = [
        ok
        for row, _, ok in results
        if row.in_scope == in_scope
        and (not language or row.language == language)
        and (not split or row.split == split)
    ]
    return (sum(chosen) / len(chosen) if chosen else 0.0), len(chosen)


def measure() -> None:
    import django

    django.setup()
    from django.db import connection

    from huduma.catalogue.loader import load_reference_data

    load_reference_data(with_boundaries=False)
    rows = questions()
    started = time.process_time()
    results = run(rows)
    cpu_ms = (time.process_time() - started) * 1000 / len(rows)
    if os.environ.get("BENCH_VERBOSE"):
        for row, answer, ok in results:
            if not ok:
                got = (
                    answer.service.code
                    if answer.service
                    else (answer.centre.code if answer.centre else "-")
                )
                what = "refused" if answer.refused else f"{answer.intent} {got}"
                print(
                    f"  missed: [{row.language}] {row.question!r} -> {row.expected} "
                    f"{row.intent}, got {what} ({answer.coverage:.2f}/{answer.strength:.2f})"
                )
    db = "postgres" if connection.vendor == "postgresql" else connection.vendor
    suffix = "" if db == "postgres" else f"_{db}"
    for name, in_scope in (("answer_top1", True), ("out_of_scope_refused", False)):
        value, n = share(results, in_scope=in_scope)
        print(f"bench: assistant.{name}{suffix} {value:.3f} share ({n} questions, {db})")
        for language in ("en", "sw"):
            value, n = share(results, in_scope=in_scope, language=language)
            print(f"bench: assistant.{name}_{language}{suffix} {value:.3f} share ({n} questions)")
        value, n = share(results, in_scope=in_scope, split="held_out")
        print(f"bench: assistant.{name}_held_out{suffix} {value:.3f} share ({n} questions)")
    print(f"bench: assistant.cpu_per_question{suffix} {cpu_ms:.1f} ms ({len(rows)} questions)")
    # Baseline, same run: the whole question typed into the catalogue search, its first
    # service taken as the answer (no rules, no refusal). Compared on the service alone.
    from huduma.catalogue.selectors import services_search_hits

    named = [
        (row, answer)
        for row, answer, _ in results
        if row.in_scope and row.expected.isupper()  # a service code, not a centre or "-"
    ]
    started = time.process_time()
    raw = [services_search_hits(row.question, limit=1) for row, _ in named]
    base_ms = (time.process_time() - started) * 1000 / len(named)
    base = sum(
        bool(h) and h[0].service.code == row.expected
        for (row, _), h in zip(named, raw, strict=True)
    )
    ours = sum(bool(a.service) and a.service.code == row.expected for row, a in named)
    print(
        f"bench: assistant.search_only_service_top1{suffix} {base / len(named):.3f} share "
        f"({len(named)} questions naming a service; {base_ms:.1f} ms each)"
    )
    print(
        f"bench: assistant.service_top1{suffix} {ours / len(named):.3f} share "
        f"(ratio to the search alone {ours / max(base, 1):.2f}; refusals of the search "
        f"alone: 0 of {sum(not row.in_scope for row in rows)})"
    )


def main() -> None:
    measure()
    # The same table on SQLite (the demo and every field kit), in a scratch file.
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"huduma-assistant-{os.getpid()}.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{scratch}"}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env=env, check=True
        )
        subprocess.run(
            [sys.executable, "-c", "from bench.assistant import measure; measure()"],
            env=env,
            check=True,
        )
    finally:
        scratch.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

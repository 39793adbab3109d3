"""M-Pesa callbacks under load: Daraja-format STK callbacks posted over HTTP to the production
server (Granian, as bench/qms_load.py starts it), first by 10 then by 50 concurrent senders in
the same run, for payments spread over every centre and several MDAs (one ledger chain each).
One callback in ten is a duplicate (Safaricom retries) and one in fifty forged (a real
CheckoutRequestID posted to a guessed URL secret).

The payments are started through the public verb (`payment_start`, the sandbox keeping its
callbacks instead of posting them), so the bench depends only on the callback endpoint and on
what a payer sees: the payment completes, once. Double credits are read from the ledger itself:
ledger payment entries beyond one per invoice.

Knobs (environment): PAYMENTS_CALLBACKS (callbacks per run, 1000), PAYMENTS_SENDERS ("10,50"),
PAYMENTS_CENTRES (how many centres, 30), plus the server knobs of bench/qms_load.py
(QMS_WORKERS, QMS_SERVER, QMS_REDIS_URL).
"""

import collections
import json
import os
import queue
import random
import secrets
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import django

from bench.feedback_load import group_cpu_s
from bench.qms_load import (
    LeanConnection,
    busy_jiffies,
    free_port,
    percentile,
    redis_client,
    start_server,
    stop_server,
)

# The sandbox keeps its callbacks for the bench to post (set before Django reads settings).
os.environ["PAYMENTS_SANDBOX_DELIVERY"] = "manual"

SERVICE_PREFIX = "PAYMENTS-BENCH"
MDA_CODES = ("NRB", "KRA", "NHIF")
FEE = Decimal("100.00")
CALLBACKS = int(os.environ.get("PAYMENTS_CALLBACKS", "1000"))
SENDERS = tuple(int(s) for s in os.environ.get("PAYMENTS_SENDERS", "10,50").split(","))
CENTRES = int(os.environ.get("PAYMENTS_CENTRES", "30"))
DUPLICATES = CALLBACKS // 10
FORGED = CALLBACKS // 50
GENUINE = CALLBACKS - DUPLICATES - FORGED


def setup_world():
    """Bench services (one per MDA) offered at the first CENTRES centres."""
    from django.db import transaction

    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import MDA, CentreService, Service
    from huduma.places.models import Centre

    load_reference_data(with_boundaries=False)
    centres = list(Centre.objects.order_by("code")[:CENTRES])
    services = []
    with transaction.atomic():
        mdas = list(MDA.objects.filter(code__in=MDA_CODES)) or list(MDA.objects.all()[:3])
        for mda in mdas:
            service, _ = Service.objects.get_or_create(
                code=f"{SERVICE_PREFIX}-{mda.code}",
                defaults={
                    "mda": mda,
                    "group": "P",
                    "name_en": "Payments benchmark service",
                    "name_sw": "Huduma ya kupima malipo",
                    "description_en": "A service that exists only in the payments benchmark.",
                    "description_sw": "Huduma iliyopo kwa kipimo cha malipo tu.",
                    "fee_kes": FEE,
                    "turnaround_days": 0,
                    "needs_documents": False,
                },
            )
            services.append(service)
            for centre in centres:
                CentreService.objects.get_or_create(centre=centre, service=service)
    return centres, services


def _phones():
    """Payers who pay: the sandbox reads other endings of the number as other scenarios."""
    from huduma.payments.providers import SCENARIOS

    n = 0
    while True:
        n += 1
        phone = f"+2547{n:08d}"
        if phone[-4:] not in SCENARIOS:
            yield phone


def start_payments(count: int, centres, services, phones, invoice_of: dict) -> list:
    """Start `count` M-Pesa payments through the public verb; returns, for each, its id and the
    callback the sandbox kept for it [(payment id, path, body)]. Records payment -> invoice."""
    from django.conf import settings

    from huduma.payments.providers import SandboxDaraja
    from huduma.payments.services import invoice_raise, payment_start

    started = []
    for n in range(count):
        SandboxDaraja.outbox.clear()
        # Every centre, and at each centre every MDA in turn: one ledger chain per pair.
        invoice = invoice_raise(
            service=services[(n // len(centres)) % len(services)],
            centre=centres[n % len(centres)],
        )
        payment = payment_start(
            invoice=invoice,
            channel="mpesa",
            amount=FEE,
            idempotency_key=str(uuid.uuid4()),
            phone=next(phones),
        )
        invoice_of[str(payment.pk)] = str(invoice.pk)
        [(url, body, _delay)] = SandboxDaraja.outbox
        started.append((str(payment.pk), url.removeprefix(settings.PUBLIC_URL), body))
    SandboxDaraja.outbox.clear()
    return started


def callbacks(sent: list, seed: int) -> list[tuple[str, bytes, str]]:
    """(path, body, kind) to post, shuffled: the genuine callbacks, some twice, and for the
    last FORGED payments only a forgery to a guessed secret."""
    rng = random.Random(seed)
    genuine, forged = sent[:GENUINE], sent[GENUINE : GENUINE + FORGED]
    posts = [(path, json.dumps(body).encode(), "genuine") for _id, path, body in genuine]
    posts += [(p, b, "duplicate") for p, b, _k in rng.sample(posts, DUPLICATES)]
    for _id, path, body in forged:
        guessed = path.rsplit("/", 1)[0] + "/" + secrets.token_urlsafe(24)
        posts.append((guessed, json.dumps(body).encode(), "forged"))
    rng.shuffle(posts)
    return posts


def send(port: int, work: queue.Queue, samples: list, errors: list, go: threading.Event):
    conn = LeanConnection(port)
    headers = {"Content-Type": "application/json"}
    go.wait()
    while True:
        try:
            path, body, kind = work.get_nowait()
        except queue.Empty:
            break
        started = time.perf_counter()
        try:
            status, data = conn.request("POST", path, body, headers)
        except (OSError, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            continue
        samples.append(time.perf_counter() - started)
        # A forged callback may be answered 200 (revealing nothing) or 4xx; both are fine.
        if status != 200 and kind != "forged":
            errors.append(f"HTTP {status} {data[:200]!r}")
    conn.close()


def run(port: int, server_pid: int, posts: list, senders: int) -> dict:
    work: queue.Queue = queue.Queue()
    for item in posts:
        work.put(item)
    samples: list = []
    errors: list = []
    go = threading.Event()
    threads = [
        threading.Thread(target=send, args=(port, work, samples, errors, go), daemon=True)
        for _ in range(senders)
    ]
    for thread in threads:
        thread.start()
    busy_before, server_before = busy_jiffies(), group_cpu_s(server_pid)
    t0 = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    return {
        "senders": senders,
        "n": len(samples),
        "elapsed": elapsed,
        "per_s": len(samples) / elapsed if elapsed else 0.0,
        "ms": [s * 1000 for s in samples] or [0.0],
        "cpu_s": (busy_jiffies() - busy_before) / os.sysconf("SC_CLK_TCK"),
        "server_cpu_s": group_cpu_s(server_pid) - server_before,
        "errors": errors,
    }


def ledger_check(invoice_of: dict, genuine_payments: set[str]) -> tuple[int, list[str]]:
    """Double credits read from the ledger: payment entries beyond one per invoice."""
    from django.db.models import Sum

    from huduma.ledger.checkpoints import verify
    from huduma.ledger.models import Entry

    entries = Entry.objects.filter(kind=Entry.Kind.PAYMENT, payment_id__in=list(invoice_of))
    posted = list(entries.values_list("payment_id", flat=True))
    per_invoice = collections.Counter(invoice_of[p] for p in posted)
    double = sum(n - 1 for n in per_invoice.values() if n > 1)
    credited = entries.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    genuine_credited = sum(1 for p in posted if p in genuine_payments)
    chains = sorted(set(entries.values_list("chain", flat=True)))
    broken = [c for c in chains if not verify(c, []).ok]
    note = (
        f"ledger: {len(posted)} payment entries for {len(per_invoice)} invoices; "
        f"{genuine_credited} of {len(genuine_payments)} answered payments credited; "
        f"KES {credited:,.2f} credited over {len(chains)} chains "
        f"({'all intact' if not broken else 'BROKEN: ' + ', '.join(broken)})"
    )
    return double, [note]


def main() -> None:
    django.setup()
    began = time.perf_counter()
    print(
        f"payments_callbacks: {CALLBACKS} callbacks per run ({DUPLICATES} duplicates, "
        f"{FORGED} forged) from {' then '.join(map(str, SENDERS))} senders"
    )
    centres, services = setup_world()
    phones = _phones()
    invoice_of: dict[str, str] = {}
    batches = []
    for number, _senders in enumerate(SENDERS):
        sent = start_payments(GENUINE + FORGED, centres, services, phones, invoice_of)
        batches.append((sent, callbacks(sent, seed=9 + number)))
    genuine_payments = {pid for sent, _posts in batches for pid, _p, _b in sent[:GENUINE]}
    print(
        f"  set-up: {len(invoice_of)} pending payments at {len(centres)} centres for "
        f"{len(services)} MDAs, {time.perf_counter() - began:.1f} s"
    )
    from django.db import connection

    connection.close()
    redis = redis_client()
    port = free_port()
    results = []
    with tempfile.TemporaryDirectory(prefix="payments-callbacks-") as tmp:
        log_path = Path(tmp) / "server.log"
        server = start_server(port, log_path, redis is not None)
        try:
            for (_sent, posts), senders in zip(batches, SENDERS, strict=True):
                results.append(run(port, server.pid, posts, senders))
        finally:
            stop_server(server)
            log = log_path.read_text(errors="replace").strip()
            if log:
                print("  server log (last 2,000 characters):\n" + log[-2000:])
            if redis is not None:
                redis.flushdb()

    for r in results:
        print(
            f"  {r['senders']} senders: {r['per_s']:.1f} callbacks/s over {r['elapsed']:.1f} s; "
            f"p50 {percentile(r['ms'], 50):.1f} ms, p99 {percentile(r['ms'], 99):.1f} ms; "
            f"server {r['server_cpu_s'] * 1000 / max(r['n'], 1):.1f} CPU-ms per callback, "
            f"machine {r['cpu_s'] * 1000 / max(r['n'], 1):.1f} core-ms; "
            f"errors {len(r['errors'])}"
        )
        for error in r["errors"][:3]:
            print(f"    {error}")
    double, notes = ledger_check(invoice_of, genuine_payments)
    for note in notes:
        print(f"  {note}")
    total_n = sum(r["n"] for r in results)
    server_ms = sum(r["server_cpu_s"] for r in results) * 1000 / total_n if total_n else 0.0
    print()
    for r in results:
        print(f"bench: payments.callbacks_per_s_s{r['senders']} {r['per_s']:.1f} /s")
    print(f"bench: payments.server_cpu_ms_per_callback {server_ms:.1f} ms")
    print(f"bench: payments.double_credits {double} count")
    print(
        f"bench: payments.p99_ms_s{results[-1]['senders']} {percentile(results[-1]['ms'], 99):.1f} ms"
    )


if __name__ == "__main__":
    main()

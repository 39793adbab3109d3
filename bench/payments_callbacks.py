"""M-Pesa callbacks under load: 10,000 Daraja-format STK callbacks posted over HTTP to the
production server by 20 concurrent senders, one in ten a duplicate (Safaricom retries) and one
in fifty forged (a real CheckoutRequestID with a guessed URL secret).

Sets up the pending STK payments in bulk (the push itself is the provider's business), starts
the production server as bench/qms_load.py does, posts every callback once from a shared,
shuffled list, then checks the database: every genuine payment completed once, no forged one,
and the completed total equals the sum of the genuine payments.

Knobs (environment): PAYMENTS_CALLBACKS (10000), PAYMENTS_SENDERS (20), plus the server knobs
of bench/qms_load.py (QMS_WORKERS, QMS_SERVER, QMS_REDIS_URL).
"""

import datetime as dt
import hashlib
import json
import os
import queue
import random
import secrets
import tempfile
import threading
import time
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

CENTRE_CODE = "gpo-nairobi"
SERVICE_CODE = "PAYMENTS-BENCH"
FEE = Decimal("100.00")
CALLBACKS = int(os.environ.get("PAYMENTS_CALLBACKS", "10000"))
SENDERS = int(os.environ.get("PAYMENTS_SENDERS", "20"))
DUPLICATES = CALLBACKS // 10
FORGED = CALLBACKS // 50
GENUINE = CALLBACKS - DUPLICATES - FORGED


def setup_world() -> tuple[list, list]:
    """Pending STK payments: GENUINE that will be answered, FORGED that only forgers answer.
    Returns (genuine, forged) lists of (checkout id, secret, phone)."""
    from django.db import transaction

    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import MDA, CentreService, Service
    from huduma.core import clock
    from huduma.payments.models import Invoice, Payment
    from huduma.places.models import Centre

    load_reference_data(with_boundaries=False)
    centre = Centre.objects.get(code=CENTRE_CODE)
    now = clock.now()
    rows = []
    with transaction.atomic():
        mda = MDA.objects.filter(code="NRB").first() or MDA.objects.order_by("pk").first()
        service, _ = Service.objects.get_or_create(
            code=SERVICE_CODE,
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
        CentreService.objects.get_or_create(centre=centre, service=service)
        invoices, payments = [], []
        for n in range(GENUINE + FORGED):
            invoice = Invoice(service=service, centre=centre, amount_kes=FEE, raised_at=now)
            phone = f"+2547{n:08d}"
            checkout = f"ws_CO_BENCH_{n:06d}_{secrets.token_hex(4)}"
            secret = secrets.token_urlsafe(24)
            invoices.append(invoice)
            payments.append(
                Payment(
                    invoice=invoice,
                    channel=Payment.Channel.MPESA,
                    provider="sandbox",
                    amount_kes=FEE,
                    phone=phone,
                    checkout_request_id=checkout,
                    merchant_request_id=f"BENCH-{n}",
                    callback_secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
                    started_at=now - dt.timedelta(seconds=30),
                )
            )
            rows.append((checkout, secret, phone))
        Invoice.objects.bulk_create(invoices, batch_size=1000)
        Payment.objects.bulk_create(payments, batch_size=1000)
    return rows[:GENUINE], rows[GENUINE:]


def callbacks(genuine: list, forged: list) -> list[tuple[str, bytes, str]]:
    """(path, body, kind) for every callback to post, shuffled."""
    from huduma.payments.providers import stk_callback_body

    def one(checkout, secret, phone, n):
        body = stk_callback_body(
            merchant_request_id=f"BENCH-{n}",
            checkout_request_id=checkout,
            result_code=0,
            result_desc="The service request is processed successfully.",
            amount=FEE,
            receipt=f"BEN{n:07d}",
            phone=phone,
        )
        return f"/api/payments/mpesa/callback/{secret}", json.dumps(body).encode()

    rng = random.Random(9)
    posts = []
    for n, (checkout, secret, phone) in enumerate(genuine):
        path, body = one(checkout, secret, phone, n)
        posts.append((path, body, "genuine"))
    for path, body, _kind in rng.sample(posts, DUPLICATES):
        posts.append((path, body, "duplicate"))
    for n, (checkout, _secret, phone) in enumerate(forged, start=len(genuine)):
        path, body = one(checkout, secrets.token_urlsafe(24), phone, n)
        posts.append((path, body, "forged"))
    rng.shuffle(posts)
    return posts


def send(port: int, work: queue.Queue, samples: list, errors: list, go: threading.Event):
    conn = LeanConnection(port)
    headers = {"Content-Type": "application/json"}
    go.wait()
    while True:
        try:
            path, body, _kind = work.get_nowait()
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
        if status != 200:
            errors.append(f"HTTP {status} {data[:200]!r}")
    conn.close()


def verify(genuine: list, forged: list) -> tuple[int, Decimal, Decimal, list[str]]:
    from django.db.models import Count, Sum

    from huduma.payments.models import Payment

    bench = Payment.objects.filter(invoice__service__code=SERVICE_CODE)
    completed = bench.filter(status=Payment.Status.COMPLETED)
    twice = (
        completed.values("invoice").annotate(n=Count("id")).filter(n__gt=1).count()
        + completed.filter(checkout_request_id__in=[c for c, _s, _p in forged]).count()
    )
    total = completed.aggregate(s=Sum("amount_paid_kes"))["s"] or Decimal("0.00")
    expected = FEE * len(genuine)
    pending_genuine = bench.filter(
        status=Payment.Status.PENDING, checkout_request_id__in=[c for c, _s, _p in genuine]
    ).count()
    forged_pending = bench.filter(
        status=Payment.Status.PENDING, checkout_request_id__in=[c for c, _s, _p in forged]
    ).count()
    notes = [
        (
            f"completed {completed.count()} of {len(genuine)} genuine; genuine still pending "
            f"{pending_genuine}; forged still pending {forged_pending} of {len(forged)}"
        ),
        (
            f"completed total KES {total:,.2f}; sum of genuine payments KES {expected:,.2f}: "
            + ("equal" if total == expected else "DIFFERENT")
        ),
    ]
    return twice, total, expected, notes


def main() -> None:
    django.setup()
    began = time.perf_counter()
    print(
        f"payments_callbacks: {CALLBACKS} callbacks from {SENDERS} senders "
        f"({DUPLICATES} duplicates, {FORGED} forged)"
    )
    genuine, forged = setup_world()
    posts = callbacks(genuine, forged)
    print(
        f"  set-up ({len(genuine) + len(forged)} pending payments): "
        f"{time.perf_counter() - began:.1f} s"
    )
    from django.db import connection

    connection.close()
    redis = redis_client()
    port = free_port()
    work: queue.Queue = queue.Queue()
    for item in posts:
        work.put(item)
    samples: list = []
    errors: list = []
    with tempfile.TemporaryDirectory(prefix="payments-callbacks-") as tmp:
        log_path = Path(tmp) / "server.log"
        server = start_server(port, log_path, redis is not None)
        try:
            go = threading.Event()
            threads = [
                threading.Thread(target=send, args=(port, work, samples, errors, go), daemon=True)
                for _ in range(SENDERS)
            ]
            for thread in threads:
                thread.start()
            busy_before, server_before = busy_jiffies(), group_cpu_s(server.pid)
            t0 = time.perf_counter()
            go.set()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - t0
            cpu_s = (busy_jiffies() - busy_before) / os.sysconf("SC_CLK_TCK")
            server_cpu = group_cpu_s(server.pid) - server_before
        finally:
            stop_server(server)
            log = log_path.read_text(errors="replace").strip()
            if log:
                print("  server log (last 2,000 characters):\n" + log[-2000:])
            if redis is not None:
                redis.flushdb()

    per_s = len(samples) / elapsed if elapsed else 0.0
    ms = [s * 1000 for s in samples] or [0.0]
    twice, total, expected, notes = verify(genuine, forged)
    cpu_ms = cpu_s * 1000 / len(samples) if samples else 0.0
    server_ms = server_cpu * 1000 / len(samples) if samples else 0.0
    print(
        f"  {per_s:.1f} callbacks/s over {elapsed:.1f} s; p50 {percentile(ms, 50):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms; errors {len(errors)}"
    )
    print(
        f"  machine CPU: {cpu_ms:.1f} core-ms per callback (server, database and this load "
        f"generator); server processes: {server_ms:.1f} CPU-ms per callback"
    )
    for note in [*notes, *errors[:5]]:
        print(f"  {note}")
    print()
    print(f"bench: payments.callbacks_per_s {per_s:.1f} 1/s")
    print(f"bench: payments.double_credits {twice} count")
    print(f"bench: payments.completed_total_matches {int(total == expected)} bool")
    print(f"bench: payments.cpu_ms_per_callback {cpu_ms:.1f} ms")
    print(f"bench: payments.server_cpu_ms_per_callback {server_ms:.1f} ms")
    print(f"bench: payments.p99_ms {percentile(ms, 99):.1f} ms")


if __name__ == "__main__":
    main()

"""Instant feedback under load: 50 feedback tablets posting ratings over HTTP at once.

Sets up 50 counters (301..350) at GPO Nairobi, each with a paired feedback tablet (a registered
device with its own token) and a stock of tickets already served and finished at that counter
(written in bulk: the queue's own speed is bench/qms_load.py's business). Then it starts the
production server (Granian, as bench/qms_load.py does) and runs 50 threads, one kept-alive
connection per tablet, each posting `POST /api/feedback/ratings` with
`Authorization: Device <token>` for its next finished ticket, back to back, for PHASE_S seconds
after a warm-up. One rating in ten is sent twice, as a tablet that lost the first answer
would: the second must return the same rating, not store another.

It prints ratings per second, latency, the whole machine's CPU per rating, and checks the
database: every rating a tablet was told was stored is there, once, for its own ticket, and
nothing else is (lost_or_doubled).

Knobs (environment): FEEDBACK_PHASE_S (20), FEEDBACK_WARMUP_S (3), FEEDBACK_TABLETS (50),
plus the server knobs of bench/qms_load.py (QMS_WORKERS, QMS_SERVER, QMS_REDIS_URL).
"""

import datetime as dt
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import django

from bench.procstat import group_cpu_s
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
SERVICE_CODE = "FEEDBACK-BENCH"
TABLETS = int(os.environ.get("FEEDBACK_TABLETS", "50"))
COUNTER_NUMBERS = range(301, 301 + TABLETS)
PHASE_S = float(os.environ.get("FEEDBACK_PHASE_S", "20"))
WARMUP_S = float(os.environ.get("FEEDBACK_WARMUP_S", "3"))
# Enough finished tickets that no tablet runs out: a few hundred ratings/s at most, spread over
# 50 tablets, for warm-up plus phase.
TICKETS_PER_TABLET = int(os.environ.get("FEEDBACK_TICKETS_PER_TABLET", "300"))
RETRY_EVERY = 10  # one rating in ten is posted twice


@dataclass
class Tablet:
    counter_id: int
    token: str
    tickets: list[str]


def setup_world() -> list[Tablet]:
    """The bench service, counters, officers, paired tablets and finished tickets."""
    from django.db import transaction

    from huduma.accounts import devices
    from huduma.accounts.models import Device, Role, User
    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import MDA, CentreService, CounterService, Service
    from huduma.core import clock
    from huduma.places.models import Centre, Counter
    from huduma.queues.models import Ticket, TicketEvent, Visit

    load_reference_data(with_boundaries=False)
    centre = Centre.objects.get(code=CENTRE_CODE)
    centre.status = Centre.Status.OPEN
    centre.save(update_fields=["status"])
    now = clock.now()
    day = clock.local_date(now) + dt.timedelta(days=3650)  # numbers apart from real days
    tablets = []
    with transaction.atomic():
        mda = MDA.objects.filter(code="NRB").first() or MDA.objects.order_by("pk").first()
        service, _ = Service.objects.get_or_create(
            code=SERVICE_CODE,
            defaults={
                "mda": mda,
                "group": "F",
                "name_en": "Feedback benchmark service",
                "name_sw": "Huduma ya kupima maoni",
                "description_en": "A service that exists only in the feedback benchmark.",
                "description_sw": "Huduma iliyopo kwa kipimo cha maoni tu.",
                "fee_kes": 0,
                "turnaround_days": 0,
                "needs_documents": False,
            },
        )
        CentreService.objects.get_or_create(centre=centre, service=service)
        Device.objects.filter(centre=centre, name__startswith="Bench tablet").delete()
        sequence = 0
        for i, number in enumerate(COUNTER_NUMBERS, start=1):
            counter, _ = Counter.objects.get_or_create(
                centre=centre, number=number, defaults={"name": f"Feedback bench {number}"}
            )
            CounterService.objects.get_or_create(counter=counter, service=service)
            officer, _ = User.objects.update_or_create(
                username=f"feedback.bench.{i:02d}",
                defaults={"role": Role.COUNTER_OFFICER, "centre": centre, "is_active": True},
            )
            _device, code = devices.device_register(
                centre=centre,
                kind=Device.Kind.FEEDBACK_TABLET,
                name=f"Bench tablet {number}",
                counter=counter,
                actor=None,
            )
            _device, token = devices.device_pair(code=code)
            visits, tickets, events = [], [], []
            for _n in range(TICKETS_PER_TABLET):
                sequence += 1
                visit = Visit(
                    centre=centre,
                    service_day=day,
                    prefix="F",
                    sequence=sequence,
                    number=f"F{sequence:03d}",
                    arrived_at=now - dt.timedelta(minutes=10),
                    channel="reception",
                )
                ticket = Ticket(
                    visit=visit,
                    centre=centre,
                    service=service,
                    position=0,
                    status=Ticket.Status.SERVED,
                    counter=counter,
                    officer=officer,
                    started_at=now - dt.timedelta(minutes=2),
                    finished_at=now,
                )
                visits.append(visit)
                tickets.append(ticket)
                events.append(
                    TicketEvent(
                        ticket=ticket,
                        centre=centre,
                        kind=TicketEvent.Kind.SERVED,
                        at=now,
                        actor=officer,
                        counter=counter,
                    )
                )
            Visit.objects.bulk_create(visits, batch_size=1000)
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            TicketEvent.objects.bulk_create(events, batch_size=1000)
            tablets.append(Tablet(counter.pk, token, [str(t.pk) for t in tickets]))
    return tablets


@dataclass
class Stats:
    samples: list = field(default_factory=list)  # (t, seconds)
    stored: dict = field(default_factory=dict)  # ticket id -> rating id, from 201 answers
    retries_same: int = 0
    retries_different: int = 0
    errors: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # tickets whose rating was refused or cut off
    ran_out: bool = False


class VirtualTablet:
    def __init__(self, port: int, tablet: Tablet):
        self.tablet = tablet
        self.conn = LeanConnection(port)
        self.headers = {
            "Content-Type": "application/json",
            "Authorization": f"Device {tablet.token}",
        }
        self.stats = Stats()

    def post(self, ticket: str, score: int) -> tuple[int, dict]:
        body = json.dumps({"ticket": ticket, "score": score, "reasons": []}).encode()
        status, data = self.conn.request("POST", "/api/feedback/ratings", body, self.headers)
        return status, (json.loads(data) if data else {})

    def run(self, stop_at: float, go: threading.Event) -> None:
        go.wait()
        for n, ticket in enumerate(self.tablet.tickets):
            if time.perf_counter() >= stop_at:
                return
            score = 1 + n % 5
            started = time.perf_counter()
            try:
                status, answer = self.post(ticket, score)
            except (OSError, ValueError) as exc:
                self.stats.errors.append(f"{type(exc).__name__}: {exc}")
                self.stats.failed.append(ticket)
                self.conn.close()
                continue
            self.stats.samples.append((started, time.perf_counter() - started))
            # (the retry below is an extra request, not counted as a rating)
            if status != 201:
                self.stats.errors.append(f"HTTP {status} {answer}")
                self.stats.failed.append(ticket)
                continue
            self.stats.stored[ticket] = answer["id"]
            if n % RETRY_EVERY == 0:  # the answer was "lost": the tablet sends it again
                status, again = self.post(ticket, score)
                if status == 201 and again["id"] == answer["id"]:
                    self.stats.retries_same += 1
                else:
                    self.stats.retries_different += 1
                    self.stats.errors.append(f"retry: HTTP {status} {again}")
        self.stats.ran_out = True


def verify(clients: list[VirtualTablet]) -> tuple[int, list[str]]:
    """Lost: a rating a tablet was told was stored that the database lacks (or holds for
    another ticket), or one whose request failed (refused, cut off) and is not stored: the
    citizen pressed a face and it counted for nothing. Doubled: more than one row per ticket,
    or rows nobody was told about (a failed request the server stored after all)."""
    from django.db.models import Count

    from huduma.feedback.models import Rating

    acked = {t: r for c in clients for t, r in c.stats.stored.items()}
    rows = Rating.objects.filter(service__code=SERVICE_CODE)
    in_db = {str(t): str(r) for r, t in rows.values_list("pk", "ticket_id")}
    lost = sum(1 for t, r in acked.items() if in_db.get(t) != r)
    per_ticket = rows.values("ticket").annotate(n=Count("id")).filter(n__gt=1).count()
    unacked = sum(1 for t in in_db if t not in acked)
    retried_wrong = sum(c.stats.retries_different for c in clients)
    failed = [str(t) for c in clients for t in c.stats.failed]
    failed_lost = sum(1 for t in failed if t not in in_db)
    notes = [
        (
            f"integrity: {len(acked)} ratings acknowledged, {len(in_db)} in the database; "
            f"lost {lost}, tickets rated twice {per_ticket}, rows never acknowledged {unacked}; "
            f"retries answered with the same rating {sum(c.stats.retries_same for c in clients)}, "
            f"otherwise {retried_wrong}; failed requests {len(failed)}, of which not stored "
            f"{failed_lost}"
        )
    ]
    return lost + per_ticket + unacked + retried_wrong + failed_lost, notes


def main() -> None:
    django.setup()
    began = time.perf_counter()
    print(f"feedback_load: {TABLETS} tablets back to back, {WARMUP_S:g} s warm-up + {PHASE_S:g} s")
    tablets = setup_world()
    print(
        f"  set-up ({TABLETS * TICKETS_PER_TABLET} finished tickets): "
        f"{time.perf_counter() - began:.1f} s"
    )
    from django.db import connection

    connection.close()
    redis = redis_client()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="feedback-load-") as tmp:
        log_path = Path(tmp) / "server.log"
        server = start_server(port, log_path, redis is not None)
        try:
            clients = [VirtualTablet(port, t) for t in tablets]
            go = threading.Event()
            t0 = time.perf_counter() + 0.2
            window = (t0 + WARMUP_S, t0 + WARMUP_S + PHASE_S)
            threads = [
                threading.Thread(target=c.run, args=(window[1], go), daemon=True) for c in clients
            ]
            for thread in threads:
                thread.start()
            while time.perf_counter() < t0:
                time.sleep(0.01)
            go.set()
            time.sleep(max(0.0, window[0] - time.perf_counter()))
            busy_before, server_before = busy_jiffies(), group_cpu_s(server.pid)
            time.sleep(max(0.0, window[1] - time.perf_counter()))
            cpu_busy = (busy_jiffies() - busy_before) / os.sysconf("SC_CLK_TCK") / PHASE_S
            server_cpu = group_cpu_s(server.pid) - server_before
            for thread in threads:
                thread.join()
            for c in clients:
                c.conn.close()
        finally:
            stop_server(server)
            log = log_path.read_text(errors="replace").strip()
            if log:
                print("  server log (last 2,000 characters):\n" + log[-2000:])
            if redis is not None:
                redis.flushdb()

    in_window = [s for c in clients for t, s in c.stats.samples if window[0] <= t < window[1]]
    per_s = len(in_window) / PHASE_S
    ms = [s * 1000 for s in in_window] or [0.0]
    errors = [e for c in clients for e in c.stats.errors]
    bad, notes = verify(clients)
    cpu_ms = cpu_busy * 1000 / per_s if per_s else 0.0
    rated = len(in_window)
    server_ms = server_cpu * 1000 / rated if rated else 0.0
    print(
        f"  {per_s:.1f} ratings/s; p50 {percentile(ms, 50):.1f} ms, p99 "
        f"{percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms; errors {len(errors)}"
    )
    print(
        f"  machine CPU: {cpu_busy:.2f} of {os.cpu_count()} cores busy, {cpu_ms:.1f} core-ms "
        "per rating (server, database and this load generator, and anything else running)"
    )
    print(f"  server processes: {server_ms:.1f} CPU-ms per rating (the database not included)")
    if any(c.stats.ran_out for c in clients):
        print("  some tablets ran out of tickets: raise FEEDBACK_TICKETS_PER_TABLET")
    for note in [*notes, *errors[:5]]:
        print(f"  {note}")
    print()
    # Ratings stored per second (first posts; the one-in-ten retries are extra requests).
    print(f"bench: feedback.ratings_per_s {per_s:.1f} 1/s")
    print(f"bench: feedback.lost_or_doubled {bad} count")
    print(f"bench: feedback.failed_requests {sum(len(c.stats.failed) for c in clients)} count")
    print(f"bench: feedback.cpu_ms_per_rating {cpu_ms:.1f} ms")
    print(f"bench: feedback.server_cpu_ms_per_rating {server_ms:.1f} ms")
    print(f"bench: feedback.p99_ms {percentile(ms, 99):.1f} ms")


if __name__ == "__main__":
    main()

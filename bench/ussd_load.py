"""mHuduma over USSD under load: 100 callers at once, each dialling whole journeys through
Africa's Talking's exact requests, over HTTP to the production server (Granian, as
bench/qms_load.py starts it) on PostgreSQL.

Each virtual caller (a thread with its own kept-alive connection and phone number) plays, in
its own sessions: find a service, join a queue from it, check the ticket, book an appointment,
make a complaint, look up Huduma Mashinani in a sub-county, check a receipt; half of them in
Kiswahili (switched with "7" first). One request in ten is sent twice (the gateway retrying):
the second answer must be the same. A session left half-way makes the next dial offer to
resume: the caller presses "2" and starts again, as a person would.

Printed: the reply time p50/p99 (the operator allows 15 s; the target is under 300 ms, a 50th
of that), screens over 182 characters (must be 0), repeated requests answered differently
(must be 0), actions done twice (tickets or complaints beyond one per END that made them),
and CPU per reply (whole machine, and the server's processes with their database backends).

Callers press at a person's pace: USSD_BENCH_THINK_S (2 s on average, drawn between half and
one and a half times that) between a screen and the next key, as someone reads a screen and
types; 100 sessions then offer about 40 requests a second. With no pause (0) the 100 callers
queue behind each other and the reply time only measures the queue (Little's law: 100 callers
/ replies per second), not the service.

Knobs (environment): USSD_BENCH_CALLERS (100), USSD_BENCH_ROUNDS (how many times each caller
plays the journeys, 1), USSD_BENCH_THINK_S (2), plus the server knobs of bench/qms_load.py (QMS_WORKERS, QMS_SERVER,
QMS_REDIS_URL).
"""

import os
import random
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import django

from bench.procstat import database_backends_cpu_s, group_cpu_s
from bench.qms_load import (
    LeanConnection,
    busy_jiffies,
    free_port,
    percentile,
    redis_client,
    start_server,
    stop_server,
)

TOKEN = "ussd-bench-token"
# Set before the server starts (start_server passes the environment on). Each caller makes
# about 40 requests in its minute; the per-phone limit is for people, not for this bench.
os.environ["USSD_CALLBACK_TOKEN"] = TOKEN
os.environ["USSD_REQUESTS_PER_MINUTE"] = "1000"

CALLERS = int(os.environ.get("USSD_BENCH_CALLERS", "100"))
ROUNDS = int(os.environ.get("USSD_BENCH_ROUNDS", "1"))
THINK_S = float(os.environ.get("USSD_BENCH_THINK_S", "2"))
SERVICE_CODE = "USSD-BENCH"
KEYWORD = "ussdbench"
CENTRE_CODE = "gpo-nairobi"
SUB_COUNTY = "Kibra"
MAX_CHARS = 182
PATH = "/ussd/africastalking?token=" + TOKEN


def setup_world() -> None:
    """Reference data, a bench service (found by a word of its own) offered at GPO Nairobi
    with counters (so it can be booked), and a sub-county to ask about."""
    from django.db import transaction

    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import MDA, CentreService, CounterService, Service
    from huduma.catalogue.services import service_refresh_search
    from huduma.places.models import Centre, Counter, SubCounty

    load_reference_data(with_boundaries=False)
    centre = Centre.objects.get(code=CENTRE_CODE)
    centre.status = Centre.Status.OPEN
    centre.save(update_fields=["status"])
    with transaction.atomic():
        mda = MDA.objects.filter(code="NRB").first() or MDA.objects.order_by("pk").first()
        service, _ = Service.objects.get_or_create(
            code=SERVICE_CODE,
            defaults={
                "mda": mda,
                "group": "U",
                "name_en": "USSD benchmark service",
                "name_sw": "Huduma ya kupima USSD",
                "description_en": "A service that exists only in the USSD benchmark.",
                "description_sw": "Huduma iliyopo kwa kipimo cha USSD tu.",
                "keywords_en": KEYWORD,
                "keywords_sw": KEYWORD,
                "fee_kes": 0,
                "turnaround_days": 0,
                "needs_documents": False,
            },
        )
        CentreService.objects.get_or_create(centre=centre, service=service)
        for number in range(301, 311):
            counter, _ = Counter.objects.get_or_create(
                centre=centre, number=number, defaults={"name": f"USSD bench {number}"}
            )
            CounterService.objects.get_or_create(counter=counter, service=service)
        SubCounty.objects.get_or_create(county=centre.county, name=SUB_COUNTY)
    service_refresh_search(service=service)


# The journeys, as the keys a caller presses after dialling. "{day}" and "{slot}" are drawn
# per caller, so that bookings spread over the days and times a person would choose from.
JOURNEYS = {
    "find": ["1", KEYWORD, "1"],
    "join": ["1", KEYWORD, "1", "1", "GPO", "1", "1"],
    "ticket": ["2", "2"],
    "book": ["1", KEYWORD, "1", "2", "GPO", "1", "{day}", "{slot}", "1"],
    "complaint": ["5", "1", "2", "Waited three hours at the counter"],
    "outreach": ["6", "3", SUB_COUNTY, "1"],
    "receipt": ["6", "2", "HR-NOT-ISSUED"],
}
RESUME_PROMPTS = ("CON You were cut off", "CON Ulikatika")


@dataclass
class Stats:
    samples: list = field(default_factory=list)  # (t, seconds)
    over_182: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    repeats_differing: int = 0
    ends: dict = field(default_factory=dict)  # journey -> END screens that acted
    sessions: int = 0


class Caller:
    def __init__(self, port: int, n: int, rng: random.Random):
        self.conn = LeanConnection(port)
        self.phone = f"+2547110{n:05d}"
        self.swahili = n % 2 == 1
        self.rng = rng
        self.stats = Stats()
        self.n = n

    def think(self) -> None:
        if THINK_S > 0:
            time.sleep(self.rng.uniform(0.5 * THINK_S, 1.5 * THINK_S))

    def post(self, session_id: str, text: str) -> str:
        body = urllib.parse.urlencode(
            {
                "sessionId": session_id,
                "serviceCode": "*384*1919#",
                "phoneNumber": self.phone,
                "networkCode": "63902",
                "text": text,
            }
        ).encode()
        started = time.perf_counter()
        status, data = self.conn.request(
            "POST", PATH, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        self.stats.samples.append((started, time.perf_counter() - started))
        reply = data.decode("utf-8", "replace")
        if status != 200 or not reply.startswith(("CON ", "END ")):
            self.stats.errors.append(f"HTTP {status}: {reply[:80]!r}")
        elif len(reply) > MAX_CHARS:
            self.stats.over_182.append(reply)
        return reply

    def session(self, keys: list[str]) -> str:
        self.stats.sessions += 1
        session_id = f"ATUid_bench_{self.n}_{self.stats.sessions}"
        said: list[str] = []
        reply = self.post(session_id, "")
        if reply.startswith(RESUME_PROMPTS):
            self.think()
            said.append("2")
            reply = self.post(session_id, "*".join(said))
        for key in keys:
            if reply.startswith("END "):
                break
            self.think()
            said.append(key)
            reply = self.post(session_id, "*".join(said))
            # One in ten, the gateway retries: the same answer, acting once.
            retried = self.rng.random() < 0.1
            if retried and self.post(session_id, "*".join(said)) != reply:
                self.stats.repeats_differing += 1
        return reply

    def run(self, go: threading.Event) -> None:
        go.wait()
        self.think()  # callers do not all dial in the same instant
        try:
            if self.swahili:
                self.session(["7"])
            for _round in range(ROUNDS):
                for name, keys in JOURNEYS.items():
                    keys = [
                        k.format(day=self.rng.randint(1, 7), slot=self.rng.randint(1, 7))
                        for k in keys
                    ]
                    reply = self.session(keys)
                    if reply.startswith("END ") and name in ("join", "book", "complaint"):
                        self.stats.ends[name] = self.stats.ends.get(name, 0) + 1
        except (OSError, ValueError, ConnectionError) as exc:
            self.stats.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            self.conn.close()


def verify(callers: list[Caller]) -> list[str]:
    """Actions done twice: more tickets, bookings or complaints than the ENDs that made them
    (every caller's phone is its own, so a repeated request acting twice shows here)."""
    from django.db import connection

    from huduma.complaints.models import Complaint
    from huduma.queues.models import Appointment, Visit

    connection.close()
    phones = [c.phone for c in callers]
    notes = []
    counted = {
        "join": Visit.objects.filter(phone__in=phones, channel="ussd").count(),
        "book": Appointment.objects.filter(phone__in=phones).count(),
        "complaint": Complaint.objects.filter(phone__in=phones, channel="ussd").count(),
    }
    doubled = 0
    for name, found in counted.items():
        ended = sum(c.stats.ends.get(name, 0) for c in callers)
        # A ticket or booking refused (the per-phone limit, a full slot) ends nothing.
        if found > ended:
            doubled += found - ended
            notes.append(f"{name}: {found} records for {ended} END screens")
    return [str(doubled), *notes]


def main() -> None:
    django.setup()
    began = time.perf_counter()
    print(
        f"ussd_load: {CALLERS} callers at once, {len(JOURNEYS)} journeys x {ROUNDS}, "
        f"{THINK_S:g} s to read a screen and press"
    )
    setup_world()
    print(f"  set-up: {time.perf_counter() - began:.1f} s")
    from django.db import connection

    connection.close()
    redis = redis_client()
    port = free_port()
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="ussd-load-") as tmp:
        log_path = Path(tmp) / "server.log"
        server = None
        for attempt in range(3):  # on a loaded machine the workers may take over 30 s to start
            try:
                server = start_server(port, log_path, redis is not None)
                break
            except RuntimeError as exc:
                print(f"  the server did not start (attempt {attempt + 1}): {str(exc)[:80]}")
                port = free_port()
        if server is None:
            raise SystemExit("ussd_load: the server would not start")
        try:
            callers = [Caller(port, n, random.Random(n)) for n in range(CALLERS)]
            go = threading.Event()
            threads = [threading.Thread(target=c.run, args=(go,), daemon=True) for c in callers]
            for thread in threads:
                thread.start()
            busy_before = busy_jiffies()
            own_before = group_cpu_s(server.pid) + database_backends_cpu_s(database)
            t0 = time.perf_counter()
            go.set()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - t0
            busy_s = (busy_jiffies() - busy_before) / os.sysconf("SC_CLK_TCK")
            own_s = group_cpu_s(server.pid) + database_backends_cpu_s(database) - own_before
        finally:
            stop_server(server)
            log = log_path.read_text(errors="replace").strip()
            if log:
                print("  server log (last 2,000 characters):\n" + log[-2000:])
            if redis is not None:
                redis.flushdb()

    ms = [s * 1000 for c in callers for _t, s in c.stats.samples] or [0.0]
    replies = len(ms)
    over = [r for c in callers for r in c.stats.over_182]
    errors = [e for c in callers for e in c.stats.errors]
    differing = sum(c.stats.repeats_differing for c in callers)
    doubled, *notes = verify(callers)
    print(
        f"  {replies} replies in {elapsed:.1f} s ({replies / elapsed:.0f}/s); p50 "
        f"{percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms; "
        f"errors {len(errors)}"
    )
    print(
        f"  machine CPU {busy_s * 1000 / replies:.1f} core-ms per reply (server, database, "
        f"this load generator); server and its database backends {own_s * 1000 / replies:.1f}"
    )
    ends = {k: sum(c.stats.ends.get(k, 0) for c in callers) for k in ("join", "book", "complaint")}
    print(f"  END screens that acted: {ends}")
    for note in [*notes, *errors[:5], *over[:3]]:
        print(f"  {note}")
    print()
    print(f"bench: ussd.reply_p99_ms {percentile(ms, 99):.1f} ms")
    print(f"bench: ussd.reply_p50_ms {percentile(ms, 50):.1f} ms")
    print(f"bench: ussd.screens_over_182_chars {len(over)} count")
    print(f"bench: ussd.repeats_answered_differently {differing} count")
    print(f"bench: ussd.actions_doubled {doubled} count")
    print(f"bench: ussd.errors {len(errors)} count")
    print(f"bench: ussd.cpu_ms_per_reply {busy_s * 1000 / replies:.1f} ms")
    print(f"bench: ussd.server_cpu_ms_per_reply {own_s * 1000 / replies:.1f} ms")
    # A 50th of the operator's 15 s: the target for the p99.
    print(f"bench: ussd.p99_share_of_operator_limit {percentile(ms, 99) / 15000:.4f} ratio")


if __name__ == "__main__":
    main()

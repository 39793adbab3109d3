"""Queue management under load: full ticket cycles over HTTP against the production server.

Sets up one open centre (GPO Nairobi) with 50 counters (201..250) that all serve one dedicated
bench service (QMS-BENCH, ticket prefix Q), 50 counter officers and a reception user, then starts
the production server, Granian (3 WSGI workers, one thread each), on 127.0.0.1 with production
settings (PostgreSQL, persistent connections, Redis for cache and sessions, Huey tasks enqueued
to Redis db 15, never consumed and flushed at the end) and drives it with Python threads, one
kept-alive connection per virtual counter (a minimal HTTP/1.1 client: the generator shares
the two cores with the server and the database, so it should take as little as it can).

Every virtual counter signs in through the real sign-in page, opens its counter and then loops
over full cycles: issue a ticket (as reception, with an Idempotency-Key), call-next, start,
finish. The phases (QMS_PHASES) run for PHASE_S seconds each after WARMUP_S seconds of warm-up:

- "1", "10", "50": that many counters back to back, each starting its next cycle as soon as
  the last one finished. This measures the most cycles per second the machine does. Latency
  here is not a service level: with N clients always waiting on the server, the mean latency
  is N / throughput whatever the server does (Little's law).
- "50@150": 50 counters offering 150 cycles/s in all, each on a fixed schedule (one cycle every
  50/150 s, staggered). This measures latency at the target load. A cycle that starts late
  because the server fell behind counts its lateness in the issue latency, so an overloaded
  server shows as latency rather than hiding it ("coordinated omission").

For each phase it prints cycles/s, p50/p99 latency per action, the errors (non-2xx or transport
failures) and the whole machine's CPU use per cycle, then checks the database: no ticket called
twice (TicketEvent "called" <= 1 per ticket, and every ticket call-next handed out is distinct
across clients), none lost (every issued visit's ticket is served or still waiting, and the
served count equals the cycles completed).

Knobs (environment): QMS_SERVER (granian or gunicorn), QMS_WORKERS, QMS_THREADS,
QMS_WORKER_CLASS (gunicorn: sync or gthread), QMS_PHASE_S, QMS_WARMUP_S,
QMS_PHASES (e.g. "1,10,50,50@150"), QMS_REDIS_URL.
"""

import http.client
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import django

from bench.procstat import database_backends_cpu_s, group_cpu_s

HOST = "127.0.0.1"
CENTRE_CODE = "gpo-nairobi"
SERVICE_CODE = "QMS-BENCH"
COUNTER_NUMBERS = range(201, 251)
PASSWORD = "qms-bench-Pa55word!"  # a throwaway account in a scratch database
ACTIONS = ("issue", "call", "start", "finish")

# Server and worker model, measured on the 2-core machine at 50 counters (cycles/s, whole-machine
# CPU per cycle), after the hot path went to hand-written SQL: Granian 3 workers x 1 thread
# 157-165 (11.4-12.1 core-ms), 2 x 2 156, 4 x 1 153, 2 x 1 144 (cores left idle while a worker
# waits on the database); gunicorn 4 sync workers 135 (14.7 core-ms: its Python HTTP parsing
# and a new TCP connection per request, as sync workers do not keep connections alive).
# Before that change (ORM on every statement) it was 45-67 cycles/s whatever the server.
WORKERS = int(os.environ.get("QMS_WORKERS", "3"))
THREADS = int(os.environ.get("QMS_THREADS", "1"))
WORKER_CLASS = os.environ.get("QMS_WORKER_CLASS", "sync")
SERVER = os.environ.get("QMS_SERVER", "granian")
PHASE_S = float(os.environ.get("QMS_PHASE_S", "20"))
WARMUP_S = float(os.environ.get("QMS_WARMUP_S", "3"))


def _phase(spec: str) -> tuple[int, float | None]:
    """ "50" is 50 counters back to back; "50@150" is 50 counters offering 150 cycles/s."""
    counters, _, rate = spec.partition("@")
    return int(counters), float(rate) if rate else None


PHASES = tuple(_phase(s) for s in os.environ.get("QMS_PHASES", "1,10,50,50@150").split(","))
REDIS_URL = os.environ.get("QMS_REDIS_URL", "redis://127.0.0.1:6379/15")
TIMEOUT_S = 30.0


# --- data -----------------------------------------------------------------------------------


@dataclass
class World:
    centre_id: int
    service_id: int
    counters: list[int]  # counter ids, in number order
    officers: list[str]  # usernames, officers[i] staffs counters[i]
    reception: str


def setup_world() -> World:
    """Reference data, the bench service, counters and staff; leftovers of a previous run go."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from huduma.accounts.models import Role, User
    from huduma.catalogue.loader import load_reference_data
    from huduma.catalogue.models import MDA, CentreService, CounterService, Service
    from huduma.places.models import Centre, Counter
    from huduma.queues.models import CounterSession, Ticket

    load_reference_data(with_boundaries=False)
    centre = Centre.objects.get(code=CENTRE_CODE)
    if centre.status != Centre.Status.OPEN:
        centre.status = Centre.Status.OPEN
        centre.save(update_fields=["status"])
    password_hash = make_password(PASSWORD)
    with transaction.atomic():
        mda = MDA.objects.filter(code="NRB").first() or MDA.objects.order_by("pk").first()
        service, _ = Service.objects.get_or_create(
            code=SERVICE_CODE,
            defaults={
                "mda": mda,
                "group": "Q",
                "name_en": "Queue benchmark service",
                "name_sw": "Huduma ya kupima foleni",
                "description_en": "A service that exists only in the queue benchmark.",
                "description_sw": "Huduma iliyopo kwa kipimo cha foleni tu.",
                "fee_kes": 0,
                "turnaround_days": 0,
                "needs_documents": False,
            },
        )
        CentreService.objects.get_or_create(centre=centre, service=service)
        counters = []
        officers = []
        for i, number in enumerate(COUNTER_NUMBERS, start=1):
            counter, _ = Counter.objects.get_or_create(
                centre=centre, number=number, defaults={"name": f"Bench {number}"}
            )
            if not counter.is_active:
                counter.is_active = True
                counter.save(update_fields=["is_active"])
            CounterService.objects.get_or_create(counter=counter, service=service)
            counters.append(counter.pk)
            username = f"qms.bench.{i:02d}"
            User.objects.update_or_create(
                username=username,
                defaults={
                    "password": password_hash,
                    "role": Role.COUNTER_OFFICER,
                    "centre": centre,
                    "is_active": True,
                    "first_name": f"Bench officer {i}",
                },
            )
            officers.append(username)
        User.objects.update_or_create(
            username="qms.bench.reception",
            defaults={
                "password": password_hash,
                "role": Role.RECEPTION,
                "centre": centre,
                "is_active": True,
                "first_name": "Bench reception",
            },
        )
        # A re-run on the same database: no session or ticket of an earlier run may interfere.
        CounterSession.objects.filter(counter_id__in=counters).exclude(
            status=CounterSession.Status.CLOSED
        ).update(status=CounterSession.Status.CLOSED)
        Ticket.objects.filter(
            centre=centre,
            service=service,
            status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED, Ticket.Status.SERVING],
        ).update(status=Ticket.Status.CANCELLED)
    return World(centre.pk, service.pk, counters, officers, "qms.bench.reception")


# --- server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def redis_client():
    """The Redis db the server enqueues Huey tasks to, or None if Redis is not reachable."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        print(f"  (Redis at {REDIS_URL} not reachable: {exc}; Huey runs tasks in-process)")
        return None
    return client


def start_server(port: int, log_path: Path, with_redis: bool) -> subprocess.Popen:
    if SERVER not in ("granian", "gunicorn"):
        raise SystemExit(f"QMS_SERVER must be granian or gunicorn, not {SERVER!r}")
    if SERVER == "gunicorn" and importlib.util.find_spec("gunicorn") is None:
        raise SystemExit("QMS_SERVER=gunicorn: pip install gunicorn first (not a dependency)")
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],
        DJANGO_SETTINGS_MODULE="huduma.settings",
        HUDUMA_TESTING="1",
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        SECURE_COOKIES="0",
        SMS_BACKEND="memory",
        DB_CONN_MAX_AGE="600",
        LOG_LEVEL="ERROR",  # 4xx are counted by the client; the log is for tracebacks
        # The benches measure serving, not signing in: the virtual officers sign in with their
        # password only (production asks counter officers for a second factor at a new device).
        STAFF_SECOND_FACTOR_AT_COUNTERS="0",
    )
    if with_redis:
        env.update(REDIS_URL=REDIS_URL, HUEY_IMMEDIATE="0")
    else:
        env.pop("REDIS_URL", None)
        env["HUEY_IMMEDIATE"] = "1"
    if SERVER == "granian":
        cmd = [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "wsgi",
            "huduma.wsgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--blocking-threads",
            str(THREADS),
            "--log-level",
            "warning",
            "--no-ws",
        ]
    else:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "huduma.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            WORKER_CLASS,
            "--keep-alive",
            "75",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
    if WORKER_CLASS == "gthread":
        cmd += ["--threads", str(THREADS)]
    log = log_path.open("wb")
    proc = subprocess.Popen(
        cmd,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{SERVER} exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/staff/sign-in/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"{SERVER} did not answer in 30 s:\n{log_path.read_text()}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- HTTP client ----------------------------------------------------------------------------


@dataclass
class Identity:
    """A signed-in user: the session and CSRF cookies the server gave it."""

    session: str
    csrf: str

    def headers(self) -> dict:
        return {
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port: int, username: str) -> Identity:
    """The real sign-in page: GET it for the CSRF cookie, POST the form, keep the session."""
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_S)
    try:
        conn.request("GET", "/staff/sign-in/")
        response = conn.getresponse()
        response.read()
        csrf = _cookies(response)["csrftoken"]
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf, "next": ""}
        )
        conn.request(
            "POST",
            "/staff/sign-in/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
                "Referer": f"http://{HOST}:{port}/staff/sign-in/",
            },
        )
        response = conn.getresponse()
        response.read()
        cookies = _cookies(response)
        if response.status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"sign-in of {username} failed: HTTP {response.status}")
        # Django rotates the CSRF token at sign-in.
        return Identity(cookies["sessionid"], cookies.get("csrftoken", csrf))
    finally:
        conn.close()


class HttpError(Exception):
    pass


class LeanConnection:
    """A kept-alive HTTP/1.1 client connection doing just what the bench needs (a request
    with a body, a response with Content-Length), so that the load generator, which shares
    the machine's two cores with the server, takes as little CPU as it can. http.client's
    header parsing (the email package) costs about three times as much per request."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=TIMEOUT_S)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        lines += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *fields = head.split(b"\r\n")
        status, length, close = int(status_line.split()[1]), None, False
        for line in fields:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
            elif name == b"transfer-encoding":
                raise ConnectionError("a chunked response: the bench client reads only sized ones")
        if length is None:
            raise ConnectionError("a response without Content-Length")
        while len(self.buffer) < length:
            self._fill()
        data, self.buffer = self.buffer[:length], self.buffer[length:]
        if close:  # gunicorn's sync workers close after each response
            self.close()
        return status, data


@dataclass
class Stats:
    """One virtual counter's measurements in one phase."""

    samples: dict = field(default_factory=lambda: {a: [] for a in ACTIONS})  # (t, seconds)
    cycle_ends: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    called: list = field(default_factory=list)  # ticket ids call-next returned
    finished: list = field(default_factory=list)  # ticket ids finished
    issued: int = 0
    empty_calls: int = 0
    aborted: bool = False


class VirtualCounter:
    def __init__(self, port: int, counter_id: int, officer: Identity, reception: Identity):
        self.port = port
        self.counter_id = counter_id
        self.officer = officer
        self.reception = reception
        self.conn: LeanConnection | None = None
        self.stats = Stats()

    def connect(self) -> None:
        # The socket opens on the first request, and again whenever the server closed it.
        self.conn = LeanConnection(self.port)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post(
        self,
        action: str | None,
        path: str,
        payload,
        who: Identity,
        due: float | None = None,
        **headers,
    ) -> dict:
        """POST JSON; record the latency under `action` (from `due`, the time the request was
        meant to go, when that is earlier); raise HttpError on non-2xx."""
        body = json.dumps(payload).encode() if payload is not None else b""
        all_headers = {"Content-Type": "application/json", **who.headers(), **headers}
        started = time.perf_counter()
        if due is not None:
            started = min(started, due)
        try:
            status, data = self.conn.request("POST", path, body, all_headers)
        except (OSError, ValueError, IndexError) as exc:
            self.stats.errors.append((action, f"{type(exc).__name__}: {exc}"))
            self.close()  # the connection is in an unknown state: start a new one
            self.connect()
            raise HttpError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        if action is not None:
            self.stats.samples[action].append((started, elapsed))
        if not 200 <= status < 300:
            self.stats.errors.append((action, f"HTTP {status} {data[:200]!r}"))
            raise HttpError(f"{path}: HTTP {status}")
        return json.loads(data) if data else {}

    def open(self) -> None:
        self.post(None, f"/api/queues/counters/{self.counter_id}/open", None, self.officer)

    def shut(self) -> None:
        self.post(None, f"/api/queues/counters/{self.counter_id}/close", None, self.officer)

    def run(
        self,
        key_prefix: str,
        stop_at: float,
        go: threading.Event,
        interval: float | None = None,
        offset: float = 0.0,
    ) -> None:
        """Cycle until `stop_at`: back to back, or (paced) one cycle every `interval` seconds
        on a fixed schedule, whether or not the server kept up."""
        go.wait()
        began = time.perf_counter()
        seq = 0
        try:
            while time.perf_counter() < stop_at:
                scheduled = None
                if interval is not None:
                    scheduled = began + offset + seq * interval
                    delay = scheduled - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    if scheduled >= stop_at:
                        break
                seq += 1
                self.cycle(f"{key_prefix}-{self.counter_id}-{seq}", scheduled)
        except HttpError:
            # The counter may now hold a ticket it could not finish: stop this virtual counter
            # rather than pile up errors; the integrity check will show what it left behind.
            self.stats.aborted = True

    def cycle(self, idempotency_key: str, scheduled: float | None = None) -> None:
        # A paced cycle's first request counts from its scheduled start, so time spent behind
        # schedule shows as latency instead of vanishing ("coordinated omission").
        centre = CENTRE_CODE
        self.post(
            "issue",
            f"/api/queues/centres/{centre}/visits",
            {"services": [SERVICE_CODE], "requirements_confirmed": True},
            self.reception,
            due=scheduled,
            **{"Idempotency-Key": idempotency_key},
        )
        self.stats.issued += 1
        for _ in range(20):
            called = self.post(
                "call", f"/api/queues/counters/{self.counter_id}/call-next", None, self.officer
            )
            if called.get("ticket"):
                break
            # Every ticket in this counter's snapshot was taken by others meanwhile.
            self.stats.empty_calls += 1
            time.sleep(0.005)
        else:
            self.stats.errors.append(("call", "call-next found nothing 20 times in a row"))
            raise HttpError("call-next found nothing 20 times in a row")
        ticket_id = called["ticket"]["id"]
        self.stats.called.append(ticket_id)
        action = {"counter": self.counter_id}
        self.post("start", f"/api/queues/tickets/{ticket_id}/start", action, self.officer)
        self.post("finish", f"/api/queues/tickets/{ticket_id}/finish", action, self.officer)
        self.stats.finished.append(ticket_id)
        self.stats.cycle_ends.append(time.perf_counter())


# --- phases ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class PhaseResult:
    counters: int
    offered: float | None  # cycles/s offered in a paced phase; None: back to back
    cpu_busy: float  # cores busy, whole machine, during the measured window
    own_cpu_s: float  # CPU seconds of the server's processes and its database backends
    cycles_per_s: float
    cycles_total: int
    latency: dict  # action -> (n, p50 ms, p99 ms, max ms)
    errors: int
    empty_calls: int
    duplicates: int
    lost: int
    notes: list


def busy_jiffies() -> int:
    """CPU time the whole machine has spent busy (all cores), in clock ticks."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle, iowait = fields[3], fields[4]
    return sum(fields[:8]) - idle - iowait


# The server under test (its process group) and its database, set when the server starts.
SERVER_PGID: int | None = None


def own_cpu_s() -> float:
    """CPU seconds the server's processes and its PostgreSQL backends have used so far: unlike
    the whole machine's busy time, it does not count the load generator or anything else."""
    if SERVER_PGID is None:
        return 0.0
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
    return group_cpu_s(SERVER_PGID) + database_backends_cpu_s(database)


def run_phase(
    clients: list[VirtualCounter], run_tag: str, world: World, rate: float | None = None
) -> PhaseResult:
    n = len(clients)
    interval = n / rate if rate else None
    for client in clients:
        client.stats = Stats()
        client.connect()
        client.open()
    go = threading.Event()
    t0 = time.perf_counter() + 0.2
    window = (t0 + WARMUP_S, t0 + WARMUP_S + PHASE_S)
    key_prefix = f"{run_tag}-c{n}" + (f"r{rate:g}" if rate else "")
    threads = [
        threading.Thread(
            target=c.run,
            args=(key_prefix, window[1], go, interval, i * interval / n if interval else 0.0),
            daemon=True,
        )
        for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    while time.perf_counter() < t0:
        time.sleep(0.01)
    go.set()
    time.sleep(max(0.0, window[0] - time.perf_counter()))
    busy_before, own_before = busy_jiffies(), own_cpu_s()
    time.sleep(max(0.0, window[1] - time.perf_counter()))
    cpu_busy = (busy_jiffies() - busy_before) / os.sysconf("SC_CLK_TCK") / PHASE_S
    own_cpu = own_cpu_s() - own_before
    for thread in threads:
        thread.join()
    notes = []
    for client in clients:
        try:
            client.shut()
        except HttpError as exc:
            notes.append(f"counter {client.counter_id} could not close: {exc}")
        client.close()

    def in_window(t: float) -> bool:
        return window[0] <= t < window[1]

    cycles = sum(1 for c in clients for t in c.stats.cycle_ends if in_window(t))
    latency = {}
    for action in ACTIONS:
        ms = [s * 1000 for c in clients for t, s in c.stats.samples[action] if in_window(t)]
        latency[action] = (
            (len(ms), percentile(ms, 50), percentile(ms, 99), max(ms)) if ms else (0, 0, 0, 0)
        )
    errors = [e for c in clients for e in c.stats.errors]
    for action, message in errors[:5]:
        notes.append(f"error in {action}: {message}")
    if any(c.stats.aborted for c in clients):
        notes.append(f"{sum(c.stats.aborted for c in clients)} virtual counters stopped early")
    duplicates, lost, checks = verify(clients, key_prefix, world)
    notes += checks
    return PhaseResult(
        counters=n,
        offered=rate,
        cpu_busy=cpu_busy,
        own_cpu_s=own_cpu,
        cycles_per_s=cycles / PHASE_S,
        cycles_total=sum(len(c.stats.finished) for c in clients),
        latency=latency,
        errors=len(errors),
        empty_calls=sum(c.stats.empty_calls for c in clients),
        duplicates=duplicates,
        lost=lost,
        notes=notes,
    )


def verify(clients: list[VirtualCounter], key_prefix: str, world: World):
    """Duplicates and lost tickets of one phase, from the database and the clients' answers."""
    from django.db.models import Count

    from huduma.queues.models import Ticket, TicketEvent, Visit

    notes = []
    called = [t for c in clients for t in c.stats.called]
    client_dups = len(called) - len(set(called))
    visits = Visit.objects.filter(
        centre_id=world.centre_id, idempotency_key__startswith=key_prefix + "-"
    )
    tickets = Ticket.objects.filter(visit__in=visits)
    event_dups = (
        TicketEvent.objects.filter(ticket__in=tickets, kind=TicketEvent.Kind.CALLED)
        .values("ticket")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    # Tickets of earlier phases still waiting may be called in this one: count those too.
    called_events_elsewhere = TicketEvent.objects.filter(
        ticket_id__in=called, kind=TicketEvent.Kind.CALLED
    ).exclude(ticket__in=tickets)
    event_dups += (
        called_events_elsewhere.values("ticket").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    by_status = dict(tickets.values_list("status").annotate(n=Count("id")))
    issued_db = visits.count()
    issued_clients = sum(c.stats.issued for c in clients)
    finished = [t for c in clients for t in c.stats.finished]
    # Lost: an issued visit whose ticket is neither served nor waiting, a visit a client was
    # told about but the database lacks, or served tickets that do not match finished cycles.
    stuck = sum(v for k, v in by_status.items() if k not in ("served", "waiting"))
    missing = max(0, issued_clients - issued_db)
    # Served in the database: this phase's tickets, plus earlier phases' waiting tickets that
    # this phase's counters called and finished.
    ours = {str(pk) for pk in tickets.values_list("pk", flat=True)}
    earlier = [t for t in set(finished) if t not in ours]
    served = (
        by_status.get("served", 0)
        + Ticket.objects.filter(pk__in=earlier, status=Ticket.Status.SERVED).count()
    )
    if served != len(finished):
        notes.append(f"served {served} != {len(finished)} cycles completed")
    lost = stuck + missing + abs(served - len(finished))
    if stuck or missing:
        notes.append(f"stuck (called or serving) {stuck}, issued but not in the database {missing}")
    notes.append(
        f"integrity: {issued_db} visits issued, tickets {dict(sorted(by_status.items()))}, "
        f"{len(finished)} cycles; called twice: {event_dups} (events), {client_dups} (answers)"
    )
    return event_dups + client_dups, lost, notes


# --- report ---------------------------------------------------------------------------------


def print_phase(result: PhaseResult) -> None:
    paced = f", paced at {result.offered:g} cycles/s offered" if result.offered else ""
    per_cycle = result.cpu_busy * 1000 / result.cycles_per_s if result.cycles_per_s else 0
    print(
        f"\n  {result.counters} counter(s){paced}: {result.cycles_per_s:.1f} cycles/s "
        f"({result.cycles_total} cycles in all), errors {result.errors}, "
        f"empty calls {result.empty_calls}, duplicates {result.duplicates}, lost {result.lost}"
    )
    print(f"    {'action':<8}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for action in ACTIONS:
        count, p50, p99, worst = result.latency[action]
        print(f"    {action:<8}{count:>10}{p50:>10.1f}{p99:>10.1f}{worst:>10.1f}")
    print(
        f"    machine CPU: {result.cpu_busy:.2f} of {os.cpu_count()} cores busy, "
        f"{per_cycle:.1f} core-ms per cycle (server, database and this load generator)"
    )
    for note in result.notes:
        print(f"    {note}")


def main() -> None:
    django.setup()
    began = time.perf_counter()
    print(
        f"qms_load: {SERVER} {WORKERS} workers"
        + (f" x {THREADS} threads" if SERVER == "granian" or WORKER_CLASS == "gthread" else "")
        + (f" ({WORKER_CLASS})" if SERVER == "gunicorn" else "")
        + f"; phases {','.join(f'{n}@{r:g}' if r else str(n) for n, r in PHASES)} counters"
        + f", {WARMUP_S:g} s warm-up + {PHASE_S:g} s each"
    )
    world = setup_world()
    print(f"  set-up: {time.perf_counter() - began:.1f} s")
    from django.db import connection

    connection.close()  # the server's workers need the connections, not us
    redis = redis_client()
    port = free_port()
    run_tag = f"qms-{uuid.uuid4().hex[:8]}"
    results: list[PhaseResult] = []
    with tempfile.TemporaryDirectory(prefix="qms-load-") as tmp:
        log_path = Path(tmp) / "server.log"
        server = start_server(port, log_path, redis is not None)
        global SERVER_PGID
        SERVER_PGID = os.getpgid(server.pid)
        try:
            started = time.perf_counter()
            needed = max(n for n, _ in PHASES)
            names = [*world.officers[:needed], world.reception]
            # Four sign-ins at a time: each costs a PBKDF2 hash on the server.
            with ThreadPoolExecutor(max_workers=4) as pool:
                identities = dict(
                    zip(names, pool.map(lambda u: sign_in(port, u), names), strict=True)
                )
            print(f"  {len(names)} sign-ins: {time.perf_counter() - started:.1f} s")
            reception = identities[world.reception]
            clients = [
                VirtualCounter(port, world.counters[i], identities[world.officers[i]], reception)
                for i in range(needed)
            ]
            for n, rate in PHASES:
                result = run_phase(clients[:n], run_tag, world, rate)
                results.append(result)
                print_phase(result)
        finally:
            stop_server(server)
            log = log_path.read_text(errors="replace").strip()
            if log:
                print("  server log (last 2,000 characters):\n" + log[-2000:])
            if redis is not None:
                queued = sum(
                    redis.llen(key) for key in redis.scan_iter() if redis.type(key) == b"list"
                )
                print(f"  Redis db: {queued} Huey tasks were enqueued (none consumed); flushed")
                redis.flushdb()

    def worst_p99(r: PhaseResult) -> float:
        return max(p99 for _, _, p99, _ in r.latency.values())

    def label(r: PhaseResult) -> str:
        return f"c{r.counters}" + (f"_paced{r.offered:g}" if r.offered else "")

    saturated = [r for r in results if r.offered is None]
    paced = [r for r in results if r.offered is not None]
    # Throughput: 50 counters back to back (the most the machine does). Latency: 50 counters
    # offering the target rate; back to back, latency is just counters / throughput (Little).
    head = max(saturated, key=lambda r: r.counters) if saturated else results[-1]
    head_paced = max(paced, key=lambda r: r.counters) if paced else head
    print()
    print(f"bench: qms.cycles_per_s {head.cycles_per_s:.1f} 1/s")
    print(f"bench: qms.p99_ms {worst_p99(head_paced):.1f} ms")
    print(f"bench: qms.duplicates {sum(r.duplicates + r.lost for r in results)} count")
    for r in results:
        print(f"bench: qms.cycles_per_s_{label(r)} {r.cycles_per_s:.1f} 1/s")
        print(f"bench: qms.p99_ms_{label(r)} {worst_p99(r):.1f} ms")
        if r.cycles_per_s:
            print(
                f"bench: qms.cpu_ms_per_cycle_{label(r)} {r.cpu_busy * 1000 / r.cycles_per_s:.1f} ms"
            )
            # The server's and its database's own CPU: comparable when the machine is shared.
            own = r.own_cpu_s * 1000 / (r.cycles_per_s * PHASE_S)
            print(f"bench: qms.server_cpu_ms_per_cycle_{label(r)} {own:.1f} ms")
    print(f"bench: qms.errors {sum(r.errors for r in results)} count")
    print(f"  total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()

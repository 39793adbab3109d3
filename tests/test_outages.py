"""PostgreSQL or Redis going away under load: the production server (Granian, production
settings) answers a clear 503 while the database is away (the cache's outage is not even
seen), recovers on its own when it is back, and loses no ticket it acknowledged.

The server reaches PostgreSQL and Redis through relays the test cuts and restores (the real
servers keep running: this test session uses them).
"""

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from huduma.notify.models import Message
from huduma.queues.models import Visit
from tests.conftest import IN_CI, require_postgres
from tests.relay import Relay

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOST = "127.0.0.1"
REDIS_DB = 9  # a database of its own in the local Redis, emptied at the end
ROOT = Path(__file__).resolve().parent.parent


def _redis():
    """The local Redis, or None if there is none."""
    import redis

    client = redis.Redis(host=HOST, port=6379, db=REDIS_DB, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return None
    return client


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """Granian with the production settings, as the README runs it."""

    def __init__(self, db_port: int, redis_port: int | None, log: Path):
        self.port = _free_port()
        db = connection.settings_dict
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "HUDUMA_TESTING")}
        env.update(
            DJANGO_SETTINGS_MODULE="huduma.settings",
            DATABASE_URL=f"postgres://{db['USER']}@{HOST}:{db_port}/{db['NAME']}",
            # Production refuses to start without a checkpoint sink and witness (ledger E003,
            # E005): a file beside the log, and the email witness.
            HUDUMA_CHECKPOINT_SINK_FILE=str(log.parent / "checkpoints.jsonl"),
            HUDUMA_CHECKPOINT_EMAIL="1",
            HUEY_IMMEDIATE="0",  # tasks are queued; no consumer runs (the sweep's job)
            SECRET_KEY="outage-test-" + uuid.uuid4().hex,
            ALLOWED_HOSTS=HOST,
            DEBUG="0",
            HUDUMA_PAYMENTS_SANDBOX="1",  # the sandbox payment provider, declared
            SECURE_COOKIES="0",
            SMS_BACKEND="memory",
            DB_CONN_MAX_AGE="600",
            DB_CONNECT_TIMEOUT="2",
        )
        if redis_port is None:
            env.pop("REDIS_URL", None)
            env["HUEY_IMMEDIATE"] = "1"  # no broker: tasks run in the request
        else:
            env["REDIS_URL"] = f"redis://{HOST}:{redis_port}/{REDIS_DB}"
        granian = str(Path(sys.executable).parent / "granian")
        cmd = [granian, "--interface", "wsgi", "huduma.wsgi:application", "--host", HOST]
        cmd += ["--port", str(self.port), "--workers", "1", "--blocking-threads", "2", "--no-ws"]
        self.log = log
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()
            with contextlib.suppress(OSError):
                if self.request("GET", "/api/health")[0] == 200:
                    return
            time.sleep(0.3)
        self.stop()
        raise AssertionError(f"the server did not start:\n{log.read_text()}")

    def request(self, method, path, body=None, source=1, timeout=10):
        # Each client address has its own rate limit: vary the source address (127.0.0.x).
        conn = http.client.HTTPConnection(
            HOST, self.port, timeout=timeout, source_address=(f"127.0.0.{source}", 0)
        )
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = conn.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Citizens:
    """Citizens joining the queue by phone, one after another, from threads; every
    acknowledged (201) visit is recorded."""

    def __init__(self, server: Server):
        self.server = server
        self.acknowledged: list[str] = []
        self.statuses: list[int] = []
        self.slowest = 0.0
        self._n = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def join(self) -> tuple[int, dict, bytes]:
        with self._lock:
            self._n += 1
            n = self._n
        payload = {
            "services": ["NHIF-REGISTRATION"],
            "phone": f"07{n:08d}",
            "requirements_confirmed": True,
            "language": "en",
        }
        started = time.monotonic()
        status, headers, body = self.server.request(
            "POST", "/api/queues/centres/gpo-nairobi/join", payload, source=2 + n % 200
        )
        with self._lock:
            self.slowest = max(self.slowest, time.monotonic() - started)
            self.statuses.append(status)
            if status == 201:
                self.acknowledged.append(json.loads(body)["id"])
        return status, headers, body

    def start(self, threads=2):
        def loop():
            while not self._stop.is_set():
                with contextlib.suppress(OSError):
                    self.join()
                time.sleep(0.05)

        self._threads = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
        for thread in self._threads:
            thread.start()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


@pytest.fixture
def production(world, tmp_path):
    """The server, behind a relay to PostgreSQL and (when there is a local Redis, as in
    production) one to Redis."""
    require_postgres()
    redis = _redis()
    db = Relay(settings.DATABASES["default"].get("HOST") or HOST, 5432).start()
    cache = Relay(HOST, 6379).start() if redis is not None else None
    server = Server(db.port, cache.port if cache else None, tmp_path / "server.log")
    try:
        yield server, db, cache
    finally:
        server.stop()
        db.stop()
        if cache is not None:
            cache.stop()
            redis.flushdb()


def _until(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_the_server_answers_503_while_postgres_is_away_and_recovers_by_itself(production):
    server, db, _cache = production
    citizens = Citizens(server)
    assert citizens.join()[0] == 201
    pid = server.proc.pid
    citizens.start()
    time.sleep(1.5)

    db.cut()  # PostgreSQL restarts: connections dropped, new ones refused
    time.sleep(1)
    started = time.monotonic()
    status, headers, body = citizens.join()
    assert time.monotonic() - started < 5  # no hang
    assert status == 503, body
    assert headers["retry-after"]
    assert json.loads(body)["code"] == "unavailable"
    status, headers, body = server.request("GET", "/centres/")
    assert status == 503 and headers["retry-after"]
    assert "Huduma haipatikani" in body.decode() and "Briefly unavailable" in body.decode()
    time.sleep(1.5)

    db.restore()
    # The same process answers again, by itself.
    assert _until(lambda: server.request("GET", "/centres/")[0] == 200)
    time.sleep(1.5)
    citizens.stop()
    assert citizens.join()[0] == 201
    assert server.proc.poll() is None and server.proc.pid == pid
    assert set(citizens.statuses) <= {201, 503}, citizens.statuses
    assert 503 in citizens.statuses
    assert citizens.slowest < 6
    # Every ticket acknowledged with 201 exists, and every ticket has its SMS row
    # (a request cut off mid-way may have written a ticket it could not acknowledge).
    acknowledged = {uuid.UUID(pk) for pk in citizens.acknowledged}
    assert len(acknowledged) > 3
    assert set(Visit.objects.filter(pk__in=acknowledged).values_list("pk", flat=True)) == (
        acknowledged
    )
    assert (
        Message.objects.filter(template__startswith="ticket_issued").count()
        == Visit.objects.count()
    )


def test_a_redis_outage_is_not_seen_by_citizens(production):
    server, _db, cache = production
    if cache is None:
        if IN_CI:
            pytest.fail("CI=true: this test needs Redis on 127.0.0.1:6379")
        pytest.skip("needs Redis on 127.0.0.1:6379")
    citizens = Citizens(server)
    assert citizens.join()[0] == 201
    citizens.start()
    time.sleep(1)

    cache.cut()  # Redis away: no cache, no sessions cache, no task queue
    time.sleep(1.5)
    assert citizens.join()[0] == 201
    assert server.request("GET", "/centres/")[0] == 200
    assert server.request("GET", "/api/queues/centres/gpo-nairobi/estimates")[0] == 200
    cache.restore()
    time.sleep(1.5)
    citizens.stop()
    assert citizens.join()[0] == 201
    assert set(citizens.statuses) == {201}, citizens.statuses
    acknowledged = {uuid.UUID(pk) for pk in citizens.acknowledged}
    assert Visit.objects.filter(pk__in=acknowledged).count() == len(acknowledged)
    # The SMS of tickets issued while Redis was away could not be queued: they are rows the
    # sweep sends.
    assert (
        Message.objects.filter(template__startswith="ticket_issued").count()
        == Visit.objects.count()
    )

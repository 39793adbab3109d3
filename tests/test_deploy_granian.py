"""The shipped web server unit keeps serving when one of its worker processes is killed.

Granian is started with the exact ExecStart of deploy/huduma-web.service (only the venv path,
host and port are substituted), so the unit and what is tested cannot drift apart.
"""

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_deploy_check import production_env

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "huduma-web.service"


def unit_exec_start(path: Path) -> list[str]:
    lines = [line.strip() for line in path.read_text().splitlines()]
    (exec_start,) = [line.split("=", 1)[1] for line in lines if line.startswith("ExecStart=")]
    return shlex.split(exec_start)


def with_option(argv: list[str], name: str, value: str) -> list[str]:
    argv = list(argv)
    argv[argv.index(name) + 1] = value
    return argv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def is_gone(pid: int) -> bool:
    """Dead and reaped: every thread has exited, so no accept() of it is still in flight."""
    return not Path(f"/proc/{pid}").exists()


def health(port: int, timeout: float = 10) -> bool:
    # A generous timeout: on a busy machine a request may wait for a worker still importing
    # Django. What must never happen is the refusal of a server that has stopped.
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=timeout) as r:
            return r.status == 200 and b"ok" in r.read()
    except OSError:
        return False


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_unit_restarts_whatever_dies():
    for unit in ("huduma-web.service", "huduma-worker.service"):
        text = (ROOT / "deploy" / unit).read_text()
        assert "\nRestart=always\n" in text
        assert "\nStartLimitIntervalSec=0\n" in text  # systemd never gives up restarting


def test_killing_a_web_worker_does_not_stop_the_server(tmp_path):
    argv = unit_exec_start(UNIT)
    assert argv[0].endswith("/granian") and "--respawn-failed-workers" in argv
    port = free_port()
    argv = [str(Path(sys.executable).parent / "granian"), *argv[1:]]
    argv = with_option(with_option(argv, "--host", "127.0.0.1"), "--port", str(port))
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "huduma.settings",
        "DEBUG": "0",
        # The sandbox payment provider, declared (else the server refuses to start).
        "HUDUMA_PAYMENTS_SANDBOX": "1",
        "SECRET_KEY": "test-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HUDUMA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    # Production refuses to start without tamper evidence: the key, sink and witness it needs.
    env.update(
        {
            k: v
            for k, v in production_env(tmp_path).items()
            if k.startswith(("HUDUMA_SIGNING", "HUDUMA_CHECKPOINT"))
        }
    )
    log = (tmp_path / "granian.log").open("w")
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        workers = int(argv[argv.index("--workers") + 1])
        log_path = tmp_path / "granian.log"

        def started() -> int:
            return log_path.read_text().count("] Started worker-")

        assert wait_until(lambda: started() == workers, 60), log_path.read_text()
        assert health(port)
        workers_before = children(server.pid)
        assert len(workers_before) == workers

        victim = min(workers_before)
        os.kill(victim, signal.SIGKILL)

        # A request the worker held as it died is lost, like any request in flight on a dead
        # process. Once it is gone, the server still answers, every time, and it is replaced.
        assert wait_until(lambda: is_gone(victim), 10)
        assert wait_until(lambda: health(port), 10), "server stopped answering"
        assert all(health(port) for _ in range(20))
        assert wait_until(lambda: started() == workers + 1, 30), "the worker was not respawned"
        assert len(children(server.pid) - {victim}) == workers
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()

"""Every minute, the chains' signed heads leave the installation: to the sink file and to a
witness (an HTTP endpoint, the monitors' email). A checkpoint that cannot leave is an error the
monitors hear about, never a silent success."""

import datetime as dt
import itertools
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huduma.ledger import checkpoints, tasks
from huduma.ledger.models import Checkpoint
from huduma.notify.models import Message
from tests.test_ledger_receipts import pay


class Witness:
    """An endpoint outside the installation (of the Auditor-General's kind) that keeps every
    body posted to it, as JSON lines an auditor can read later."""

    def __init__(self, status: int = 200):
        self.bodies: list[dict] = []
        witness = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                witness.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/checkpoints"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def records(self) -> list[dict]:
        return [r for body in self.bodies for r in body["checkpoints"]]

    def save(self, path) -> None:
        path.write_text("".join(json.dumps(body) + "\n" for body in self.bodies))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def witness(settings, tmp_path):
    w = Witness()
    settings.HUDUMA_CHECKPOINT_WITNESS_URL = w.url
    settings.HUDUMA_CHECKPOINT_SINK_FILE = str(tmp_path / "sink" / "checkpoints.jsonl")
    yield w
    w.close()


def test_a_checkpoint_reaches_the_witness_every_minute(world, witness, clock):
    huey = tasks.checkpoint_task.huey
    # Huey's scheduler reads naive UTC times.
    start = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC).replace(tzinfo=None)
    minutes = [start + dt.timedelta(minutes=n) for n in range(60)]
    due = [m for m in minutes if "checkpoint_task" in {t.name for t in huey.read_periodic(m)}]
    assert due == minutes  # every minute of the hour, not every 15
    for n in range(3):
        clock.advance(minutes=1)
        pay(world, amount=f"{100 + n}.00")
        tasks.checkpoint_task()
    assert len(witness.bodies) == 3
    ledger = [r for r in witness.records() if r["chain"].startswith("ledger:")]
    assert [r["position"] for r in ledger] == [1, 2, 3]
    moments = [dt.datetime.fromisoformat(r["at"]) for r in ledger]
    assert [b - a for a, b in itertools.pairwise(moments)] == [dt.timedelta(minutes=1)] * 2
    assert all(r["key_id"] and r["signature"] for r in witness.records())


def test_each_minute_is_also_emailed_to_the_monitors(world, witness, settings):
    settings.HUDUMA_CHECKPOINT_EMAIL = True
    world.mona.email = "mona@eacc.example"
    world.mona.save()
    pay(world)
    tasks.checkpoint_task()
    [email] = Message.objects.filter(to="mona@eacc.example")
    assert '"chain": "ledger:NRB:gpo-nairobi"' in email.body


def test_a_failed_sink_write_reaches_the_monitors_and_fails(
    world, witness, settings, tmp_path, caplog
):
    world.mona.email = "mona@eacc.example"
    world.mona.phone = "+254700000999"
    world.mona.save()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # the sink's volume is not mounted: a file sits where it should be
    settings.HUDUMA_CHECKPOINT_SINK_FILE = str(blocker / "checkpoints.jsonl")
    pay(world)
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError, match="not sent outside"):
        call_command("checkpoint_chains")
    assert any(
        r.levelno == logging.ERROR and "checkpoint not sent" in r.getMessage()
        for r in caplog.records
    )
    email = Message.objects.get(to="mona@eacc.example")
    assert "could not be sent outside the database" in email.body
    sms = Message.objects.get(to="+254700000999")
    assert "Tamper evidence is off" in sms.body
    # Signed and stored all the same, and the witness still got it.
    assert Checkpoint.objects.filter(chain="ledger:NRB:gpo-nairobi").count() == 1
    assert len(witness.bodies) == 1
    # The periodic task fails too (Huey records the failure), it does not return quietly.
    with pytest.raises(checkpoints.CheckpointNotSent):
        tasks.checkpoint_task.call_local()


def test_a_witness_that_does_not_answer_reaches_the_monitors(world, witness, settings):
    world.mona.email = "mona@eacc.example"
    world.mona.save()
    witness.close()  # the endpoint is down
    with pytest.raises(checkpoints.CheckpointNotSent, match="witness"):
        checkpoints.checkpoint_take()
    assert Message.objects.filter(to="mona@eacc.example", body__contains="witness").exists()

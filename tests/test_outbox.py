"""The outbox: every SMS is a row written with the change that causes it, and it goes out
exactly once even when the worker dies (before running the task, or while sending)."""

import threading

import pytest
from django.db import connections, transaction
from huey.contrib.djhuey import HUEY

from huduma.notify import services as notify
from huduma.notify.models import Message
from huduma.notify.tasks import deliver_due_messages_task
from huduma.queues import services
from huduma.queues.tasks import near_front_sweep_task
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db


class Worker:
    """The Huey worker (tasks run at once in tests), which a test can kill: a dead worker
    accepts tasks and never runs them; a broker outage refuses them."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.alive_enqueue = HUEY.enqueue
        self.dropped = []

    def die(self):
        self.monkeypatch.setattr(HUEY, "enqueue", self.dropped.append)

    def broker_down(self):
        def refuse(task):
            raise ConnectionError("broker away (simulated)")

        self.monkeypatch.setattr(HUEY, "enqueue", refuse)

    def revive(self):
        self.monkeypatch.setattr(HUEY, "enqueue", self.alive_enqueue)

    def sweep(self):
        """The periodic sweep, run by a worker that is alive again."""
        self.revive()
        deliver_due_messages_task.call_local()


@pytest.fixture
def worker(monkeypatch):
    return Worker(monkeypatch)


def _join(world, phone="0712345678", language="en"):
    return services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="web",
        requirements_confirmed=True,
        phone=phone,
        language=language,
    )


def test_ticket_sms_survives_the_worker_dying_after_the_issue(
    world, clock, _memory_sms, worker, django_capture_on_commit_callbacks
):
    worker.die()
    with django_capture_on_commit_callbacks(execute=True):
        visit = _join(world)
    assert worker.dropped  # a task was queued ...
    assert _memory_sms.outbox == []  # ... and never ran
    message = Message.objects.get(template__startswith="ticket_issued")  # committed with the visit
    assert message.status == Message.Status.QUEUED
    worker.sweep()
    worker.sweep()
    assert _memory_sms.outbox == [("+254712345678", message.body)]
    assert visit.number in message.body


def test_called_sms_survives_the_worker_dying_after_the_call(
    world, clock, officers, _memory_sms, worker, django_capture_on_commit_callbacks
):
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    with django_capture_on_commit_callbacks(execute=True):
        visit = _join(world, language="sw")
    worker.die()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter=counter, officer=officers[2])
    assert worker.dropped
    message = Message.objects.get(template="ticket_called")
    assert message.body == f"Huduma Centre GPO: tiketi {visit.number}, tafadhali nenda kaunta 2."
    worker.sweep()
    worker.sweep()
    assert [body for _, body in _memory_sms.outbox].count(message.body) == 1


def test_a_ticket_without_a_phone_gets_no_called_sms(world, clock, officers, _memory_sms):
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
        phone="0712345678",  # reception took a number, but the citizen is in the hall
    )
    services.ticket_call_next(counter=counter, officer=officers[2])
    assert not Message.objects.filter(template="ticket_called").exists()


def test_near_front_sms_survives_the_worker_dying_after_the_call(
    world, clock, officers, _memory_sms, settings, worker, django_capture_on_commit_callbacks
):
    settings.QMS_NEAR_FRONT_PLACES = 1
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    services.visit_issue(
        centre=world.gpo,
        services=[world.nhif_reg],
        channel="reception",
        requirements_confirmed=True,
    )
    clock.advance(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        visit = _join(world)
    worker.die()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter=counter, officer=officers[2])
    assert not Message.objects.filter(template="ticket_near_front").exists()
    worker.revive()
    with django_capture_on_commit_callbacks(execute=True):
        near_front_sweep_task.call_local()  # a minute later
        near_front_sweep_task.call_local()
    sent = [body for _, body in _memory_sms.outbox if "away from being served" in body]
    assert len(sent) == 1 and visit.number in sent[0]


def test_a_broker_outage_does_not_fail_the_request(client, world, clock, _memory_sms, worker):
    worker.broker_down()
    response = client.post(
        "/api/queues/centres/gpo-nairobi/join",
        {"services": ["NHIF-REGISTRATION"], "phone": "0712345678", "requirements_confirmed": True},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == 1
    worker.sweep()
    assert len(_memory_sms.outbox) == 1


def test_a_rolled_back_change_leaves_no_message(world, clock, officers, _memory_sms):
    counter = world.counters[("gpo-nairobi", 2)]
    services.counter_open(counter=counter, officer=officers[2])
    with pytest.raises(RuntimeError), transaction.atomic():
        _join(world)
        services.ticket_call_next(counter=counter, officer=officers[2])
        assert Message.objects.count() == 2  # the ticket SMS and the called SMS ...
        raise RuntimeError("the request failed")
    assert Message.objects.count() == 0  # ... went with the change


def test_a_message_left_sending_by_a_dead_worker_goes_within_a_minute_once(clock, _memory_sms):
    message = notify.sms_send(to="0712345678", template="test", context={})
    assert notify._claim(message.pk) is not None  # a worker took it, then died
    assert notify.messages_deliver_due() == 0  # its lease holds
    clock.advance(seconds=20)
    notify.messages_deliver_due()
    assert _memory_sms.outbox == []
    clock.advance(seconds=15)  # 35 s after the worker died: the lease (30 s) has run out
    notify.messages_deliver_due()
    notify.messages_deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert _memory_sms.outbox == [("+254712345678", message.body)]
    assert message.attempts == 2


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_result(clock, _memory_sms):
    message = notify.sms_send(to="0712345678", template="test", context={})
    slow = notify._claim(message.pk)
    clock.advance(seconds=31)
    notify.messages_deliver_due()  # another worker takes over and sends it
    assert not notify._record(message, slow, status=Message.Status.RETRYING)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_an_abandoned_message_once(clock, _memory_sms):
    require_postgres()
    messages = [
        notify.sms_send(to=f"07123456{n:02d}", template="test", context={}) for n in range(20)
    ]
    for message in messages:
        notify._claim(message.pk)  # every one abandoned by a dead worker
    clock.advance(seconds=31)
    start = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            start.wait()
            notify.messages_deliver_due()
        except Exception as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(to for to, _ in _memory_sms.outbox) == sorted(m.to for m in messages)
    assert Message.objects.filter(status=Message.Status.SENT).count() == 20


def test_links_are_redacted_from_the_outbox_and_its_file_once_sent(
    world, clock, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A rating link is a key: the phone gets it, the outbox and the file log keep "[link]"."""
    from huduma.notify.backends import MemoryBackend

    link = "https://huduma.go.ke/r/s3cr3t-t0ken/"
    context = {"centre": "Huduma Centre GPO", "number": "A001", "link": link}
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.sms_send(to="0712345678", template="rating_invite", context=context)
    assert link in MemoryBackend.outbox[-1][1]  # the phone got the link
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert "s3cr3t-t0ken" not in message.body and "[link]" in message.body

    settings.SMS_BACKEND = "file"
    settings.SMS_OUTBOX_FILE = str(tmp_path / "outbox.jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        second = notify.sms_send(to="0712345678", template="rating_invite", context=context)
    second.refresh_from_db()
    written = (tmp_path / "outbox.jsonl").read_text()
    assert "s3cr3t-t0ken" not in written and "[link]" in written
    assert "s3cr3t-t0ken" not in second.body

"""Scheduled work that no crash stops for good (huduma.core.periodic): a worker SIGKILLed
inside every periodic task leaves leases that expire, that the restarted worker clears, and the
next run does the work; a task that stops completing is late on the health endpoint and the
live view, and the sysadmins get one email through the outbox."""

import datetime as dt
import importlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from huey.contrib.djhuey import HUEY

from huduma.accounts.models import Role, User
from huduma.complaints import services as complaints
from huduma.complaints.models import Category, Channel, Level
from huduma.core.clock import NAIROBI
from huduma.core.models import TaskLease
from huduma.core.periodic import REGISTRY, stale_leases_clear
from huduma.notify.models import Message
from huduma.notify.services import messages_deliver_due
from tests.conftest import require_postgres

ROOT = Path(__file__).resolve().parent.parent

# What each periodic task calls to do its work: the subprocess hangs there (inside the task,
# lease taken), and the next run in this process must reach it again.
WORK = {
    "complaints_sweep_task": "huduma.complaints.services.complaints_sweep",
    "payments_mop_up_task": "huduma.payments.services.payments_mop_up",
    "card_mop_up_task": "huduma.payments.services.card_payments_mop_up",
    "applications_breach_sweep_task": "huduma.applications.services.applications_breach_sweep",
    "checkpoint_task": "huduma.ledger.tasks.checkpoint_take",
    "day_close_task": "huduma.ledger.tasks.checkpoint_take",
    "mpesa_codes_recheck_task": "huduma.outreach.tasks.mpesa_codes_recheck",
    "kit_sync_task": "huduma.outreach.tasks.kit_sync_due",
    "deliver_due_messages_task": "huduma.notify.services.messages_deliver_due",
    "near_front_sweep_task": "huduma.queues.notifications.near_front_sweep",
    "rating_invitations_task": "huduma.feedback.services.rating_invitations_send",
    "late_tasks_watchdog_task": "huduma.accounts.tasks.late_tasks_alert",
    "performance_daily_reports_task": "huduma.performance.services.daily_reports_due",
    "assistant_forget_task": "huduma.channels.assistant.services.assistant_forget",
    "stale_articles_task": "huduma.catalogue.tasks.articles_stale_notify",
    "ussd_sessions_prune_task": "huduma.channels.ussd.services.ussd_sessions_prune",
    "rollups_refresh_task": "huduma.insights.tasks.rollups_refresh_logged",
}

# Started in a subprocess: every periodic task runs in a thread of its own and hangs inside its
# work; the test SIGKILLs the process, as the kernel's OOM killer or a power cut would.
HANG = """
import importlib, os, sys, threading, time
import django
django.setup()
ready_dir = sys.argv[1]
def hang(*args, **kwargs):
    open(os.path.join(ready_dir, threading.current_thread().name), "w").close()
    time.sleep(600)
jobs = [arg.split("|") for arg in sys.argv[2:]]  # task module, task name, its work
for _module, _task, work in jobs:
    work_module, attr = work.rsplit(".", 1)
    setattr(importlib.import_module(work_module), attr, hang)
for module, task_name, _work in jobs:
    task = getattr(importlib.import_module(module), task_name)
    threading.Thread(target=task.call_local, name=task_name, daemon=True).start()
time.sleep(600)
"""


def periodic_tasks() -> dict:
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError:
            continue
    return {
        task_class.__name__: getattr(
            importlib.import_module(task_class.__module__), task_class.__name__
        )
        for task_class in HUEY._registry._periodic_tasks
    }


def leases_of(tasks: dict) -> dict:
    """Task name -> its lease name (the `periodic` attribute core.periodic.leased sets)."""
    return {name: wrapper.func.periodic.name for name, wrapper in tasks.items()}


def test_every_periodic_task_runs_under_an_expiring_lease():
    tasks = periodic_tasks()
    unleased = {name for name, w in tasks.items() if not hasattr(w.func, "periodic")}
    assert unleased == set(), "a periodic task must be wrapped in core.periodic.leased"
    assert set(tasks) == set(WORK), "tell WORK what a new periodic task calls"
    for task in REGISTRY.values():
        assert task.lease < dt.timedelta(hours=1) and task.period > dt.timedelta(0)


def kill_inside(tasks: dict, names: list[str], tmp_path: Path) -> None:
    """Run `names` in a worker-like subprocess, each hanging inside its work, then SIGKILL it."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="huduma.settings_test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        HUEY_IMMEDIATE="1",
    )
    jobs = [f"{tasks[n].func.__module__}|{n}|{WORK[n]}" for n in names]
    worker = subprocess.Popen(
        [sys.executable, "-c", HANG, str(tmp_path), *jobs],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / n).exists() for n in names):
            if worker.poll() is not None:
                pytest.fail(f"the worker died early: {worker.stderr.read().decode()[-2000:]}")
            assert time.monotonic() < deadline, "the worker never got inside its tasks"
            time.sleep(0.1)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()


def count_work(monkeypatch, names: list[str]) -> Counter:
    """Replace each task's work by a counter (the world outside is not what is tested); two
    tasks sharing their work (the ledger's checkpoints) count twice."""
    calls: Counter = Counter()
    for work_path in {WORK[name] for name in names}:
        module_path, attr = work_path.rsplit(".", 1)

        def work(*args, _path=work_path, **kwargs):
            calls[_path] += 1

        monkeypatch.setattr(importlib.import_module(module_path), attr, work)
    return calls


def due_complaint(world, clock):
    clock.set(dt.datetime.now(NAIROBI) - dt.timedelta(days=30))
    complaint = complaints.complaint_lodge(
        channel=Channel.CENTRE,
        category=Category.DELAY,
        text="Nilisubiri muda mrefu sana chini ya hema.",
        phone="0712345678",
        centre=world.gpo,
        service=world.nhif_reg,
    )
    clock.set(dt.datetime.now(NAIROBI))
    return complaint


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_inside_every_periodic_task_stops_none_of_them(
    world, clock, tmp_path, monkeypatch
):
    require_postgres()
    complaint = due_complaint(world, clock)
    tasks = periodic_tasks()
    kill_inside(tasks, sorted(tasks), tmp_path)
    held = {w.func.periodic.name for w in tasks.values()}
    assert TaskLease.objects.filter(name__in=held).exclude(holder="").count() == len(held)

    # The dead worker's leases still hold: a run now (another worker) does nothing...
    others = [n for n in tasks if n != "complaints_sweep_task"]
    calls = count_work(monkeypatch, others)
    for wrapper in tasks.values():
        wrapper.call_local()
    assert sum(calls.values()) == 0
    complaint.refresh_from_db()
    assert complaint.level == Level.CENTRE

    # ...until the worker on this host starts again and clears them: the next run does the work.
    assert stale_leases_clear() == len(held)
    for wrapper in tasks.values():
        wrapper.call_local()
    assert calls == Counter(WORK[name] for name in others)
    complaint.refresh_from_db()
    assert complaint.level != Level.CENTRE
    assert Message.objects.filter(template="complaint_escalated").count() == 1
    assert not TaskLease.objects.exclude(holder="").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_lease_runs_out_without_a_restart(world, clock, tmp_path, monkeypatch):
    """Another host's worker cannot clear the lease; it expires just after the longest run."""
    require_postgres()
    complaint = due_complaint(world, clock)
    tasks = periodic_tasks()
    kill_inside(tasks, ["payments_mop_up_task", "complaints_sweep_task"], tmp_path)
    clock.set(dt.datetime.now(NAIROBI))
    calls = count_work(monkeypatch, ["payments_mop_up_task"])
    monkeypatch.setattr("huduma.core.periodic._host", lambda: "another-host")
    assert stale_leases_clear() == 0

    clock.advance(minutes=9)  # the sweep's lease is 10 minutes, the mop-up's 10 minutes
    tasks["complaints_sweep_task"].call_local()
    tasks["payments_mop_up_task"].call_local()
    complaint.refresh_from_db()
    assert complaint.level == Level.CENTRE and calls[WORK["payments_mop_up_task"]] == 0

    clock.advance(minutes=1, seconds=1)
    tasks["complaints_sweep_task"].call_local()
    tasks["payments_mop_up_task"].call_local()
    complaint.refresh_from_db()
    assert complaint.level != Level.CENTRE and calls[WORK["payments_mop_up_task"]] == 1


def test_a_lease_is_released_when_the_task_fails(db, monkeypatch):
    tasks = periodic_tasks()

    def broken(*args, **kwargs):
        raise RuntimeError("the sweep failed")

    monkeypatch.setattr("huduma.complaints.services.complaints_sweep", broken)
    with pytest.raises(RuntimeError):
        tasks["complaints_sweep_task"].call_local()
    row = TaskLease.objects.get(name="complaints-sweep")
    assert row.holder == "" and row.expires_at is None and row.completed_at is None


def test_a_stopped_sweep_is_late_everywhere_and_the_sysadmins_are_told_once(
    world, clock, client, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.create_user(
        username="sysadmin", password="pw", role=Role.SYSADMIN, email="ops@huduma.go.ke"
    )
    tasks = periodic_tasks()
    tasks["complaints_sweep_task"].call_local()  # completed at 09:00
    assert client.get("/api/health").json() == {"status": "ok", "late_tasks": []}

    clock.advance(minutes=9)  # one missed run (every 5 minutes) is not late yet
    from huduma.accounts.watchdog import late_tasks_alert

    assert late_tasks_alert() == []
    clock.advance(minutes=1)
    assert [t.name for t in late_tasks_alert()] == ["complaints-sweep"]
    assert late_tasks_alert() == []  # one alert per stop, not one a minute
    alert = Message.objects.get(template="late_task")
    assert alert.to == "ops@huduma.go.ke" and "complaints-sweep" in alert.subject
    messages_deliver_due()  # the outbox's sweep sends it
    assert [m.to for m in mail.outbox] == [["ops@huduma.go.ke"]]

    health = client.get("/api/health").json()
    assert health["status"] == "late"
    assert [t["name"] for t in health["late_tasks"]] == ["complaints-sweep"]
    client.force_login(world.bob)
    page = client.get(f"/staff/centres/{world.gpo.code}/live/").content.decode()
    assert "Scheduled work has stopped" in page and "complaints-sweep" in page

    tasks["complaints_sweep_task"].call_local()  # the worker is back
    assert client.get("/api/health").json()["status"] == "ok"
    assert (
        "Scheduled work has stopped"
        not in client.get(f"/staff/centres/{world.gpo.code}/live/").content.decode()
    )
    assert TaskLease.objects.get(name="complaints-sweep").alerted_at is None

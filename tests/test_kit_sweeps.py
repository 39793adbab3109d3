"""A field kit does not run the centre server's sweeps: a kit offline after a sync must not
escalate again the complaints it already sent (the server escalates them: one SMS each)."""

import datetime as dt
import importlib

from django.apps import apps
from huey.contrib.djhuey import HUEY

from huduma.complaints import services as complaints
from huduma.complaints.models import Category, Channel, ComplaintEvent, Level
from huduma.core.clock import NAIROBI
from huduma.notify.models import Message

# The periodic tasks a kit runs, and why each is the kit's own work.
KIT_TASKS = {
    "kit_sync_task": "the kit's own sync with the centre server",
    "deliver_due_messages_task": "on a kit it only holds SMS in the outbox until sync",
    "rollups_refresh_task": "the kit's own rollups (its triggers' marks), never synced",
}


def periodic_tasks() -> dict:
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError:
            continue
    wrappers = {}
    for task_class in HUEY._registry._periodic_tasks:
        module = importlib.import_module(task_class.__module__)
        wrappers[task_class.__name__] = getattr(module, task_class.__name__)
    return wrappers


def is_server_sweep(func) -> bool:
    while func is not None:
        if getattr(func, "server_sweep", False):
            return True
        func = getattr(func, "__wrapped__", None)
    return False


def test_every_periodic_task_is_the_servers_sweep_or_declared_the_kits():
    tasks = periodic_tasks()
    assert "complaints_sweep_task" in tasks
    undeclared = {
        name
        for name, wrapper in tasks.items()
        if not is_server_sweep(wrapper.func) and name not in KIT_TASKS
    }
    assert undeclared == set(), "a periodic task must be marked core.sweeps.server_sweep"
    assert not {name for name in KIT_TASKS if is_server_sweep(tasks[name].func)}


def test_a_kit_offline_after_a_sync_escalates_nothing(world, clock, settings):
    clock.set(dt.datetime(2026, 11, 27, 15, 0, tzinfo=NAIROBI))
    complaint = complaints.complaint_lodge(
        channel=Channel.CENTRE,
        category=Category.DELAY,
        text="Nilisubiri muda mrefu sana chini ya hema.",
        phone="0712345678",
        centre=world.gpo,
        service=world.nhif_reg,
    )
    sent_before = Message.objects.count()
    # A week later, still offline: every periodic task of the kit's worker runs.
    clock.set(dt.datetime(2026, 12, 4, 12, 0, tzinfo=NAIROBI))
    settings.HUDUMA_MODE = "field"
    for name, wrapper in periodic_tasks().items():
        if name != "kit_sync_task":
            wrapper.call_local()
    complaint.refresh_from_db()
    assert complaint.level == Level.CENTRE
    assert not complaint.events.filter(kind=ComplaintEvent.Kind.ESCALATED).exists()
    assert Message.objects.count() == sent_before

    # The centre server runs the same sweep and escalates, once.
    settings.HUDUMA_MODE = "centre"
    periodic_tasks()["complaints_sweep_task"].call_local()
    complaint.refresh_from_db()
    assert complaint.level != Level.CENTRE
    assert Message.objects.filter(template="complaint_escalated").count() == 1

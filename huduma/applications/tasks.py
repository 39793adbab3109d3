"""Huey tasks of applications. The sweep reads due days, so a missed run is caught up later."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from huduma.applications import services
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="*/15"))
@lock_task("applications-breach-sweep")
@server_sweep
def applications_breach_sweep_task() -> None:
    services.applications_breach_sweep()

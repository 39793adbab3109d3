"""Huey tasks of complaints. The sweep reads due dates, so a missed run is caught up by the next."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from huduma.complaints import services
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="*/5"))
@lock_task("complaints-sweep")
@server_sweep
def complaints_sweep_task() -> None:
    services.complaints_sweep()

"""Huey tasks of complaints. The sweep reads due dates, so a missed run is caught up by the next."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huduma.complaints import services
from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="*/5"))
@leased("complaints-sweep", period=dt.timedelta(minutes=5), lease=dt.timedelta(minutes=10))
@server_sweep
def complaints_sweep_task() -> None:
    services.complaints_sweep()


# Safe to run twice (each row is recomputed under its lock), so no lease.
@db_task()
def complaints_due_recompute_task() -> None:
    services.complaints_due_recompute()


def holiday_list_changed(**kwargs) -> None:
    complaints_due_recompute_task()

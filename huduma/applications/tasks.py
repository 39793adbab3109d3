"""Huey tasks of applications. The sweep reads due days, so a missed run is caught up later."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huduma.applications import services
from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="*/15"))
@leased(
    "applications-breach-sweep", period=dt.timedelta(minutes=15), lease=dt.timedelta(minutes=15)
)
@server_sweep
def applications_breach_sweep_task() -> None:
    services.applications_breach_sweep()


# Safe to run twice (each row is recomputed under its lock), so no lease.
@db_task()
def applications_due_recompute_task() -> None:
    services.applications_due_recompute()


def holiday_list_changed(**kwargs) -> None:
    applications_due_recompute_task()

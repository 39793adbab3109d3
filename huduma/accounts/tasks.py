"""Huey tasks of accounts: the watchdog that tells the sysadmins when scheduled work stopped."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.accounts.watchdog import late_tasks_alert
from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="*"))
@leased(
    "accounts-late-tasks-watchdog", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=2)
)
@server_sweep
def late_tasks_watchdog_task() -> None:
    late_tasks_alert()

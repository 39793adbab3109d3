"""Huey tasks of performance: each centre's daily report, made at its closing time.

Every 15 minutes the task makes the report of each centre whose charter's closing time has
passed today (and yesterday's, if the worker was down then). The report is unique per centre
and day, so a second worker or a rerun makes nothing twice and sends no second email."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep
from huduma.performance import services


@db_periodic_task(crontab(minute="*/15"))
@leased(
    "performance-daily-reports", period=dt.timedelta(minutes=15), lease=dt.timedelta(minutes=15)
)
@server_sweep
def performance_daily_reports_task() -> None:
    services.daily_reports_due()

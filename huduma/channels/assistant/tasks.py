"""Huey tasks of the assistant: forget what is past its retention."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.channels.assistant import services
from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="17"))
@leased("assistant-forget", period=dt.timedelta(hours=1), lease=dt.timedelta(minutes=10))
@server_sweep
def assistant_forget_task() -> None:
    services.assistant_forget()

"""Huey tasks of the queue system. They take ids and call services."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep
from huduma.notify.services import message_deliver
from huduma.queues import notifications


@db_task()
def after_call_task(centre_id: int, called_sms_id: str | None = None) -> None:
    if called_sms_id:
        message_deliver(called_sms_id)
    notifications.near_front_sms(centre_id)


@db_periodic_task(crontab(minute="*"))
@leased("queues-near-front-sweep", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=5))
@server_sweep
def near_front_sweep_task() -> None:
    """A lost after_call_task delays a "come now" SMS by at most about a minute."""
    notifications.near_front_sweep()

"""Huey tasks of the notification gateway. They take ids and call services."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huduma.core.periodic import leased
from huduma.notify import services


@db_task()
def deliver_message_task(message_id: str) -> None:
    services.message_deliver(message_id)


services.delivery_task_register(deliver_message_task)


@db_periodic_task(crontab(minute="*"))
@leased("notify-deliver-due", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=10))
def deliver_due_messages_task() -> None:
    services.messages_deliver_due()

"""Huey tasks of the notification gateway. They take ids and call services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huduma.notify import services


@db_task()
def deliver_message_task(message_id: str) -> None:
    services.message_deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_messages_task() -> None:
    services.messages_deliver_due()

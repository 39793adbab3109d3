"""Huey tasks of the queue system. They take ids and call services."""

from huey.contrib.djhuey import db_task

from huduma.queues import notifications


@db_task()
def after_call_task(centre_id: int, ticket_id: str) -> None:
    notifications.called_sms(ticket_id)
    notifications.near_front_sms(centre_id)


@db_task()
def visit_issued_task(visit_id: str) -> None:
    notifications.visit_issued_sms(visit_id)

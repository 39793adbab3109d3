"""Huey tasks of the feedback app. They call services."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep
from huduma.feedback import services


@db_periodic_task(crontab(minute="*"))
@leased(
    "feedback-rating-invitations", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=5)
)
@server_sweep
def rating_invitations_task() -> None:
    """Every minute: text a rating link to the visits that ended without a rating."""
    services.rating_invitations_send()

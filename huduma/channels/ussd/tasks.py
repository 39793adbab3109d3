"""Huey tasks of the USSD channel. They call services."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.channels.ussd import services
from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="17", hour="3"))
@leased("ussd-sessions-prune", period=dt.timedelta(days=1), lease=dt.timedelta(minutes=30))
@server_sweep  # a field kit takes no USSD sessions
def ussd_sessions_prune_task() -> None:
    """Every night: forget the USSD sessions older than 30 days."""
    services.ussd_sessions_prune()

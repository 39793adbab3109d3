"""Huey tasks of the ledger: the chains' heads are checkpointed every minute and at day's close.

Every minute, so that a database administrator who rewrites the chains has at most a minute
before the witness outside the installation holds a signed head that contradicts the rewrite.
A failed send raises (CheckpointNotSent): Huey logs the task as failed, and the monitors have
already been told through the outbox.
"""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep
from huduma.ledger.checkpoints import checkpoint_take
from huduma.ledger.models import Checkpoint


@db_periodic_task(crontab(minute="*"))
@leased("ledger-checkpoint", period=dt.timedelta(minutes=1), lease=dt.timedelta(seconds=90))
@server_sweep
def checkpoint_task() -> None:
    checkpoint_take(kind=Checkpoint.Kind.INTERVAL)


# Huey reads crontabs in UTC: 20:59 UTC is 23:59 in Nairobi (UTC+3, no daylight saving).
@db_periodic_task(crontab(hour="20", minute="59"))
@leased("ledger-day-close", period=dt.timedelta(days=1), lease=dt.timedelta(minutes=30))
@server_sweep
def day_close_task() -> None:
    checkpoint_take(kind=Checkpoint.Kind.DAY_CLOSE)

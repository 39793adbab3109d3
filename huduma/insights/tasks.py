"""Huey tasks of insights: the rollup refresh, every minute.

Not a server-only sweep: a field kit's database has the same triggers, and consuming its marks
keeps its table small (its rollups are its own business; they are never synced)."""

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.core.periodic import leased
from huduma.insights import rollups

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@leased("insights-rollups", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=10))
def rollups_refresh_task() -> None:
    rollups_refresh_logged()


def rollups_refresh_logged() -> None:
    result = rollups.refresh()
    if result.marks:
        logger.info("rollups: %s marks, %s slices", result.marks, result.slices)

"""Huey tasks of the catalogue: telling owners of knowledge-base articles past their review."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.catalogue.services import articles_stale_notify
from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep


@db_periodic_task(crontab(minute="7"))
@leased("catalogue-stale-articles", period=dt.timedelta(hours=1), lease=dt.timedelta(minutes=10))
@server_sweep
def stale_articles_task() -> None:
    articles_stale_notify()

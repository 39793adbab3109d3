"""Huey tasks of outreach: on a field kit, sync by itself every minute while records wait; on
the centre server, check again the M-Pesa codes that M-Pesa had not confirmed at sync."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep
from huduma.outreach.kit import kit_sync_due
from huduma.outreach.sync_push import mpesa_codes_recheck


@db_periodic_task(crontab(minute="*"))
@leased("outreach-kit-sync", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=5))
def kit_sync_task() -> None:
    """Does nothing on a centre server; on a kit, pushes what is pending when the network is
    there, and backs off (up to FIELD_SYNC_MAX_BACKOFF_S) while it is not."""
    kit_sync_due()


@db_periodic_task(crontab(minute="*/10"))
@leased(
    "outreach-mpesa-codes-recheck", period=dt.timedelta(minutes=10), lease=dt.timedelta(minutes=10)
)
@server_sweep
def mpesa_codes_recheck_task() -> None:
    """Held M-Pesa codes with no confirmation yet, asked about again for up to 48 hours
    (payments.services.CODE_CONFIRMATION_WAIT). Nothing to do on a kit."""
    mpesa_codes_recheck()

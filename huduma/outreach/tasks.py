"""Huey tasks of outreach: on a field kit, sync by itself every minute while records wait."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.outreach.kit import kit_sync_due


@db_periodic_task(crontab(minute="*"))
def kit_sync_task() -> None:
    """Does nothing on a centre server; on a kit, pushes what is pending when the network is
    there, and backs off (up to FIELD_SYNC_MAX_BACKOFF_S) while it is not."""
    kit_sync_due()

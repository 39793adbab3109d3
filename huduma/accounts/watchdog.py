"""The sysadmins are told when scheduled work has stopped (huduma.core.periodic)."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.accounts.models import Role, User
from huduma.core import clock
from huduma.core.models import TaskLease
from huduma.core.periodic import LateTask, tasks_late
from huduma.notify.services import email_send


def late_tasks_alert(*, now: dt.datetime | None = None) -> list[LateTask]:
    """Email every active sysadmin once per late task (until it completes again); the
    message is an outbox row, written in the transaction that marks the task alerted."""
    now = now or clock.now()
    told = []
    for late in tasks_late(now=now):
        with transaction.atomic():
            claimed = TaskLease.objects.filter(name=late.name, alerted_at__isnull=True).update(
                alerted_at=now
            )
            if claimed != 1:
                continue  # already told, or another watchdog is telling
            last = (
                late.completed_at.astimezone(clock.NAIROBI).strftime("%Y-%m-%d %H:%M")
                if late.completed_at
                else _("never")
            )
            subject = _("Huduma: scheduled task %(name)s has stopped") % {"name": late.name}
            body = _(
                "The scheduled task %(name)s should run every %(period)s minutes and has not "
                "completed since %(last)s. Check the worker (huduma-worker.service) and its log."
            ) % {"name": late.name, "period": int(late.period.total_seconds() // 60), "last": last}
            admins = User.objects.filter(role=Role.SYSADMIN, is_active=True).exclude(email="")
            for email in admins.values_list("email", flat=True):
                email_send(to=email, subject=subject, body=body, template="late_task")
            told.append(late)
    return told

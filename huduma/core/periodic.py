"""Periodic work that no crash can stop for good: an expiring lease per task, cleared by the
worker that held it when it starts again, and a record of each task's last completion so a
stopped sweep is seen (health endpoint, live view, an alert to the sysadmins).

Huey's own `lock_task` never expires: one worker killed inside a sweep refused every later run
of it ("unable to acquire lock"). A lease here is a row claimed with a conditional UPDATE that
runs out by itself `lease` after it was taken, so at worst a killed worker delays its task by
`lease`; a worker that starts again clears the leases its dead predecessor on the same host
held, so with systemd's restart the next run does the work at once.
"""

import datetime as dt
import functools
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import Q

from huduma.core import clock
from huduma.core.models import TaskLease

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    period: dt.timedelta
    lease: dt.timedelta

    @property
    def late_after(self) -> dt.timedelta:
        """A task not completed within twice its period has stopped (one missed run is not)."""
        return 2 * self.period


REGISTRY: dict[str, Periodic] = {}


def _host() -> str:
    return socket.gethostname()[:100]


def _holder() -> str:
    return f"{_host()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def lease_acquire(task: Periodic, *, now: dt.datetime | None = None) -> str | None:
    """Take the task's lease if nobody holds an unexpired one; returns the holder token."""
    now = now or clock.now()
    TaskLease.objects.get_or_create(name=task.name, defaults={"created_at": now})
    token = _holder()
    taken = (
        TaskLease.objects.filter(name=task.name)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__lte=now))
        .update(holder=token, expires_at=now + task.lease, started_at=now)
    )
    return token if taken == 1 else None


def lease_release(task: Periodic, token: str, *, completed: bool) -> None:
    """Give the lease back (in `finally`); record the completion if the run finished."""
    fields: dict = {"holder": "", "expires_at": None}
    if completed:
        fields["completed_at"] = clock.now()
        fields["alerted_at"] = None
    try:
        kept = TaskLease.objects.filter(name=task.name, holder=token).update(**fields)
    except DatabaseError:
        # The database is away: the lease runs out by itself at expires_at.
        logger.warning("%s: lease not released (database away); it expires", task.name)
        return
    if not kept:
        logger.warning("%s: ran longer than its lease (%s)", task.name, task.lease)


def leased(name: str, *, period: dt.timedelta, lease: dt.timedelta) -> Callable:
    """Run a periodic task under an expiring lease (one run at a time, never stuck).

    `lease` must be just longer than the task's longest run; `period` is its schedule."""
    task = Periodic(name=name, period=period, lease=lease)
    REGISTRY[name] = task

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            token = lease_acquire(task)
            if token is None:
                logger.info("%s: still running elsewhere (lease held); this run skipped", name)
                return None
            completed = False
            try:
                result = func(*args, **kwargs)
                completed = True
                return result
            finally:
                lease_release(task, token, completed=completed)

        wrapper.periodic = task
        return wrapper

    return decorate


def stale_leases_clear() -> int:
    """At a worker's start-up: free the leases an earlier worker process on this host held (it
    is dead: it was this host's worker), and make sure every task has a row, so a task that
    never completes from now on is seen as late."""
    now = clock.now()
    for name in REGISTRY:
        TaskLease.objects.get_or_create(name=name, defaults={"created_at": now})
    host, pid = _host(), os.getpid()
    cleared = (
        TaskLease.objects.filter(holder__startswith=f"{host}:", expires_at__gt=now)
        .exclude(holder__startswith=f"{host}:{pid}:")
        .update(holder="", expires_at=None)
    )
    if cleared:
        logger.warning("cleared %s lease(s) a dead worker on %s held", cleared, host)
    return cleared


@dataclass(frozen=True)
class LateTask:
    name: str
    period: dt.timedelta
    completed_at: dt.datetime | None
    since: dt.datetime  # when it should have completed by


def tasks_late(*, now: dt.datetime | None = None) -> list[LateTask]:
    """Periodic tasks not completed within twice their period (since their row was created,
    for a task that never completed). A task with no row has no worker yet: not judged."""
    now = now or clock.now()
    rows = {row.name: row for row in TaskLease.objects.filter(name__in=list(REGISTRY))}
    late = []
    for name, task in sorted(REGISTRY.items()):
        row = rows.get(name)
        if row is None:
            continue
        last = row.completed_at or row.created_at
        if last + task.late_after <= now:
            late.append(
                LateTask(
                    name=name,
                    period=task.period,
                    completed_at=row.completed_at,
                    since=last + task.late_after,
                )
            )
    return late

"""Shared kernel tables: the append-only audit chain, and the base of offline-born records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import current_node_id, uuid7
from huduma.core.tz import NAIROBI


class AuditEntry(models.Model):
    """One change or sign-in. Append-only: each row carries the hash of the one before it."""

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        at = self.at.astimezone(NAIROBI)  # the time Kenyans read, whatever the server's zone
        return f"{at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


class OfflineRecord(models.Model):
    """Base for records a field kit may create without network: UUID, node and sequence.

    Ids are UUIDv7 so kits never collide; (node_id, node_seq) orders one kit's records and lets
    the sync detect gaps.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    node_id = models.CharField(max_length=64, default=current_node_id, editable=False)
    node_seq = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Holiday(models.Model):
    """A Kenyan public holiday, kept by the Secretariat. Every working-day count reads this list.

    Fixed holidays recur every year (no year); movable ones (Easter, Eid, a gazetted extra day,
    the Monday after a holiday falling on a Sunday) are entered for their year.
    """

    name = models.CharField(_("name"), max_length=120)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_("Empty for a holiday on the same date every year."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "month", "day"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="holiday_valid_month_day",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.day:02d}/{self.month:02d}" + (f"/{self.year}" if self.year else "")
        return f"{self.name} ({when})"

    def clean(self) -> None:
        import datetime as dt

        from django.core.exceptions import ValidationError

        try:
            dt.date(self.year or 2024, self.month or 0, self.day or 0)
        except ValueError as exc:
            raise ValidationError(_("This date does not exist.")) from exc


class TaskLease(models.Model):
    """The lease a periodic task holds while it runs, and when it last completed.

    A lease expires on its own (a worker killed inside a sweep holds it for at most `lease`),
    so no crash stops scheduled work for good; `completed_at` lets the health endpoint, the
    live view and the watchdog tell a sweep that has stopped (huduma.core.periodic)."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the watchdog last told the sysadmins this task was late (one alert per episode).
    alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scheduled task")
        verbose_name_plural = _("scheduled tasks")

    def __str__(self) -> str:
        return self.name

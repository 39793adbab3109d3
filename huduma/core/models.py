"""Shared kernel tables: the append-only audit chain, and the base of offline-born records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import current_node_id, uuid7


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
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

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

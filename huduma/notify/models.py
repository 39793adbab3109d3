"""Every SMS and email we send, with its delivery state, so none is ever lost."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import uuid7


class Message(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS)
    to = models.CharField(_("to"), max_length=254)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=2, default="sw")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="message_due_idx")]

    def __str__(self) -> str:
        return f"{self.template} {self.status}"

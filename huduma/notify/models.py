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
    # Queued or retrying: when it is due. Sending: when the worker's lease runs out.
    next_attempt_at = models.DateTimeField(db_index=True)
    # The claim of the worker sending it; only that worker may record the result.
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
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


class InboundWebhook(models.Model):
    """A provider's callback, stored before it is acted on, with what we answered.

    The provider's own id is unique per (provider, kind), so a retried callback finds the
    first one's row and gets its outcome back instead of being acted on again."""

    class Kind(models.TextChoices):
        SMS = "sms", _("Incoming SMS")
        DELIVERY_REPORT = "dlr", _("Delivery report")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    provider = models.CharField(max_length=32)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    provider_id = models.CharField(max_length=150)
    payload = models.JSONField(default=dict)
    outcome = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "provider_id"], name="webhook_once_per_provider_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.provider_id}"

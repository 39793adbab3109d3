"""mHuduma over USSD: data and the invariants of one row.

A USSD session is kept on the server, keyed by the operator's sessionId: where the caller is
(the stack of screens), in which language, and every answer given, so that a request the
operator repeats is answered the same without acting twice (UssdExchange, unique per session
and text). The operator's end-of-session notification is stored once per session.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import uuid7


class UssdSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Africa's Talking's sessionId: unique, so two requests of one session share one row.
    session_id = models.CharField(_("session id"), max_length=100, unique=True)
    phone = models.CharField(_("phone"), max_length=16, db_index=True)
    service_code = models.CharField(max_length=40, blank=True)
    network_code = models.CharField(max_length=12, blank=True)
    language = models.CharField(_("language"), max_length=2, default="sw")
    # [{"node": key, "data": {...}, "page": n}, ...]: the screen shown is the last one.
    stack = models.JSONField(default=list)
    # The operator's text (every input so far, joined by "*") when the screen was shown.
    last_text = models.TextField(blank=True)
    last_reply = models.TextField(blank=True)
    # A session we ended (END) is never resumed; one the network dropped may be, for a while.
    ended_at = models.DateTimeField(null=True, blank=True)
    # The session this one took over (the caller chose to continue where they stopped).
    resumed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resumed = models.BooleanField(default=False)  # taken over by a later session
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)
    # Bumped by every answer: an answer saved only if nobody answered in between.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("USSD session")
        verbose_name_plural = _("USSD sessions")
        indexes = [models.Index(fields=["phone", "-updated_at"], name="ussd_session_phone_idx")]

    def __str__(self) -> str:
        return self.session_id


class UssdExchange(models.Model):
    """One request of a session and the answer given: the same text again gets this answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(UssdSession, on_delete=models.CASCADE, related_name="exchanges")
    text_digest = models.CharField(max_length=64)
    reply = models.TextField()
    at = models.DateTimeField()
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "text_digest"], name="ussd_exchange_once_per_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.text_digest[:8]}"


class UssdSessionEnd(models.Model):
    """Africa's Talking's end-of-session notification, stored once per sessionId."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    session_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=20)
    phone = models.CharField(max_length=32, blank=True)
    service_code = models.CharField(max_length=40, blank=True)
    network_code = models.CharField(max_length=12, blank=True)
    date = models.CharField(max_length=40, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    hops = models.PositiveIntegerField(null=True, blank=True)
    cost = models.CharField(max_length=40, blank=True)
    input = models.TextField(blank=True)
    last_app_response = models.TextField(blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("USSD end-of-session notification")
        verbose_name_plural = _("USSD end-of-session notifications")

    def __str__(self) -> str:
        return f"{self.session_id} {self.status}"

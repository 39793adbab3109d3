"""Digital assistant: each answer given, minimised, and whether it helped."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

QUESTION_MAX = 200  # characters of a question kept (the form and an SMS take up to 300)


class AssistantAnswer(models.Model):
    """One answer the assistant gave, kept to learn what it answers badly.

    Personal data: the question is kept with digit runs and e-mail addresses masked (a citizen
    may type an ID, phone or receipt number) and cut to QUESTION_MAX characters; no phone
    number, no address, no account. An SMS answer keeps a keyed digest of the sender's number
    for one day only, so that "ASK YES" finds their last answer; the digest is then blanked,
    and every answer is deleted after ASSISTANT_RETENTION_DAYS (see tasks.py).
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        SMS = "sms", _("SMS")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("asked at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2)
    question = models.CharField(_("question (minimised)"), max_length=QUESTION_MAX)
    intent = models.CharField(_("intent"), max_length=16, blank=True)
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    refused = models.BooleanField(_("outside what it knows"), default=False)
    source_url = models.CharField(_("source"), max_length=200, blank=True)
    helpful = models.BooleanField(_("did this help"), null=True, blank=True)
    helpful_at = models.DateTimeField(null=True, blank=True)
    sender_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assistant answer")
        verbose_name_plural = _("assistant answers")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.intent or '-'}"

"""Huduma Contact Centre: calls as the telephony system reports them, what the agent did on
each, and the tele-counselling notes (read by counsellors only)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import uuid7

NOTE_MAX_LENGTH = 4000


class CallQueue(models.TextChoices):
    GENERAL = "general", _("Enquiries")
    COUNSELLING = "counselling", _("Tele-counselling")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Waiting")
    ANSWERED = "answered", _("On a call")
    ENDED = "ended", _("Ended")


class EventKind(models.TextChoices):
    NEW = "new", _("New call")
    ANSWERED = "answered", _("Answered")
    HUNG_UP = "hungup", _("Hung up")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Answered, nothing more to do")
    FOLLOW_UP = "follow_up", _("Needs a follow-up")
    TRANSFERRED = "transferred", _("Transferred to an MDA desk")
    DROPPED = "dropped", _("Caller dropped before the end")


class WrapUp(models.TextChoices):
    ENQUIRY = "enquiry", _("Service enquiry")
    BOOKING = "booking", _("Booking")
    TRACKING = "tracking", _("Application tracking")
    PAYMENT = "payment", _("Payment question")
    COMPLAINT = "complaint", _("Complaint")
    COUNSELLING = "counselling", _("Counselling")
    WRONG_NUMBER = "wrong_number", _("Wrong number or silent call")
    OTHER = "other", _("Other")


class AgentSeat(models.Model):
    """Which staff member sits at a telephony extension (a PBX extension, a SIP address of
    Africa's Talking): an "answered" event names the extension, this names the agent."""

    extension = models.CharField(_("extension"), max_length=150, unique=True)
    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_seat"
    )

    class Meta:
        verbose_name = _("agent extension")
        verbose_name_plural = _("agent extensions")

    def __str__(self) -> str:
        return f"{self.extension} → {self.agent}"


class Call(models.Model):
    """One call into the contact centre. Its state changes only through CallEvent rows (see
    services.call_event_receive), so the desk's figures are computed from what happened."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    provider = models.CharField(max_length=32)
    provider_call_id = models.CharField(_("call id"), max_length=150)
    # E.164, or "" when the caller withheld the number (then no history can be shown).
    caller = models.CharField(_("caller"), max_length=16, blank=True)
    called = models.CharField(_("number called"), max_length=40, blank=True)
    queue = models.CharField(
        _("queue"), max_length=12, choices=CallQueue.choices, default=CallQueue.GENERAL
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CallState.choices, default=CallState.RINGING
    )
    extension = models.CharField(_("extension"), max_length=150, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    started_at = models.DateTimeField(_("arrived"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    wrap_up = models.CharField(_("wrap-up code"), max_length=14, choices=WrapUp.choices, blank=True)
    wrapped_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_call_id"], name="call_once_per_provider"
            ),
            # An answered call has an agent's extension; an ended one its end.
            models.CheckConstraint(
                condition=~Q(state="answered") | Q(answered_at__isnull=False),
                name="answered_call_has_answer_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="ended") | Q(ended_at__isnull=False),
                name="ended_call_has_end_time",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "queue"], name="call_state_idx"),
            models.Index(fields=["caller", "started_at"], name="call_caller_idx"),
            models.Index(fields=["agent", "state"], name="call_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_call_id} ({self.state})"

    @property
    def wait_seconds(self) -> int | None:
        if self.answered_at is None:
            return None
        return max(int((self.answered_at - self.started_at).total_seconds()), 0)


class CallEvent(models.Model):
    """A telephony event, stored before it is acted on, once per (provider, call id, kind):
    a PBX or Africa's Talking retrying a callback changes nothing the second time."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    provider = models.CharField(max_length=32)
    provider_call_id = models.CharField(max_length=150)
    kind = models.CharField(max_length=8, choices=EventKind.choices)
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_call_id", "kind"], name="call_event_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_call_id} {self.kind}"


class CallAction(models.Model):
    """What the agent did for the caller during a call, through the owning app's verb."""

    class Kind(models.TextChoices):
        ARTICLE_SMS = "article_sms", _("Answer sent by SMS")
        BOOKED = "booked", _("Appointment booked")
        TRACKED = "tracked", _("Application tracked")
        COMPLAINT = "complaint", _("Complaint lodged")
        TRANSFER = "transfer", _("Transferred to an MDA desk")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    # What it refers to: the article's address, the booking or complaint reference, the MDA.
    reference = models.CharField(max_length=80, blank=True)
    mda = models.ForeignKey(
        "catalogue.MDA", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class CounsellingNote(models.Model):
    """A tele-counsellor's note on a counselling call: only counsellors read these."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(max_length=NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note on {self.call_id}"

"""Instant feedback: one rating per ended ticket, presses that rated nothing, and the SMS
invitations that let a citizen who left without rating do it later."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import uuid7
from huduma.core.models import OfflineRecord


class Channel(models.TextChoices):
    TABLET = "tablet", _("Feedback tablet at the counter")
    SMS = "sms", _("SMS link after the visit")
    WEB = "web", _("Web")
    USSD = "ussd", _("USSD (the phone that was texted the rating link)")


class Reason(models.TextChoices):
    """Chips offered beside the faces: problems under a low score, praise under a high one."""

    LONG_WAIT = "long_wait", _("Long wait")
    UNFRIENDLY = "unfriendly", _("Unfriendly staff")
    NOT_SOLVED = "not_solved", _("Problem not solved")
    ASKED_MONEY = "asked_money", _("Asked for extra money")
    UNCLEAR = "unclear", _("Unclear information")
    FAST = "fast", _("Fast service")
    FRIENDLY = "friendly", _("Friendly staff")
    SOLVED = "solved", _("Problem solved")
    CLEAR = "clear", _("Clear information")


LOW_REASONS = (
    Reason.LONG_WAIT,
    Reason.UNFRIENDLY,
    Reason.NOT_SOLVED,
    Reason.ASKED_MONEY,
    Reason.UNCLEAR,
)
HIGH_REASONS = (Reason.FAST, Reason.FRIENDLY, Reason.SOLVED, Reason.CLEAR)


class Rating(OfflineRecord):
    """A citizen's 1-5 rating of one ended ticket, bound to where and by whom it was served."""

    ticket = models.ForeignKey("queues.Ticket", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    counter = models.ForeignKey(
        "places.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    # How the visit ended (served, no-show, cancelled): the figures include every ending.
    ending = models.CharField(max_length=10)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    device = models.ForeignKey(
        "accounts.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    reasons = models.JSONField(default=list, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    language = models.CharField(max_length=2, default="sw")
    at = models.DateTimeField(_("rated at"), db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["centre", "at"], name="rating_centre_at_idx")]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], name="one_rating_per_ticket"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 {self.at:%Y-%m-%d %H:%M}"

    @property
    def is_low(self) -> bool:
        return self.score <= 2

    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels[r]) for r in self.reasons if r in labels]


class Misuse(OfflineRecord):
    """A press on a tablet with no ratable ticket behind it (a child tapping at idle, a second
    press on a rated visit). Kept out of every figure, and counted in the report."""

    class Kind(models.TextChoices):
        IDLE = "idle", _("Pressed with no ticket to rate")
        ALREADY_RATED = "already_rated", _("Pressed again after rating")

    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    counter = models.ForeignKey(
        "places.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.ForeignKey(
        "accounts.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["centre", "at"], name="misuse_centre_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class RatingInvitation(models.Model):
    """The one SMS link a visit gets when it ended without a rating: one use, then expired.

    Created in the same transaction as its SMS, and unique per visit, so a sweep run twice (or
    by two workers) sends one message.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    visit = models.OneToOneField(
        "queues.Visit", on_delete=models.CASCADE, related_name="rating_invitation"
    )
    ticket = models.ForeignKey("queues.Ticket", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    message = models.ForeignKey(
        "notify.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.visit_id} {'used' if self.used_at else 'open'}"


class Survey(models.Model):
    """A short questionnaire the Secretariat defines in the admin and sends by SMS link to a
    random sample of the citizens served in a period."""

    title_en = models.CharField(_("title (English)"), max_length=120)
    title_sw = models.CharField(_("title (Swahili)"), max_length=120)
    period_start = models.DateField(_("served from"))
    period_end = models.DateField(_("served until"))
    centre = models.ForeignKey(
        "places.Centre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every centre."),
    )
    sample_size = models.PositiveIntegerField(_("sample size"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="survey_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title_en

    def title(self, language: str) -> str:
        return self.title_sw if language == "sw" else self.title_en


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Score from 1 to 5")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text_en = models.CharField(_("question (English)"), max_length=200)
    text_sw = models.CharField(_("question (Swahili)"), max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SCALE)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text_en

    def text(self, language: str) -> str:
        return self.text_sw if language == "sw" else self.text_en


class SurveyInvitation(models.Model):
    """One sampled visit's link to one survey: sent once (unique), answered once."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    visit = models.ForeignKey("queues.Visit", on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    message = models.ForeignKey(
        "notify.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "visit"], name="one_survey_link_per_visit")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.visit_id}"


class SurveyAnswer(models.Model):
    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    yes = models.BooleanField(null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score or self.yes or self.text}"

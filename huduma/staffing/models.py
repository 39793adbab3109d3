"""Establishment, training and the cross-training planner: data and the invariants of one row.

Training: a Course (Customer Service Excellence, "Huduma DNA", or one service's own skill), its
Sessions, each officer's Attendance with the result, and the supervised-practice periods a
Centre Manager opens on purpose. Establishment: what a centre needs per service and the
redeployment requests to the MDAs. Planner: a proposal of new skills accepted as a training plan.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.i18n import Bilingual


class Course(Bilingual, models.Model):
    class Kind(models.TextChoices):
        CSE = "cse", _("Customer Service Excellence (Huduma DNA)")
        SERVICE = "service", _("Skill of one service")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
        help_text=_("The service whose skill this course gives (service courses only)."),
    )
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_sw = models.CharField(_("name (Swahili)"), max_length=160)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    valid_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("After this a refresher is due; empty for a course that does not expire."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="service") & models.Q(service__isnull=False))
                | (models.Q(kind="cse") & models.Q(service__isnull=True)),
                name="course_service_iff_service_kind",
            ),
            # One skill course per service: "trained in X" must mean one thing.
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(kind="service"),
                name="one_skill_course_per_service",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class TrainingSession(models.Model):
    """One running of a course: dates, place and trainer."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    centre = models.ForeignKey(
        "places.Centre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("centre"),
        help_text=_("Where it runs; empty for a national session."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    trainer = models.CharField(_("trainer"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="training_session_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="session_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.starts_on})"


class Attendance(models.Model):
    """An officer's place in a session and the result. `valid_until` is fixed when the result
    is recorded (the course's validity then), so a later change of the course rewrites nobody's
    certificate."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Not yet assessed")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        ABSENT = "absent", _("Did not attend")

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendees")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attendance"
    )
    result = models.CharField(
        _("result"), max_length=8, choices=Result.choices, default=Result.PENDING
    )
    score = models.PositiveSmallIntegerField(
        _("score (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "officer"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "officer"], name="attendance_unique"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="attendance_score_percent",
            ),
        ]
        indexes = [models.Index(fields=["officer", "result"], name="attendance_officer_idx")]

    def __str__(self) -> str:
        return f"{self.officer} · {self.session} ({self.result})"


class SupervisedPractice(models.Model):
    """A period in which an officer may serve a service they are not yet trained in, under
    supervision, opened on purpose by the Centre Manager (never by default)."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_practice"
    )
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    supervisor = models.CharField(_("supervisor"), max_length=120)
    reason = models.CharField(_("reason"), max_length=300)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("supervised practice")
        verbose_name_plural = _("supervised practice")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="practice_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.service} ({self.starts_on}..{self.ends_on})"


class CrossTrainingBan(models.Model):
    """A service an MDA does not let its officers learn (the planner never proposes it)."""

    mda = models.ForeignKey("catalogue.MDA", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("service an MDA's officers may not learn")
        verbose_name_plural = _("services MDAs' officers may not learn")
        constraints = [
            models.UniqueConstraint(fields=["mda", "service"], name="cross_training_ban_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mda.code} ✗ {self.service.code}"


class RedeploymentRequest(models.Model):
    """The Centre Manager asks an MDA for more officers (or offers a surplus back); the MDA's
    liaison (a back-office officer of that MDA) or the Secretariat answers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the MDA")
        AGREED = "agreed", _("Agreed")
        REFUSED = "refused", _("Refused")

    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    mda = models.ForeignKey("catalogue.MDA", on_delete=models.PROTECT, related_name="+")
    change = models.SmallIntegerField(
        _("officers"),
        help_text=_("How many more officers are asked for; negative to release a surplus."),
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("redeployment request")
        verbose_name_plural = _("redeployment requests")
        constraints = [
            models.CheckConstraint(condition=~models.Q(change=0), name="redeployment_not_zero"),
            # One open request per centre and MDA: a second one would be answered twice.
            models.UniqueConstraint(
                fields=["centre", "mda"],
                condition=models.Q(status="pending"),
                name="one_pending_redeployment",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(answered_at__isnull=False),
                name="redeployment_answered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} · {self.mda.code} {self.change:+d} ({self.status})"


class TrainingPlan(models.Model):
    """A proposal of the cross-training planner for a centre and, once the Centre Manager
    accepts it, the quarter's training plan. `prediction` holds the simulated waits."""

    class Status(models.TextChoices):
        COMPUTING = "computing", _("Being computed")
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted as the training plan")
        FAILED = "failed", _("Could not be computed")

    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPUTING)
    quarter = models.DateField(_("quarter"), help_text=_("The first day of the quarter."))
    history_from = models.DateField()
    history_to = models.DateField()
    target_ratio = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("1.20"))
    prediction = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")

    def __str__(self) -> str:
        return f"{self.centre} {self.quarter} ({self.status})"


class PlanItem(models.Model):
    """One new skill of a plan: an officer to be trained in a service."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PLANNED = "planned", _("Training planned")
        TRAINED = "trained", _("Trained: dispatch uses the skill")

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="items")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    quarter = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PROPOSED)
    trained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            # At most one new skill per officer per quarter, whatever the pages do.
            models.UniqueConstraint(
                fields=["officer", "quarter"],
                condition=models.Q(status__in=["planned", "trained"]),
                name="one_new_skill_per_officer_per_quarter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} → {self.service.code} ({self.status})"

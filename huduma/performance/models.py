"""Service standards, appraisal and savings: data and the invariants of one row.

Figures are never stored by hand: they are computed from the apps' event rows by the selectors
of each app. What lives here is what people decide (targets, appraisals, rewards and sanctions,
the savings method) and the record that a centre's daily report was made and sent.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DailyReport(models.Model):
    """The Centre Manager's report of one centre's day, made once at closing time.

    `figures` keeps what the report said when it was made (a JSON picture), so the page, the
    PDF and the email always agree, and a later correction of a row does not rewrite history."""

    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    made_at = models.DateTimeField(_("made at"))
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-day", "centre"]
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="daily_report_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day}"


class CountyContact(models.Model):
    """Who at the county receives each centre's daily report by email."""

    county = models.ForeignKey("places.County", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("county contact for daily reports")
        verbose_name_plural = _("county contacts for daily reports")
        constraints = [
            models.UniqueConstraint(fields=["county", "email"], name="county_contact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.county_id})"


class StandardKind(models.TextChoices):
    WAIT = "wait", _("Maximum wait")
    TURNAROUND = "turnaround", _("Turnaround")


DEFAULT_TARGET_PCT = Decimal("90.0")


class StandardTarget(models.Model):
    """The share of citizens a charter line promises: e.g. 90% served within the charter's
    maximum wait. One row per (service, kind); a service without a row has the default."""

    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("standard"), max_length=12, choices=StandardKind.choices)
    target_pct = models.DecimalField(
        _("target share (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(100))],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("service delivery standard")
        constraints = [
            models.UniqueConstraint(fields=["service", "kind"], name="standard_target_unique"),
            models.CheckConstraint(
                condition=Q(target_pct__gte=1, target_pct__lte=100), name="standard_target_1_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.kind} {self.target_pct}%"


class Appraisal(models.Model):
    """The Centre Manager's appraisal of one officer for one period, with the figures shown to
    the manager when it was written, and the officer's own comment."""

    class Rating(models.IntegerChoices):
        POOR = 1, _("1 - Well below expectations")
        BELOW = 2, _("2 - Below expectations")
        MEETS = 3, _("3 - Meets expectations")
        ABOVE = 4, _("4 - Above expectations")
        OUTSTANDING = 5, _("5 - Outstanding")

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appraisals"
    )
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    comment = models.TextField(_("manager's comment"), max_length=2000)
    figures = models.JSONField(default=dict)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appraised_at = models.DateTimeField()
    officer_comment = models.TextField(_("officer's comment"), max_length=2000, blank=True)
    officer_commented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_day", "officer"]
        verbose_name = _("appraisal")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "first_day", "last_day"], name="appraisal_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(first_day__lte=F("last_day")), name="appraisal_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="appraisal_rating_1_5"
            ),
            models.CheckConstraint(
                condition=~Q(appraised_by=F("officer")), name="appraisal_not_by_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.first_day}..{self.last_day}"


class Recognition(models.Model):
    """A reward or a sanction, with its reason: proposed by one person, approved (or refused)
    by a second, never the same (a database constraint as well as the verb)."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("Reward")
        SANCTION = "sanction", _("Sanction")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recognitions"
    )
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.PROTECT, null=True, blank=True, related_name="recognitions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    what = models.CharField(_("what"), max_length=200)
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("reward or sanction")
        verbose_name_plural = _("rewards and sanctions")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="recognition_second_person",
            ),
            models.CheckConstraint(
                condition=~Q(proposed_by=F("officer")), name="recognition_not_for_self"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True)
                | Q(status__in=["approved", "refused"], decided_by__isnull=False),
                name="recognition_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.officer_id} ({self.status})"


class SavingsMethod(models.Model):
    """The programme's published method of what Huduma saves citizens, as inputs the
    Secretariat edits. Every edit is a new row: the latest is in force, the older ones are its
    history (and audited)."""

    trip_cost_kes = models.DecimalField(
        _("cost of one trip to an office (KES)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    hour_value_kes = models.DecimalField(
        _("value of one hour of a citizen's time (KES)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    hours_saved_per_service = models.DecimalField(
        _("hours saved per service"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    bribe_kes = models.DecimalField(
        _("bribe citizens report being asked (KES, per service)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    bribe_share_pct = models.DecimalField(
        _("share of services where a bribe was asked before (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    source = models.CharField(_("source of these figures"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("savings method")
        constraints = [
            models.CheckConstraint(
                condition=Q(trip_cost_kes__gte=0, hour_value_kes__gte=0, bribe_kes__gte=0)
                & Q(hours_saved_per_service__gte=0, bribe_share_pct__gte=0)
                & Q(bribe_share_pct__lte=100),
                name="savings_method_inputs_valid",
            )
        ]

    def __str__(self) -> str:
        return f"savings method of {self.created_at:%Y-%m-%d %H:%M}"

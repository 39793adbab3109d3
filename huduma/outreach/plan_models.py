"""Outreach plans: calendar, venues, services, rotation, logistics, imprest, publicity."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.money import format_kes

__all__ = [
    "Announcement",
    "Expense",
    "LogisticsItem",
    "OfficerDay",
    "OptIn",
    "Outreach",
    "OutreachDay",
    "OutreachOfficer",
    "OutreachService",
    "Reimbursement",
    "Suggestion",
]


class Outreach(models.Model):
    """One Huduma Mashinani: a centre's team in one sub-county for one or two days."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed with the local administration")
        ANNOUNCED = "announced", _("Announced")
        HELD = "held", _("Held")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="outreaches")
    sub_county = models.ForeignKey(
        "places.SubCounty", on_delete=models.PROTECT, related_name="outreaches"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    # The letter of the tickets issued at this outreach ("Z001"): no service group's, so they
    # never read like the centre's own; unique per centre and day among outreaches (OutreachDay)
    # and live kits (services.ticket_letter_free). The first kit enrolled for it takes it.
    ticket_prefix = models.CharField(_("ticket prefix"), max_length=1)
    venue_name = models.CharField(_("venue"), max_length=120, blank=True)
    venue_ward = models.CharField(_("ward"), max_length=80, blank=True)
    venue_lat = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    venue_lon = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    opens_at = models.TimeField(_("opens"), default="08:00")
    closes_at = models.TimeField(_("closes"), default="17:00")
    agreed_by_name = models.CharField(_("agreed by"), max_length=120, blank=True)
    agreed_by_office = models.CharField(_("office"), max_length=120, blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    communicated_to = models.CharField(_("stakeholders told"), max_length=400, blank=True)
    communicated_at = models.DateTimeField(_("stakeholders told at"), null=True, blank=True)
    imprest_kes = models.DecimalField(_("imprest (KES)"), max_digits=10, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "centre", "sub_county__name"]
        verbose_name = _("outreach")
        verbose_name_plural = _("outreaches")
        constraints = [
            # One outreach per sub-county per month (a cancelled one may be planned again).
            models.UniqueConstraint(
                fields=["centre", "sub_county", "month"],
                condition=~models.Q(status="cancelled"),
                name="outreach_one_per_sub_county_month",
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")), name="outreach_hours_order"
            ),
            models.CheckConstraint(
                condition=models.Q(imprest_kes__gte=0), name="outreach_imprest_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sub_county.name} {self.month:%Y-%m} ({self.ticket_prefix})"

    @property
    def is_open_for_changes(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.AGREED)


class OutreachDay(models.Model):
    """A day of an outreach (one or two). Carries the centre so the ticket prefix is unique per
    centre and day in the database."""

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="days")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    ticket_prefix = models.CharField(max_length=1)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["outreach", "date"], name="outreach_day_unique"),
            models.UniqueConstraint(
                fields=["centre", "date", "ticket_prefix"], name="outreach_prefix_unique_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.ticket_prefix}"


class OutreachService(models.Model):
    """A portable service the manager chose to take, with the equipment it needs."""

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    equipment = models.CharField(_("equipment"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outreach", "service"], name="outreach_service_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} at {self.outreach_id}"


class OutreachOfficer(models.Model):
    """The officer who goes for one chosen service."""

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="officers")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outreach_assignments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outreach", "service"], name="outreach_officer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} for {self.service_id}"


class OfficerDay(models.Model):
    """An officer away on an outreach on one date. The unique (officer, date) is the invariant
    that an officer is never on two outreaches the same day, whatever the code above does."""

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="officer_days")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["officer", "date"], name="officer_one_outreach_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.date}"


class LogisticsItem(models.Model):
    class Kind(models.TextChoices):
        TRANSPORT = "transport", _("Transport")
        TENTS = "tents", _("Tents")
        CHAIRS = "chairs", _("Chairs")
        PUBLIC_ADDRESS = "public_address", _("Public address system")
        POWER = "power", _("Power (generator, batteries)")

    class Source(models.TextChoices):
        NEEDED = "needed", _("Not yet arranged")
        BORROWED = "borrowed", _("Borrowed from a government agency")
        HIRED = "hired", _("Hired")

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="logistics")
    kind = models.CharField(_("item"), max_length=16, choices=Kind.choices)
    source = models.CharField(
        _("arranged"), max_length=10, choices=Source.choices, default=Source.NEEDED
    )
    supplier = models.CharField(_("from whom"), max_length=120, blank=True)
    cost_kes = models.DecimalField(_("cost (KES)"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["outreach", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["outreach", "kind"], name="logistics_item_unique"),
            # Borrowed costs nothing; hired has a price.
            models.CheckConstraint(
                condition=models.Q(source="hired", cost_kes__gt=0)
                | (~models.Q(source="hired") & models.Q(cost_kes=0)),
                name="logistics_cost_only_when_hired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.source}"


class Reimbursement(models.Model):
    """The imprest's expenses claimed back; approved by a second person, never the requester."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")

    outreach = models.ForeignKey(Outreach, on_delete=models.PROTECT, related_name="reimbursements")
    amount_kes = models.DecimalField(_("amount (KES)"), max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_kes__gt=0), name="reimbursement_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("requested_by")),
                name="reimbursement_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{format_kes(self.amount_kes)} {self.status}"


class Expense(models.Model):
    """Money spent from an outreach's imprest, with its receipt."""

    outreach = models.ForeignKey(Outreach, on_delete=models.PROTECT, related_name="expenses")
    description = models.CharField(_("what for"), max_length=200)
    amount_kes = models.DecimalField(_("amount (KES)"), max_digits=10, decimal_places=2)
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    receipt_photo = models.CharField(_("receipt photo reference"), max_length=200, blank=True)
    spent_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    reimbursement = models.ForeignKey(
        Reimbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="expenses"
    )

    class Meta:
        ordering = ["spent_on", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_kes__gt=0), name="expense_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["outreach", "receipt_number"], name="expense_receipt_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} {format_kes(self.amount_kes)}"


class OptIn(models.Model):
    """A citizen who asked to be told by SMS when an outreach comes to their sub-county."""

    class Source(models.TextChoices):
        WEB = "web", _("Public page")
        SMS = "sms", _("SMS keyword")

    phone = models.CharField(_("phone"), max_length=16)
    sub_county = models.ForeignKey(
        "places.SubCounty", on_delete=models.CASCADE, related_name="outreach_opt_ins"
    )
    language = models.CharField(
        _("language"), max_length=2, choices=[("en", "English"), ("sw", "Kiswahili")], default="sw"
    )
    source = models.CharField(max_length=4, choices=Source.choices)
    opted_in_at = models.DateTimeField()
    opted_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["phone", "sub_county"], name="opt_in_once")]

    def __str__(self) -> str:
        return f"{self.sub_county_id} {self.source}"


class Announcement(models.Model):
    """The SMS announcement of an outreach, sent once: the row is unique per outreach and is
    written in the transaction that queues the messages, so announcing twice sends once."""

    outreach = models.OneToOneField(Outreach, on_delete=models.PROTECT, related_name="announcement")
    recipients = models.PositiveIntegerField(default=0)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    announced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.outreach_id}: {self.recipients}"


class Suggestion(models.Model):
    """A citizen's suggestion of a venue or a service for the outreach in their sub-county."""

    sub_county = models.ForeignKey(
        "places.SubCounty", on_delete=models.CASCADE, related_name="outreach_suggestions"
    )
    venue = models.CharField(_("venue"), max_length=120, blank=True)
    services = models.CharField(_("services wanted"), max_length=400, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sub_county_id}: {self.venue}"

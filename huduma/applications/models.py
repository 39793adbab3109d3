"""Applications received at the front office and processed by an MDA: status, turnaround clock,
every step taken; and referrals to an MDA's office for services a centre does not offer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huduma.core.models import OfflineRecord

REASON_MAX_LENGTH = 500


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROCESSING = "in_processing", _("In processing")
    QUERY_RAISED = "query_raised", _("Query raised to the citizen")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    READY = "ready", _("Ready for collection")
    COLLECTED = "collected", _("Collected")


# The turnaround clock runs while the MDA owes the citizen a document; it stops while a query
# waits for the citizen, and ends once the document is ready (or the application is rejected).
CLOCK_RUNNING = (Status.RECEIVED, Status.IN_PROCESSING, Status.APPROVED)
OPEN_STATUSES = (*CLOCK_RUNNING, Status.QUERY_RAISED)


class Application(OfflineRecord):
    tracking_number = models.CharField(_("tracking number"), max_length=12, unique=True)
    ticket = models.ForeignKey(
        "queues.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey(
        "queues.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    # The MDA that owns the service when received: its back office holds the application.
    mda = models.ForeignKey("catalogue.MDA", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=16)
    language = models.CharField(max_length=2, default="sw")
    # The official fee of the service at the time of the request: what an invoice may ask.
    fee_kes = models.DecimalField(_("official fee (KES)"), max_digits=10, decimal_places=2)
    # The requirement checklist as the officer ticked it: [{"id", "text_en", "text_sw",
    # "confirmed"}], copied from the catalogue so a later edit of the catalogue changes nothing.
    checklist = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    collection_centre = models.ForeignKey(
        "places.Centre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    turnaround_days = models.PositiveSmallIntegerField(_("turnaround (working days)"))
    received_at = models.DateTimeField(_("received"), db_index=True)
    # The last working day (Nairobi) on which the MDA keeps its promise; moved later by the
    # working days a query kept the clock stopped.
    due_on = models.DateField(_("due"))
    clock_stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(_("turnaround breached"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["due_on", "received_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "service"],
                condition=Q(ticket__isnull=False),
                name="application_once_per_ticket_service",
            ),
            models.CheckConstraint(
                condition=Q(fee_kes__gte=0), name="application_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="application_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["ready", "collected"])
                | Q(collection_centre__isnull=False),
                name="application_ready_has_centre",
            ),
        ]
        indexes = [
            models.Index(fields=["mda", "status", "due_on"], name="application_worklist_idx"),
            models.Index(fields=["phone", "-received_at"], name="application_phone_idx"),
            # The breach sweep reads only open applications not yet alerted.
            models.Index(
                fields=["due_on"],
                name="application_unbreached_idx",
                condition=Q(
                    breached_at__isnull=True, status__in=["received", "in_processing", "approved"]
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationEvent(OfflineRecord):
    """One step of an application, with time and actor."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROCESSING = "in_processing", _("Processing started")
        QUERY_RAISED = "query_raised", _("Query raised")
        QUERY_ANSWERED = "query_answered", _("Query answered")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        READY = "ready", _("Ready for collection")
        COLLECTED = "collected", _("Collected")
        CHECKLIST = "checklist", _("Checklist updated")
        BREACHED = "breached", _("Turnaround breached")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=14, choices=Status.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "node_seq"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application} {self.kind}"


class Referral(OfflineRecord):
    """A citizen sent to an MDA's own office for a service the centre does not offer. The
    follow-up (did they get served?) stays open until a member of staff closes it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Follow-up open")
        CLOSED = "closed", _("Closed")

    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    mda = models.ForeignKey("catalogue.MDA", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(
        "queues.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=16)
    language = models.CharField(max_length=2, default="sw")
    address = models.CharField(_("office address"), max_length=300)
    note = models.CharField(_("note"), max_length=REASON_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=REASON_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("referred"), db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="referral_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["centre", "status"], name="referral_followup_idx")]

    def __str__(self) -> str:
        return f"{self.service} -> {self.mda}"

"""Complaints: what the citizen reported, where it stands, who holds it, and every step taken."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huduma.core.models import OfflineRecord

TEXT_MAX_LENGTH = 2000
# GeoReport v2: "free form text limited to 4,000 characters" (the web form keeps 2,000).
OPEN311_TEXT_MAX_LENGTH = 4000
PUBLIC_NOTE_MAX_LENGTH = 500


class Category(models.TextChoices):
    SERVICE_QUALITY = "service_quality", _("Poor service")
    DELAY = "delay", _("Delay beyond the charter's turnaround time")
    BRIBERY = "bribery", _("Request for a bribe or an extra fee")
    DISCRIMINATION = "discrimination", _("Discrimination")
    MALADMINISTRATION = "maladministration", _("Maladministration")
    OTHER = "other", _("Something else")


# Corruption and maladministration go at once to the external monitors (EACC, Ombudsman), may be
# reported anonymously, and are the only complaints monitors see.
MONITOR_CATEGORIES = frozenset({Category.BRIBERY, Category.MALADMINISTRATION})


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    SMS = "sms", _("SMS")
    CENTRE = "centre", _("At a Huduma Centre")
    CONTACT_CENTRE = "contact_centre", _("Contact centre")
    SOCIAL_MEDIA = "social_media", _("Social media")
    LOW_RATING = "low_rating", _("Low rating")
    OPEN311 = "open311", _("Open311 client")
    USSD = "ussd", _("USSD")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged, waiting to be taken up")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, waiting for your confirmation")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# Channels where the complainant may have no phone we can text (a social-media handle, a caller
# who withheld it, a tablet rating, a civic app): the record still stands.
NO_PHONE_CHANNELS = [
    Channel.CONTACT_CENTRE,
    Channel.SOCIAL_MEDIA,
    Channel.LOW_RATING,
    Channel.OPEN311,
]


# Statuses in which someone must act before the due date, or the complaint escalates.
ACTIONABLE = (Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED)


class Level(models.TextChoices):
    CENTRE = "centre", _("the Centre Manager")
    MDA = "mda", _("the MDA concerned")
    SECRETARIAT = "secretariat", _("the Huduma Kenya Secretariat")
    MONITOR = "monitor", _("the EACC and the Ombudsman")
    # The independent reviewer above the top: an appeal against the Secretariat or the monitors,
    # or a complaint they left unanswered, goes to the Commission on Administrative Justice.
    REVIEW = "review", _("the Commission on Administrative Justice")


class SmsStep(models.TextChoices):
    """Where an SMS complaint's short dialogue stands: the next question we asked."""

    NONE = "", _("none")
    CATEGORY = "category", _("what it is about")
    STAFF = "staff", _("whether it names staff")
    CENTRE = "centre", _("which centre")


class Complaint(OfflineRecord):
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    category = models.CharField(_("about"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("received by"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED
    )
    level = models.CharField(_("with"), max_length=12, choices=Level.choices)
    centre = models.ForeignKey(
        "places.Centre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mda = models.ForeignKey(
        "catalogue.MDA", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "queues.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Blank only from an Open311 client (the specification makes the description optional).
    text = models.TextField(_("what happened"), max_length=OPEN311_TEXT_MAX_LENGTH, blank=True)
    # A hash of the normalised text, so "the same complaint again" is one indexed lookup.
    text_hash = models.CharField(max_length=64, editable=False)
    names_staff = models.BooleanField(
        _("names a member of staff"),
        default=False,
        help_text=_("Kept from the Centre Manager of the centre concerned."),
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    language = models.CharField(max_length=2, default="sw")
    anonymous = models.BooleanField(_("anonymous"), default=False)
    secret_hash = models.CharField(max_length=200, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    api_client = models.ForeignKey(
        "complaints.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    # Where an Open311 client placed it (lat, long, address_string, media_url), as given.
    location = models.JSONField(default=dict, blank=True)
    # When the next step is due: escalation of an open complaint, or the automatic close of a
    # resolved one. Null when nothing is due (closed, or at a level that does not escalate).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True, max_length=1000)
    # What the public may read (Open311 status_notes): written by the officer for the purpose,
    # never the internal resolution, which may name staff and the citizen.
    public_note = models.CharField(
        _("public status note"), max_length=PUBLIC_NOTE_MAX_LENGTH, blank=True
    )
    # The submitter's details an Open311 client sent (email, first_name, last_name, device_id,
    # account_id): kept for the officers, never published.
    reporter = models.JSONField(default=dict, blank=True)
    # Set when the top level let its deadline pass (nothing above to escalate to): flagged.
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    # An SMS complaint's dialogue: the question we are waiting for an answer to.
    sms_step = models.CharField(max_length=8, choices=SmsStep.choices, default="", blank=True)
    resolution_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    idempotency_scope = models.CharField(max_length=80, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    request_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="complaint_idempotency_key_once",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False, phone__gt="")
                | Q(anonymous=True, phone="", secret_hash__gt="")
                | Q(anonymous=False, phone="", channel__in=NO_PHONE_CHANNELS),
                name="complaint_reachable_or_anonymous",
            ),
            models.CheckConstraint(
                condition=Q(resolution_rating__isnull=True)
                | Q(resolution_rating__gte=1, resolution_rating__lte=5),
                name="complaint_rating_1_to_5",
            ),
        ]
        indexes = [
            # The sweep reads only rows with something due, oldest first.
            models.Index(
                fields=["due_at"], name="complaint_due_idx", condition=Q(due_at__isnull=False)
            ),
            models.Index(fields=["phone", "text_hash"], name="complaint_duplicate_idx"),
            models.Index(fields=["centre", "status"], name="complaint_centre_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class ComplaintEvent(OfflineRecord):
    """One step of a complaint, with time and actor. Figures are computed from these rows."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("Work started")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        ESCALATED = "escalated", _("Escalated")
        APPEALED = "appealed", _("Appealed")
        SENT_AGAIN = "sent_again", _("Sent again (merged)")
        OVERDUE = "overdue", _("Overdue (flagged)")
        CLASSIFIED = "classified", _("Category or centre given")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    level = models.CharField(max_length=12, choices=Level.choices)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"


class ApiClient(models.Model):
    """An Open311 client (a civic app) allowed to file complaints. Only a hash of its key is kept."""

    name = models.CharField(_("name"), max_length=120)
    key_prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API client")
        verbose_name_plural = _("Open311 API clients")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

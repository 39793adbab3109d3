"""Queue management: a visit (one printed ticket number) with one ticket per service, the
counter sessions that serve them, appointments, and the event log every KPI is computed from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huduma.core.ids import uuid7
from huduma.core.models import OfflineRecord


class Priority(models.TextChoices):
    NONE = "", _("None")
    ELDERLY = "elderly", _("Elderly")
    DISABILITY = "disability", _("Person with disability")
    EXPECTANT = "expectant", _("Expectant mother")


class IssueChannel(models.TextChoices):
    RECEPTION = "reception", _("Reception desk")
    KIOSK = "kiosk", _("Self-service kiosk")
    WEB = "web", _("Web (virtual ticket)")
    SMS = "sms", _("SMS (virtual ticket)")
    APPOINTMENT = "appointment", _("Appointment")
    API = "api", _("Other channel")
    USSD = "ussd", _("USSD (virtual ticket)")


class Visit(OfflineRecord):
    """A citizen's trip to a centre: one number, one arrival time, one or more services."""

    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="visits")
    service_day = models.DateField(_("day"))
    prefix = models.CharField(max_length=1)
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("ticket number"), max_length=8)
    arrived_at = models.DateTimeField(_("arrived"))
    priority = models.CharField(max_length=12, choices=Priority.choices, blank=True, default="")
    # Priority chosen at a kiosk is only asked for: it counts once staff confirm it
    # (services.visit_priority_confirm), so nobody jumps the queue by pressing a button.
    priority_requested = models.CharField(
        max_length=12, choices=Priority.choices, blank=True, default=""
    )
    channel = models.CharField(max_length=12, choices=IssueChannel.choices)
    phone = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=2, default="sw")
    requirements_confirmed_at = models.DateTimeField(null=True, blank=True)
    near_front_notified_at = models.DateTimeField(null=True, blank=True)
    # Text "come now" when a few places from the front: always for a virtual ticket (its holder
    # is elsewhere), for a ticket issued in the centre only if the citizen asked.
    near_front_sms = models.BooleanField(default=False)
    # NULL, not "", when absent: the unique constraint must ignore visits without a key.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001
    # Who may replay the key: a staff user ("user:<id>"), or an anonymous channel and its
    # phone ("web:+2547..."); and what was asked, so a replay asking for something else is
    # refused (see services.idempotency_scope and services.idempotency_request).
    idempotency_scope = models.CharField(max_length=40, blank=True, default="")
    idempotency_request = models.CharField(max_length=200, blank=True, default="")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["arrived_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "service_day", "prefix", "sequence"], name="visit_number_unique"
            ),
            models.UniqueConstraint(
                fields=["centre", "idempotency_scope", "idempotency_key"],
                name="visit_idempotency_unique",
                condition=models.Q(idempotency_key__isnull=False),
            ),
        ]
        # A caller's visits, newest first (the contact centre's screen pop, during a call).
        indexes = [models.Index(fields=["phone", "-arrived_at"], name="visit_phone_idx")]

    def __str__(self) -> str:
        return f"{self.number} ({self.service_day})"

    def format_number(self) -> str:
        """The printed number: the prefix and the day's sequence, A001 ... A999, A1000."""
        return f"{self.prefix}{self.sequence:03d}"


class Ticket(OfflineRecord):
    """One service of a visit. Only the visit's current ticket waits in a queue at a time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Later in this visit")
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        SERVED = "served", _("Served")
        NO_SHOW = "no_show", _("Did not come")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.WAITING, Status.CALLED, Status.SERVING)

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="tickets")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Dispatch order, in seconds since the epoch: the visit's arrival less any priority,
    # appointment or named-counter credit. Set when the ticket starts waiting.
    queue_key = models.FloatField(null=True, blank=True)
    target_counter = models.ForeignKey(
        "places.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counter = models.ForeignKey(
        "places.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recalls = models.PositiveSmallIntegerField(default=0)
    waiting_since = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit", "position"]
        indexes = [
            models.Index(fields=["centre", "status", "service"], name="ticket_queue_idx"),
            models.Index(fields=["counter", "status"], name="ticket_counter_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["visit", "position"], name="ticket_position_unique"),
            # A counter holds at most one ticket at a time. The claim checks this too, but two
            # requests from one counter (a double click) can both pass that check at once.
            models.UniqueConstraint(
                fields=["counter"],
                condition=models.Q(status__in=["called", "serving"]),
                name="one_held_ticket_per_counter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit.number} · {self.service.code} ({self.status})"


class TicketEvent(OfflineRecord):
    """Every state change of a ticket, with time and actor. KPIs are computed from these."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CHECKED_IN = "checked_in", _("Checked in")
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        RECALLED = "recalled", _("Recalled")
        SERVING = "serving", _("Serving")
        SERVED = "served", _("Served")
        TRANSFERRED = "transferred", _("Transferred")
        SERVICE_ADDED = "service_added", _("Service added")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")
        PRIORITY = "priority", _("Priority confirmed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counter = models.ForeignKey(
        "places.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["centre", "kind", "at"], name="event_centre_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%H:%M:%S}"


class CounterSession(models.Model):
    """An officer signed in to a counter, from opening to closing; paused in between at will."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("counter", "Open")
        PAUSED = "paused", pgettext_lazy("counter", "Paused")
        CLOSED = "closed", pgettext_lazy("counter", "Closed")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    counter = models.ForeignKey("places.Counter", on_delete=models.CASCADE, related_name="sessions")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="counter_sessions"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["counter"],
                condition=~models.Q(status="closed"),
                name="one_live_session_per_counter",
            ),
            models.UniqueConstraint(
                fields=["officer"],
                condition=~models.Q(status="closed"),
                name="one_live_session_per_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counter} · {self.officer} ({self.status})"


class DailyCounter(models.Model):
    """The last number issued per centre, day (Nairobi time) and prefix: A001, A002, ..."""

    centre = models.ForeignKey("places.Centre", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "prefix"], name="daily_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day} {self.prefix}{self.last:03d}"


class Appointment(OfflineRecord):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(max_length=12, unique=True)
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    slot_start = models.DateTimeField()
    phone = models.CharField(max_length=16)
    language = models.CharField(max_length=2, default="sw")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    visit = models.OneToOneField(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot_start"]
        indexes = [
            models.Index(fields=["centre", "service", "slot_start"], name="appt_slot_idx"),
            models.Index(fields=["phone", "-slot_start"], name="appt_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class DaySkill(models.Model):
    """A service a counter serves for one day only (Nairobi date), added by the Centre Manager
    to cover a queue that has nobody to serve it. The lasting skills are catalogue.CounterService;
    dispatch reads both (reference.counter_skills), and the row lapses with its day."""

    counter = models.ForeignKey("places.Counter", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("skill for one day")
        verbose_name_plural = _("skills for one day")
        constraints = [
            # Also the index of the read that matters: a counter's skills on one day.
            models.UniqueConstraint(fields=["counter", "day", "service"], name="day_skill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} at counter {self.counter.number} on {self.day}"


class OfficerSkill(models.Model):
    """A service an officer serves at whichever counter they sign in to, beyond the counter's
    own skills: a second skill learned by cross-training. Given only through
    services.officer_skill_grant (which checks the training rule); dispatch reads it with the
    counter's skills (services.skills_at_counter)."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extra_skills"
    )
    service = models.ForeignKey("catalogue.Service", on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("officer's second skill")
        verbose_name_plural = _("officers' second skills")
        constraints = [
            models.UniqueConstraint(fields=["officer", "service"], name="officer_skill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} · {self.officer}"

"""Field-kit sync: batches received from kits, conflicts held for a person, sequence gaps.

Server side: FieldKit (a registered device of kind field_kit, with its node id and ticket
prefix), SyncItem (every change a kit pushed, once per kit and sequence number: duplicates and
gaps are read from it), SyncConflict, RefusedPush, MpesaCodeCheck and KitAuditReceipt (each
audit entry a kit reported, once per kit and entry hash).
Kit side (the same tables exist on both; only a kit writes them): KitState (one row: where the
server is, the token, the cursor of acknowledged changes), KitChange (the kit's change log,
written by SQLite triggers, huduma/outreach/kit.py) and KitRejection.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "FieldKit",
    "KitAuditReceipt",
    "KitChange",
    "KitDeferred",
    "KitRejection",
    "KitState",
    "MpesaCodeCheck",
    "RefusedPush",
    "SyncConflict",
    "SyncItem",
]


class FieldKit(models.Model):
    """A laptop enrolled for outreach: one registered device of kind field_kit."""

    device = models.OneToOneField(
        "accounts.Device", on_delete=models.PROTECT, primary_key=True, related_name="field_kit"
    )
    node_id = models.CharField(_("node id"), max_length=64, unique=True)
    # A letter no service group uses and no other outreach or live kit of the centre holds on
    # the kit's days (services.ticket_letter_free): the first kit of an outreach takes the
    # outreach's letter, a second one its own, so kit tickets never take a number the centre
    # (or another kit) issues the same day.
    ticket_prefix = models.CharField(_("ticket prefix"), max_length=1)
    # The outreach the kit goes to: its plan travels with the kit, its records count there.
    outreach = models.ForeignKey(
        "outreach.Outreach",
        verbose_name=_("outreach"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kits",
    )
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # SHA-256 of the kit's token, the same digest the device holds; kept after a revocation
    # (which clears the device's) so that a lost kit's later pushes are recognised and shown.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    last_push_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_pull_at = models.DateTimeField(_("last pull"), null=True, blank=True)
    # What the kit said it still had to send, at its last push (a fact reported by the kit).
    pending_reported = models.PositiveIntegerField(_("records pending"), default=0)
    # The key of the registration form that made the kit: the same form sent again (a double
    # click, a retry) finds this kit instead of registering a second one (NULL: no key, many).
    registration_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("field kit")
        verbose_name_plural = _("field kits")
        constraints = [
            models.UniqueConstraint(fields=["registration_key"], name="kit_registered_once_per_key")
        ]

    def __str__(self) -> str:
        return self.node_id


class SyncItem(models.Model):
    """One change pushed by a kit, stored once per (kit, sequence number) whatever the retries."""

    class Outcome(models.TextChoices):
        STORED = "stored", _("Stored")
        UPDATED = "updated", _("Updated")
        DUPLICATE = "duplicate", _("Already had it")
        STALE = "stale", _("Older than what we have")
        CONFLICT = "conflict", _("Held as a conflict")
        REJECTED = "rejected", _("Refused")

    node_id = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    model = models.CharField(max_length=40)
    record_id = models.UUIDField()
    hash = models.CharField(max_length=64)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True, default="")
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node_id", "seq"], name="syncitem_once_per_seq"),
        ]
        indexes = [models.Index(fields=["model", "record_id", "seq"], name="syncitem_record_idx")]

    def __str__(self) -> str:
        return f"{self.node_id}#{self.seq} {self.model} {self.outcome}"


class SyncConflict(models.Model):
    """A record a kit sent again with other content than the server holds: never overwritten,
    kept here until a person keeps the server's or takes the kit's."""

    class Status(models.TextChoices):
        OPEN = "open", _("To resolve")
        KEPT_SERVER = "kept_server", _("Kept the server's")
        TOOK_KIT = "took_kit", _("Took the kit's")

    kit = models.ForeignKey(FieldKit, on_delete=models.PROTECT, related_name="conflicts")
    seq = models.BigIntegerField()
    model = models.CharField(max_length=40)
    record_id = models.UUIDField()
    reason = models.CharField(max_length=200)
    kit_fields = models.JSONField()
    server_fields = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "seq"], name="syncconflict_once_per_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id} ({self.status})"


class RefusedPush(models.Model):
    """A push from a revoked kit: refused, and shown to the centre."""

    kit = models.ForeignKey(FieldKit, on_delete=models.CASCADE, related_name="refused_pushes")
    at = models.DateTimeField()
    address = models.CharField(max_length=64, blank=True, default="")
    records = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kit_id} {self.at:%Y-%m-%d %H:%M}"


class MpesaCodeCheck(models.Model):
    """What the provider said, at sync, about an M-Pesa code a kit recorded offline."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Confirmed")
        MISMATCH = "mismatch", _("Does not match")
        NOT_FOUND = "not_found", _("Unknown to M-Pesa")
        UNAVAILABLE = "unavailable", _("Not checked yet")

    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    kit = models.ForeignKey(FieldKit, on_delete=models.CASCADE, related_name="code_checks")
    code = models.CharField(max_length=20)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    detail = models.CharField(max_length=200, blank=True, default="")
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.code} {self.outcome}"


class KitAuditReceipt(models.Model):
    """One audit entry a kit made offline (a sign-in, a failed one, a change), received once:
    the server appended it to its own chain as entry `audit_entry` ("kit.<action>"), with
    the kit's time, hash and link. `verified` is False when the kit's hash did not match the
    entry's content or it did not link to the kit's previous entry (a kit restored from an old
    copy, or entries removed on the kit): shown to the centre, never silently dropped."""

    kit = models.ForeignKey(FieldKit, on_delete=models.PROTECT, related_name="audit_receipts")
    kit_entry_id = models.BigIntegerField()
    kit_hash = models.CharField(max_length=64)
    kit_prev_hash = models.CharField(max_length=64)
    verified = models.BooleanField(default=True)
    audit_entry = models.OneToOneField(
        "core.AuditEntry", on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kit", "kit_hash"], name="kit_audit_once_per_hash")
        ]

    def __str__(self) -> str:
        return f"{self.kit_id} #{self.kit_entry_id}"


class KitState(models.Model):
    """On a kit: its enrolment and sync cursor (one row, id 1)."""

    server_url = models.CharField(max_length=200)
    token = models.CharField(max_length=100)
    device_id = models.CharField(max_length=64)
    centre_code = models.CharField(max_length=40)
    ticket_prefix = models.CharField(max_length=1)
    # The outreach's plan as the server last gave it (selectors.outreach_plan); {} if none.
    plan = models.JSONField(default=dict, blank=True)
    # Every change up to this sequence number has been acknowledged by the server.
    acked_seq = models.BigIntegerField(default=0)
    # Every audit entry of the kit up to this id has been received by the server.
    audit_sent_id = models.BigIntegerField(default=0)
    catalogue_version = models.CharField(max_length=400, blank=True, default="")
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.device_id} -> {self.server_url}"


class KitChange(models.Model):
    """On a kit: one insert or update of a record to push; its id is the kit's sequence number
    (AUTOINCREMENT: never reused). Written by triggers, so no code path can forget it."""

    id = models.BigAutoField(primary_key=True)
    model = models.CharField(max_length=40)
    record_id = models.CharField(max_length=36)

    def __str__(self) -> str:
        return f"#{self.pk} {self.model} {self.record_id}"


class KitRejection(models.Model):
    """On a kit: a change the server refused, with its reason, for the kit's officer to see."""

    seq = models.BigIntegerField(primary_key=True)
    model = models.CharField(max_length=40)
    record_id = models.CharField(max_length=36)
    reason = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"#{self.seq} {self.reason}"


class KitDeferred(models.Model):
    """On a kit: a change held back because its ticket is still in the tent's queue (or it
    refers to such a record). The cursor moves past it, so nothing else waits; once the ticket
    has ended, the record goes to the end of the change log again (kit.py)."""

    seq = models.BigIntegerField(primary_key=True)
    model = models.CharField(max_length=40)
    record_id = models.CharField(max_length=36)

    def __str__(self) -> str:
        return f"#{self.seq} {self.model} {self.record_id}"

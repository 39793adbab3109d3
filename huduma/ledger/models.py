"""The ledger: chained double-entry journal entries, receipts, refunds and signed checkpoints.

Rows are only ever added: a refund is a new entry, never an edit or a deletion of a payment.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LEGACY_CHAIN = "ledger"  # the one national chain of entries posted before chains per centre


class Chain(models.Model):
    """The head of one ledger chain: one per MDA and centre. Appending locks this row only, so
    payments at different centres (or for different MDAs) never wait for each other."""

    name = models.CharField(max_length=100, unique=True)  # "ledger:<MDA code>:<centre code>"
    mda = models.ForeignKey("catalogue.MDA", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    position = models.BigIntegerField(default=0)
    head = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mda", "centre"], name="ledger_chain_per_mda_centre")
        ]

    def __str__(self):
        return self.name


class Entry(models.Model):
    """One balanced journal entry; its hash covers its content, postings, its place in its
    chain and the previous hash of that chain."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        # Money a payer paid that no fee took yet (a second payment, a late one...): held in
        # the centre's suspense account until it is applied (a PAYMENT entry) or returned.
        HELD = "held", _("Held for review")
        RETURNED = "returned", _("Held money refunded")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    # The payment's id in the payments app (a UUID or any unique text): one payment entry each.
    payment_id = models.CharField(_("payment"), max_length=64, db_index=True)
    amount = models.DecimalField(_("amount (KES)"), max_digits=14, decimal_places=2)
    mda = models.ForeignKey("catalogue.MDA", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=16)
    reference = models.CharField(_("provider reference"), max_length=64, blank=True)
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    chain = models.CharField(max_length=100, default=LEGACY_CHAIN)
    # The entry's position in its chain (1, 2, ...; the id for the legacy national chain).
    seq = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        constraints = [
            # Two appends that both read the same head cannot both land (the row lock on the
            # chain's head is what makes them wait; this is what catches code that forgets it).
            models.UniqueConstraint(fields=["chain", "seq"], name="ledger_one_entry_per_place"),
            models.UniqueConstraint(
                fields=["payment_id"],
                condition=models.Q(kind="payment"),
                name="ledger_one_entry_per_payment",
            ),
            models.UniqueConstraint(
                fields=["payment_id", "kind"],
                condition=models.Q(kind__in=["held", "returned"]),
                name="ledger_held_once_per_payment",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_pos"),
        ]

    def __str__(self):
        return f"{self.kind} {self.payment_id} {self.amount}"


class Posting(models.Model):
    """One side of an entry: a debit or a credit to one account."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="postings")
    account = models.CharField(_("account"), max_length=80)
    debit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    credit = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.account} {self.debit} {self.credit}"


class Receipt(models.Model):
    """The citizen's proof of payment; its details are what the QR code carries, signed."""

    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="receipt")
    amount = models.DecimalField(_("amount (KES)"), max_digits=14, decimal_places=2)
    paid_at = models.DateTimeField(_("paid at"))
    code = models.TextField(_("signed receipt code"))

    def __str__(self):
        return self.number


class Refund(models.Model):
    """A refund asked by one officer and approved by another (maker-checker)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    payment = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="refund_requests")
    amount = models.DecimalField(_("amount (KES)"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, related_name="refund_record"
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_pos"),
        ]

    def __str__(self):
        return f"refund {self.amount} ({self.status})"


class Checkpoint(models.Model):
    """A signed statement of a chain's head (position and hash) at a moment: the audit chain
    ("audit") or one ledger chain ("ledger:<MDA>:<centre>", or "ledger" for the legacy one)."""

    class Kind(models.TextChoices):
        INTERVAL = "interval", _("Regular")
        DAY_CLOSE = "day_close", _("Day close")

    chain = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INTERVAL)
    position = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    signature = models.CharField(max_length=120)
    key_id = models.CharField(max_length=32, blank=True)  # "" before key ids

    class Meta:
        ordering = ["chain", "position", "at"]

    def __str__(self):
        return f"{self.chain} {self.position}"

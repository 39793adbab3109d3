"""Invoices for the official fee, payments against them (M-Pesa, card, cash) and their events."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import uuid7
from huduma.core.models import OfflineRecord
from huduma.core.money import format_kes


def account_reference(invoice_id) -> str:
    """The account number a payer types when paying an invoice straight to the paybill (the
    C2B BillRefNumber), and the AccountReference of its STK push: the last 10 characters of the
    invoice's id (the random part of a UUIDv7), in capitals."""
    return str(invoice_id).replace("-", "")[-10:].upper()


class Invoice(models.Model):
    """What a citizen owes for one service: exactly its official fee when the invoice was raised."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(
        "queues.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The application the fee is for, when there is one (its fee was fixed when it was received).
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    amount_kes = models.DecimalField(_("amount (KES)"), max_digits=12, decimal_places=2)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_kes__gt=0), name="invoice_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {format_kes(self.amount_kes)}"

    @property
    def account_reference(self) -> str:
        return account_reference(self.pk)


class Payment(OfflineRecord):
    """One attempt to pay an invoice through one channel. Its history is in PaymentEvent."""

    class Channel(models.TextChoices):
        MPESA = "mpesa", _("M-Pesa")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the payer")
        COMPLETED = "completed", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled by the payer")
        EXPIRED = "expired", _("Expired")
        HELD = "held", _("Held for review")
        REFUNDED = "refunded", _("Refunded to the payer")

    FINAL = (
        Status.COMPLETED,
        Status.FAILED,
        Status.CANCELLED,
        Status.EXPIRED,
        Status.HELD,
        Status.REFUNDED,
    )

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    # The invoice's application, copied here so that the database itself can refuse a second
    # completed payment of one application's fee (two invoices raised for it, one paid each).
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    provider = models.CharField(max_length=16)
    amount_kes = models.DecimalField(max_digits=12, decimal_places=2)
    phone = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Why a payment is held (amount or phone differ, paid after expiry, invoice already paid).
    hold_reason = models.CharField(max_length=200, blank=True, default="")
    # The provider's ids: Daraja's CheckoutRequestID is how a callback finds its payment.
    checkout_request_id = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001
    merchant_request_id = models.CharField(max_length=80, blank=True, default="")
    provider_receipt = models.CharField(max_length=40, blank=True, default="")
    # The sha256 (hex) of the secret put in the callback URL given to the provider: the secret
    # itself is kept nowhere, so a copy of the database cannot forge a callback with it.
    callback_secret_hash = models.CharField(max_length=64, blank=True, default="")
    amount_paid_kes = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001
    idempotency_scope = models.CharField(max_length=40, blank=True, default="")
    idempotency_request = models.CharField(max_length=200, blank=True, default="")
    started_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # However many callbacks, queries and clicks race, an invoice is paid once.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(status="completed"),
                name="payment_one_completed_per_invoice",
            ),
            # One STK push waiting on a phone at a time per invoice: a double click cannot
            # send two.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(status="pending"),
                name="payment_one_pending_per_invoice",
            ),
            # One fee per application, however many invoices were raised for it.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status="completed", application__isnull=False),
                name="payment_one_completed_per_application",
            ),
            # One M-Pesa receipt (confirmation code) pays one fee: whether it completes a
            # payment or is money held for review, a second row with it is refused by the
            # database. (A code a field kit recorded offline is held unverified, no money
            # counted: shown at two tents, both are kept, and verifying the second fails.)
            models.UniqueConstraint(
                fields=["provider_receipt"],
                condition=models.Q(channel="mpesa")
                & ~models.Q(provider_receipt="")
                & (
                    models.Q(status__in=["completed", "refunded"])
                    | models.Q(status="held", amount_paid_kes__isnull=False)
                ),
                name="payment_mpesa_receipt_once",
            ),
            models.UniqueConstraint(
                fields=["provider", "checkout_request_id"],
                condition=models.Q(checkout_request_id__isnull=False),
                name="payment_checkout_request_unique",
            ),
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="payment_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_kes__gt=0), name="payment_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "started_at"], name="payment_status_started"),
            models.Index(fields=["phone", "-started_at"], name="payment_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {format_kes(self.amount_kes)} {self.status}"


class PaymentEvent(models.Model):
    """Every change of a payment, and every callback or query about it, with what it said."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=24)
    status = models.CharField(max_length=10, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.status}"


class PaybillTransaction(models.Model):
    """A payment received on the centre's paybill, as Safaricom confirmed it to our C2B
    confirmation URL (Daraja's Register URL API): the record M-Pesa codes taken offline are
    checked against. Written once per M-Pesa transaction id, however often it is posted."""

    trans_id = models.CharField(_("M-Pesa transaction id"), max_length=20)
    transaction_type = models.CharField(max_length=40, blank=True, default="")
    amount_kes = models.DecimalField(_("amount (KES)"), max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField(_("paid at"))
    short_code = models.CharField(_("paybill"), max_length=12)
    bill_ref = models.CharField(_("account reference"), max_length=40, blank=True, default="")
    invoice_number = models.CharField(max_length=40, blank=True, default="")
    # The payer's number in E.164 when M-Pesa gave it in full, else the masked or hashed form
    # it gave (newer API versions hash it). Personal data: never logged, not in the admin list.
    payer = models.CharField(max_length=80, blank=True, default="")
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        constraints = [
            # A confirmation retried by Safaricom, or posted twice at the same instant, is one row.
            models.UniqueConstraint(fields=["trans_id"], name="paybill_transaction_once"),
            models.CheckConstraint(
                condition=models.Q(amount_kes__gt=0), name="paybill_transaction_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["paid_at"], name="paybill_transaction_paid_at")]

    def __str__(self) -> str:
        return f"{self.trans_id} {format_kes(self.amount_kes)}"


class HeldDecision(models.Model):
    """What becomes of a held payment's money, proposed by one person and approved by another
    (maker-checker): applied to its invoice, or refunded to the payer."""

    class Outcome(models.TextChoices):
        APPLY = "apply", _("Apply to the invoice")
        REFUND = "refund", _("Refund to the payer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            # One open proposal per held payment: two cannot be approved for the same money.
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(status="pending"),
                name="held_decision_one_open",
            ),
            # The checker is never the maker.
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("proposed_by")),
                name="held_decision_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.status})"

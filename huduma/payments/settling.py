"""How a payment leaves "pending", once, and what follows: the conditional UPDATE that a
callback, its duplicate and the mop-up may race for; the database's one-payment rules (a second
completion of an invoice, of an application's fee or of one M-Pesa receipt is held instead);
the payment's event row; the ledger posting, the suspense account and the citizen's SMS."""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.core import clock
from huduma.core.money import format_kes
from huduma.ledger import held as ledger_held
from huduma.notify.services import (
    sms_send,
)
from huduma.payments.errors import HeldPaymentOpen
from huduma.payments.models import Invoice, Payment, PaymentEvent

Status = Payment.Status


def _event(payment: Payment, kind: str, *, status: str = "", actor=None, now=None, **detail):
    return PaymentEvent.objects.create(
        payment=payment,
        at=now or clock.now(),
        kind=kind,
        status=status,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        detail=detail,
    )


def _on_payment_completed(payment: Payment):
    """Post a payment that has just completed to the ledger, which credits the MDA at this
    centre and issues the signed receipt. Called inside the transaction that completes it,
    once per payment (the ledger also refuses to post one payment twice)."""
    from huduma.ledger.services import payment_post

    if settings.HUDUMA_MODE == "field":
        # A field kit has no ledger of its own: the centre server posts the payment (and
        # issues the signed receipt) when the kit syncs (huduma/outreach/sync.py).
        return None
    invoice = payment.invoice
    return payment_post(
        payment_id=payment.pk,
        amount=payment.amount_paid_kes or payment.amount_kes,
        service_id=invoice.service_id,
        centre_id=invoice.centre_id,
        at=payment.settled_at or clock.now(),
        method=payment.channel,
        reference=payment.provider_receipt,
    )


def _on_payment_held(payment: Payment) -> None:
    """Money M-Pesa confirmed (or a card took) that no fee took: into the centre's suspense
    account in the ledger, where it stays until two people decide where it goes."""
    if settings.HUDUMA_MODE == "field":
        return
    invoice = payment.invoice
    ledger_held.held_post(
        payment_id=payment.pk,
        amount=payment.amount_paid_kes,
        service_id=invoice.service_id,
        centre_id=invoice.centre_id,
        at=payment.settled_at or clock.now(),
        method=payment.channel,
        reference=payment.provider_receipt,
    )


def _completed_sms(payment: Payment, receipt=None) -> None:
    if not payment.phone:
        return
    invoice = payment.invoice
    # In the citizen's language when known (their application's), service name included:
    # a Swahili SMS used to carry the English name.
    language = payment.application.language if payment.application_id else "sw"
    language = language if language in ("en", "sw") else "sw"
    sms_send(
        to=payment.phone,
        template="payment_received",
        language=language,
        context={
            "centre": invoice.centre.name,
            "amount": format_kes(payment.amount_kes),
            "service": invoice.service.name_sw if language == "sw" else invoice.service.name_en,
            # The receipt number anyone can check on the public verification page.
            "reference": receipt.number if receipt else payment.provider_receipt,
        },
    )


def _settle(
    payment: Payment,
    *,
    status: str,
    kind: str,
    reason: str = "",
    receipt: str = "",
    amount_paid: Decimal | None = None,
    from_status: str = Status.PENDING,
    actor=None,
    now=None,
    **detail,
) -> str | None:
    """Move a payment out of `from_status`, once: the conditional UPDATE changes one row or
    none (a callback, a duplicate and the mop-up may race). A second completed payment of the
    same invoice or of the same application's fee, or a second use of one M-Pesa receipt, is
    refused by the database and the payment is held instead, with the reason."""
    now = now or clock.now()
    changes = {"status": status, "hold_reason": reason[:200], "settled_at": now}
    if receipt:
        changes["provider_receipt"] = receipt[:40]
    if amount_paid is not None:
        changes["amount_paid_kes"] = amount_paid
    with transaction.atomic():
        try:
            with transaction.atomic():
                updated = _status_moved(payment, from_status, changes)
        except IntegrityError:
            status = Status.HELD
            changes.update(status=status, hold_reason=_refused_reason(payment, receipt))
            if changes["hold_reason"] == RECEIPT_USED:
                # The money under that receipt is another payment's: nothing is held for this
                # one (the receipt is kept in the event, and the callback's body).
                changes.pop("provider_receipt", None)
                changes.pop("amount_paid_kes", None)
            updated = _status_moved(payment, from_status, changes)
            detail["refused_by_database"] = True
        if updated != 1:
            return None
        payment.refresh_from_db()
        _event(
            payment,
            kind,
            status=status,
            actor=actor,
            now=now,
            reason=payment.hold_reason or reason,
            receipt=receipt,
            **detail,
        )
        if status == Status.COMPLETED:
            receipt = _on_payment_completed(payment)
            _completed_sms(payment, receipt)
        elif status == Status.HELD and payment.amount_paid_kes is not None:
            _on_payment_held(payment)
    return status


def _status_moved(payment: Payment, from_status: str, changes: dict) -> int:
    """The conditional UPDATE that settles a payment: 1 if it was still `from_status`, else 0
    (someone else settled it first)."""
    return Payment.objects.filter(pk=payment.pk, status=from_status).update(**changes)


INVOICE_PAID = "invoice already paid"
APPLICATION_PAID = "the application's fee is already paid"
RECEIPT_USED = "this M-Pesa receipt already paid another fee"


def _refused_reason(payment: Payment, receipt: str) -> str:
    """Which of the database's one-payment rules refused completing this payment."""
    others = Payment.objects.exclude(pk=payment.pk)
    if others.filter(invoice_id=payment.invoice_id, status=Status.COMPLETED).exists():
        return INVOICE_PAID
    if (
        payment.application_id
        and others.filter(application_id=payment.application_id, status=Status.COMPLETED).exists()
    ):
        return APPLICATION_PAID
    return RECEIPT_USED


def _refuse_if_money_held(invoice: Invoice) -> None:
    """Under the invoice's lock: money already taken for this invoice and held for review is
    decided first (applied or refunded), or the payer could pay twice."""
    Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if invoice.payments.filter(status=Status.HELD, amount_paid_kes__isnull=False).exists():
        raise HeldPaymentOpen(
            _(
                "A payment for this invoice is held for review: the Centre Manager applies "
                "or refunds it first."
            ),
            field="invoice",
        )

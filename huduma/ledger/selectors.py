"""Reads of the ledger that other apps use (the payments cash-up)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from huduma.ledger.models import Entry, Receipt, Refund


@dataclass(frozen=True)
class RefundPaid:
    """An approved refund: paid back to the citizen when it was approved."""

    payment_id: str  # the payments app's id of the payment refunded
    method: str
    amount: Decimal
    at: dt.datetime
    receipt: str


def refunds_paid_between(*, since: dt.datetime, until: dt.datetime) -> list[RefundPaid]:
    """The refunds approved in [since, until), oldest first."""
    rows = (
        Refund.objects.filter(
            status=Refund.Status.APPROVED, decided_at__gte=since, decided_at__lt=until
        )
        .select_related("payment__receipt")
        .order_by("decided_at", "pk")
    )
    return [
        RefundPaid(
            payment_id=r.payment.payment_id,
            method=r.payment.method,
            amount=r.amount,
            at=r.decided_at,
            receipt=r.payment.receipt.number,
        )
        for r in rows
    ]


def receipt_numbers(*, payment_ids: list[str]) -> dict[str, str]:
    """The receipt number of each of these payments (the payments app's ids) that has one."""
    rows = Receipt.objects.filter(
        entry__kind=Entry.Kind.PAYMENT, entry__payment_id__in=[str(p) for p in payment_ids]
    ).values_list("entry__payment_id", "number")
    return dict(rows)

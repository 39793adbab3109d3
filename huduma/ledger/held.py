"""Money held for review in the ledger: a payment no fee took (a second payment of one fee,
a success after the request had ended...) is posted to its centre's suspense account, and
leaves it by one of two outcomes decided by two people in the payments app: applied to its
invoice (revenue of the MDA, and a signed receipt) or returned to the payer.

Each is a new chained entry (nothing is edited), posted once per payment: the payments app
calls these inside the transaction that changes the payment, with plain values.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.catalogue.models import Service
from huduma.core import audit, clock
from huduma.core.errors import DomainError, NotFound
from huduma.core.money import kes
from huduma.ledger.models import Entry, Receipt
from huduma.ledger.services import (
    METHODS,
    _append,
    _receipt_issue,
    _utc,
    clearing_account,
    revenue_account,
)
from huduma.places.models import Centre

ZERO = Decimal("0.00")


def suspense_account(centre_code: str) -> str:
    return f"suspense:held:{centre_code}"


@transaction.atomic
def held_post(
    *,
    payment_id,
    amount,
    service_id: int,
    centre_id: int,
    at: dt.datetime,
    method: str,
    reference: str = "",
) -> Entry:
    """Money received and held: debit the method's clearing account, credit the centre's
    suspense account. Posting the same payment again returns the first entry."""
    amount = kes(amount)
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    if method not in METHODS:
        raise DomainError(_("Unknown payment method."), field="method")
    service = Service.objects.select_related("mda").filter(pk=service_id).first()
    centre = Centre.objects.filter(pk=centre_id).first()
    if service is None or centre is None:
        raise NotFound(_("Unknown service or centre."), field="service_id")
    existing = Entry.objects.filter(kind=Entry.Kind.HELD, payment_id=str(payment_id)).first()
    if existing is not None:
        return existing
    entry = _append(
        Entry(
            kind=Entry.Kind.HELD,
            at=_utc(at),
            payment_id=str(payment_id),
            amount=amount,
            mda=service.mda,
            centre=centre,
            service=service,
            method=method,
            reference=reference[:64],
        ),
        [
            (clearing_account(method), amount, ZERO),
            (suspense_account(centre.code), ZERO, amount),
        ],
    )
    audit.record(
        action="ledger.payment_held",
        object_type="ledger.entry",
        object_id=str(entry.pk),
        object_repr=str(payment_id),
        after={"amount": amount, "service": service.code, "centre": centre.code},
    )
    return entry


def _held(payment_id) -> Entry:
    held = (
        Entry.objects.select_for_update()
        .select_related("mda", "centre", "service")
        .filter(kind=Entry.Kind.HELD, payment_id=str(payment_id))
        .first()
    )
    if held is None:
        raise NotFound(_("No money is held for this payment."), field="payment")
    return held


@transaction.atomic
def held_apply(*, payment_id, at: dt.datetime | None = None) -> Receipt:
    """The held money pays its invoice: it leaves suspense for the revenue of the MDA owning
    the service at that centre, as a payment entry with its signed receipt."""
    held = _held(payment_id)
    existing = Entry.objects.filter(kind=Entry.Kind.PAYMENT, payment_id=held.payment_id).first()
    if existing is not None:
        return existing.receipt
    entry = _append(
        Entry(
            kind=Entry.Kind.PAYMENT,
            at=_utc(at or clock.now()),
            payment_id=held.payment_id,
            amount=held.amount,
            mda=held.mda,
            centre=held.centre,
            service=held.service,
            method=held.method,
            reference=held.reference,
        ),
        [
            (suspense_account(held.centre.code), held.amount, ZERO),
            (revenue_account(held.mda.code, held.centre.code), ZERO, held.amount),
        ],
    )
    receipt = _receipt_issue(entry)
    audit.record(
        action="ledger.held_applied",
        object_type="ledger.entry",
        object_id=str(entry.pk),
        object_repr=receipt.number,
        after={"amount": held.amount, "payment": held.payment_id},
    )
    return receipt


@transaction.atomic
def held_return(*, payment_id, at: dt.datetime | None = None) -> Entry:
    """The held money goes back to the payer: it leaves suspense for the clearing account it
    came from (the provider's reversal or the cash handed back is done outside)."""
    held = _held(payment_id)
    existing = Entry.objects.filter(kind=Entry.Kind.RETURNED, payment_id=held.payment_id).first()
    if existing is not None:
        return existing
    entry = _append(
        Entry(
            kind=Entry.Kind.RETURNED,
            at=_utc(at or clock.now()),
            payment_id=held.payment_id,
            amount=held.amount,
            mda=held.mda,
            centre=held.centre,
            service=held.service,
            method=held.method,
            reference=held.reference,
            refund_of=held,
        ),
        [
            (suspense_account(held.centre.code), held.amount, ZERO),
            (clearing_account(held.method), ZERO, held.amount),
        ],
    )
    audit.record(
        action="ledger.held_returned",
        object_type="ledger.entry",
        object_id=str(entry.pk),
        object_repr=str(held.payment_id),
        after={"amount": held.amount},
    )
    return entry

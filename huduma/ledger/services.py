"""Posting payments and refunds to the chained double-entry ledger, and issuing receipts.

The payments app calls `payment_post` when a payment completes, inside its own transaction,
with plain values (no import of its models): the entry and its receipt commit or
roll back together with the payment.
"""

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role, works_at
from huduma.catalogue.models import Service
from huduma.core import audit, clock
from huduma.core.approvals import second_person
from huduma.core.errors import DomainError, Forbidden, NotFound
from huduma.core.money import kes, parse_kes
from huduma.ledger import receipt_format, signing
from huduma.ledger.errors import (
    RefundNotPending,
    RefundTooLarge,
    UnknownReceipt,
)
from huduma.ledger.models import LEGACY_CHAIN, Chain, Entry, Posting, Receipt, Refund
from huduma.places.models import Centre

GENESIS = "0" * 64
METHODS = ("mpesa", "card", "cash")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def clearing_account(method: str) -> str:
    return f"clearing:{method}"


def revenue_account(mda_code: str, centre_code: str) -> str:
    return f"revenue:{mda_code}:{centre_code}"


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("a payment time must carry its time zone")
    return moment.astimezone(dt.UTC)


def chain_name(mda_code: str, centre_code: str) -> str:
    return f"ledger:{mda_code}:{centre_code}"


def entry_hash(entry: Entry, postings: list[tuple[str, Decimal, Decimal]]) -> str:
    content = {
        "kind": entry.kind,
        "at": _utc(entry.at).isoformat(),
        "payment": entry.payment_id,
        "amount": str(kes(entry.amount)),
        "mda": entry.mda_id,
        "centre": entry.centre_id,
        "service": entry.service_id,
        "method": entry.method,
        "reference": entry.reference,
        "refund_of": entry.refund_of_id,
        "postings": [[a, str(kes(d)), str(kes(c))] for a, d, c in postings],
        "prev": entry.prev_hash,
    }
    if entry.chain != LEGACY_CHAIN:
        # The entry's place is part of what is signed: it cannot be moved to another chain.
        content.update(chain=entry.chain, seq=entry.seq)
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def chain_lock(*, mda, centre) -> Chain:
    """The head of the MDA's chain at this centre, locked until the transaction ends.

    This row lock is the only wait on the way to the ledger: payments for another MDA or at
    another centre take another row. The first payment of a pair makes its chain (a conflict
    with a simultaneous first payment is ignored; both then lock the one row)."""
    Chain.objects.bulk_create(
        [Chain(name=chain_name(mda.code, centre.code), mda=mda, centre=centre, head=GENESIS)],
        ignore_conflicts=True,
    )
    return Chain.objects.select_for_update().get(mda=mda, centre=centre)


def _append(
    entry: Entry, postings: list[tuple[str, Decimal, Decimal]], chain: Chain | None = None
) -> Entry:
    """Chain and save one balanced entry at the head of its MDA and centre's chain; the caller
    holds a transaction (and, if it passes `chain`, already holds its lock)."""
    if sum(d for _a, d, _c in postings) != sum(c for _a, _d, c in postings):
        raise AssertionError("an entry must balance")
    if chain is None:
        chain = chain_lock(mda=entry.mda, centre=entry.centre)
    entry.chain = chain.name
    entry.seq = chain.position + 1
    entry.prev_hash = chain.head
    entry.hash = entry_hash(entry, postings)
    entry.save()
    Posting.objects.bulk_create(
        [Posting(entry=entry, account=a, debit=d, credit=c) for a, d, c in postings]
    )
    Chain.objects.filter(pk=chain.pk).update(position=entry.seq, head=entry.hash)
    return entry


def _new_receipt_number() -> str:
    return "HR-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def receipt_details(receipt: Receipt) -> receipt_format.ReceiptDetails:
    entry = receipt.entry
    return receipt_format.ReceiptDetails(
        number=receipt.number,
        amount=str(kes(receipt.amount)),
        service=entry.service.code,
        mda=entry.mda.code,
        centre=entry.centre.code,
        paid_at=_utc(receipt.paid_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def _receipt_issue(entry: Entry) -> Receipt:
    receipt = Receipt(entry=entry, amount=entry.amount, paid_at=entry.at)
    while True:
        receipt.number = _new_receipt_number()
        if not Receipt.objects.filter(number=receipt.number).exists():
            break
    details = receipt_format.ReceiptDetails(
        **{name: getattr(receipt_details(receipt), name) for name in receipt_format.FIELDS},
        key_id=signing.current_key_id(),
    )
    signature = signing.sign(receipt_format.signed_part(details).encode())
    receipt.code = receipt_format.encode(details, signature)
    receipt.save()
    return receipt


@transaction.atomic
def payment_post(
    *,
    payment_id,
    amount,
    service_id: int,
    centre_id: int,
    at: dt.datetime,
    method: str,
    reference: str = "",
    mda_id: int | None = None,
) -> Receipt:
    """Post a completed payment: debit the method's clearing account, credit the revenue of the
    MDA owning the service at this centre; issue its signed receipt. Posting the same payment
    again returns the first receipt (a repeated callback never credits twice)."""
    amount = kes(amount)
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    if method not in METHODS:
        raise DomainError(_("Unknown payment method."), field="method")
    service = Service.objects.select_related("mda").filter(pk=service_id).first()
    if service is None:
        raise NotFound(_("Unknown service."), field="service_id")
    if mda_id is not None and mda_id != service.mda_id:
        raise DomainError(_("This service belongs to another MDA."), field="mda_id")
    centre = Centre.objects.filter(pk=centre_id).first()
    if centre is None:
        raise NotFound(_("Unknown centre."), field="centre_id")
    payment_id = str(payment_id)
    # Under the chain's lock, a repeated post of this payment waits for the first to commit,
    # then finds it (the same payment always lands on the same chain).
    chain = chain_lock(mda=service.mda, centre=centre)
    existing = Entry.objects.filter(kind=Entry.Kind.PAYMENT, payment_id=payment_id).first()
    if existing is not None:
        return existing.receipt
    entry = Entry(
        kind=Entry.Kind.PAYMENT,
        at=_utc(at),
        payment_id=payment_id,
        amount=amount,
        mda=service.mda,
        centre=centre,
        service=service,
        method=method,
        reference=reference[:64],
    )
    _append(
        entry,
        [
            (clearing_account(method), amount, Decimal("0.00")),
            (revenue_account(service.mda.code, centre.code), Decimal("0.00"), amount),
        ],
        chain,
    )
    # No audit entry: the audit chain has one national lock, and the ledger entry is itself a
    # chained, signed and checkpointed record of the posting.
    return _receipt_issue(entry)


# --- Receipts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptRefund:
    amount: Decimal
    at: dt.datetime


@dataclass
class ReceiptCheck:
    """The outcome of checking a receipt: `receipt` is None when the number is unknown;
    `refunds` are the approved refunds of its payment, oldest first."""

    receipt: Receipt | None
    signature_ok: bool | None = None  # None when only a number was given
    matches_record: bool | None = None
    refunds: tuple[ReceiptRefund, ...] = ()

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal("0.00"))

    @property
    def fully_refunded(self) -> bool:
        """All the money came back: the receipt is no longer proof of a payment."""
        return (
            self.receipt is not None
            and bool(self.refunds)
            and (self.refunded >= self.receipt.amount)
        )

    @property
    def valid(self) -> bool:
        return (
            self.receipt is not None
            and self.signature_ok is not False
            and self.matches_record is not False
        )


def receipt_get(*, number: str) -> Receipt:
    receipt = (
        Receipt.objects.select_related("entry__service", "entry__mda", "entry__centre")
        .filter(number=number.strip().upper())
        .first()
    )
    if receipt is None:
        raise UnknownReceipt(_("No receipt has this number."), field="number")
    return receipt


def receipt_refunds(receipt: Receipt) -> tuple[ReceiptRefund, ...]:
    return tuple(
        ReceiptRefund(amount=amount, at=at)
        for amount, at in Refund.objects.filter(
            payment_id=receipt.entry_id, status=Refund.Status.APPROVED
        )
        .order_by("decided_at", "pk")
        .values_list("amount", "decided_at")
    )


def receipt_check(*, number: str = "", code: str = "") -> ReceiptCheck:
    """Check a receipt by its number, or by the text of its QR code (signature and record),
    with the refunds paid against it."""
    check = _receipt_check(number=number, code=code)
    if check.receipt is not None:
        check.refunds = receipt_refunds(check.receipt)
    return check


def _receipt_check(*, number: str, code: str) -> ReceiptCheck:
    if code:
        try:
            details = receipt_format.verify(code, signing.key_set())
            signature_ok = True
        except receipt_format.BadReceipt:
            try:
                details, _sig = receipt_format.decode(code)
            except receipt_format.BadReceipt:
                return ReceiptCheck(None, signature_ok=False)
            signature_ok = False
        receipt = Receipt.objects.filter(number=details.number).first()
        if receipt is None:
            return ReceiptCheck(None, signature_ok=signature_ok)
        receipt = receipt_get(number=details.number)
        return ReceiptCheck(
            receipt,
            signature_ok=signature_ok,
            matches_record=receipt_details(receipt) == details,
        )
    try:
        return ReceiptCheck(receipt_get(number=number))
    except UnknownReceipt:
        return ReceiptCheck(None)


# --- Refunds --------------------------------------------------------------------------


def refunded_total(payment: Entry) -> Decimal:
    total = Refund.objects.filter(payment=payment, status=Refund.Status.APPROVED).aggregate(
        s=Sum("amount")
    )["s"]
    return kes(total or 0)


def _require_refund_role(user, centre, roles) -> None:
    if has_role(user, Role.SECRETARIAT):
        return
    if not any(works_at(user, centre) and user.role == r for r in roles):
        raise Forbidden(_("Your role cannot handle refunds at this centre."))


@transaction.atomic
def refund_request(*, receipt_number: str, amount, reason: str, by) -> Refund:
    """An officer asks for a refund; nothing is posted until a second officer approves it."""
    receipt = receipt_get(number=receipt_number)
    payment = receipt.entry
    _require_refund_role(by, payment.centre, (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER))
    amount = parse_kes(amount, field="amount", message=_("Enter an amount in shillings."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the refund."), field="reason")
    if amount > payment.amount - refunded_total(payment):
        raise RefundTooLarge(_("This is more than is left to refund."), field="amount")
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason[:300],
        requested_by=by,
        requested_at=clock.now(),
    )
    audit.record(action="ledger.refund_requested", instance=refund, actor=by)
    return refund


@transaction.atomic
def refund_approve(*, refund_id: int, by) -> Refund:
    """A second officer approves: the refund is posted as a new entry, under a lock on the
    payment so that two approvals racing cannot together refund more than was paid."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    payment = Entry.objects.select_for_update().get(pk=refund.payment_id)
    _require_refund_role(by, payment.centre, (Role.CENTRE_MANAGER,))
    second_person(
        maker_id=refund.requested_by_id,
        checker=by,
        message=_("A refund must be approved by another officer than the one who asked."),
    )
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        raise RefundNotPending(_("This refund was already decided."))
    if refund.amount > payment.amount - refunded_total(payment):
        raise RefundTooLarge(_("This is more than is left to refund."), field="amount")
    revenue = revenue_account(payment.mda.code, payment.centre.code)
    entry = _append(
        Entry(
            kind=Entry.Kind.REFUND,
            at=clock.now(),
            payment_id=payment.payment_id,
            amount=refund.amount,
            mda_id=payment.mda_id,
            centre_id=payment.centre_id,
            service_id=payment.service_id,
            method=payment.method,
            reference=f"refund:{refund.pk}",
            refund_of=payment,
        ),
        [
            (revenue, refund.amount, Decimal("0.00")),
            (clearing_account(payment.method), Decimal("0.00"), refund.amount),
        ],
    )
    refund.status = Refund.Status.APPROVED
    refund.decided_by = by
    refund.decided_at = clock.now()
    refund.entry = entry
    refund.save()
    audit.record(action="ledger.refund_approved", instance=refund, actor=by)
    return refund


@transaction.atomic
def refund_reject(*, refund_id: int, by) -> Refund:
    refund = Refund.objects.select_for_update().select_related("payment__centre").get(pk=refund_id)
    _require_refund_role(by, refund.payment.centre, (Role.CENTRE_MANAGER,))
    if refund.status != Refund.Status.PENDING:
        raise RefundNotPending(_("This refund was already decided."))
    refund.status = Refund.Status.REJECTED
    refund.decided_by = by
    refund.decided_at = clock.now()
    refund.save()
    audit.record(action="ledger.refund_rejected", instance=refund, actor=by)
    return refund


# --- Chain ---------------------------------------------------------------------------


def ledger_chains() -> list[str]:
    """The name of every ledger chain that has entries or a head."""
    names = set(Chain.objects.values_list("name", flat=True))
    if Entry.objects.filter(chain=LEGACY_CHAIN).exists():
        names.add(LEGACY_CHAIN)
    return sorted(names)


def ledger_rows(chain: str = LEGACY_CHAIN):
    """(position, prev_hash, stored hash, recomputed hash) of every entry of a chain, in order."""
    entries = Entry.objects.filter(chain=chain).order_by("seq").prefetch_related("postings")
    for entry in entries.iterator(chunk_size=1000):
        postings = [(p.account, p.debit, p.credit) for p in entry.postings.all()]
        yield entry.seq, entry.prev_hash, entry.hash, entry_hash(entry, postings)

"""The centre's paybill: Safaricom's C2B confirmations, stored once by transaction id, and the
M-Pesa codes a citizen shows at a counter or a tent, recorded held and completed only when
a stored confirmation matches them (paybill, account number, amount, phone)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.core import clock
from huduma.core.errors import Conflict, DomainError
from huduma.core.locks import lock_names
from huduma.core.phones import normalise_phone
from huduma.notify.services import (
    webhook_once,
)
from huduma.payments import providers
from huduma.payments.errors import WrongPaybill
from huduma.payments.invoices import amount_parse, official_fee_checked
from huduma.payments.models import Invoice, PaybillTransaction, Payment
from huduma.payments.settling import _event, _settle

Status = Payment.Status


def _c2b_parse(body: object) -> providers.C2BConfirmation:
    confirmation = providers.c2b_confirmation_parse(body)
    if settings.MPESA_SHORTCODE and confirmation.short_code != settings.MPESA_SHORTCODE:
        raise WrongPaybill(_("This is not the centre's paybill."), field="BusinessShortCode")
    return confirmation


def c2b_confirmation_receive(*, body: object, now=None) -> dict:
    """Store a payment Safaricom confirmed on the paybill, once by its transaction id (a retry,
    or two deliveries at the same instant, finds the first). Only the fields we use are kept:
    the payer's number as M-Pesa gave it (hashed or masked) or in E.164."""
    c2b = _c2b_parse(body)

    def store() -> dict:
        try:
            with transaction.atomic():
                PaybillTransaction.objects.create(
                    trans_id=c2b.trans_id,
                    transaction_type=c2b.transaction_type,
                    amount_kes=c2b.amount,
                    paid_at=c2b.paid_at,
                    short_code=c2b.short_code,
                    bill_ref=c2b.bill_ref,
                    invoice_number=c2b.invoice_number,
                    payer=c2b.payer,
                    received_at=now or clock.now(),
                )
        except IntegrityError:
            # Stored before webhook_once's row existed (or by a racing request): still once.
            return {"outcome": "already_stored"}
        return {"outcome": "stored"}

    return webhook_once(
        provider="mpesa",
        kind="c2b",
        provider_id=c2b.trans_id,
        payload={"TransID": c2b.trans_id, "TransAmount": str(c2b.amount)},
        handle=store,
    )


def c2b_urls() -> tuple[str, str]:
    """The paybill's confirmation and validation URLs, as registered with Daraja. Daraja
    refuses URLs with "mpesa", "safaricom", "sql", "query"... in them: these have none."""
    base = f"{settings.PUBLIC_URL}/api/payments/c2b/{settings.MPESA_C2B_SECRET}"
    return f"{base}/confirmation", f"{base}/validation"


def c2b_validation_check(*, body: object) -> None:
    """Before M-Pesa completes a payment to the paybill (only when Safaricom has turned on
    external validation): a readable payment to our paybill is accepted."""
    _c2b_parse(body)


OFFLINE_CODE_PROVIDER = "mpesa-code"
# How long after a code was recorded its missing confirmation may still arrive: Safaricom
# posts a C2B confirmation seconds after the payment, but our URL may have been unreachable,
# and a kit may sync before the citizen's payment has gone through. Until then a code with no
# confirmation stays held and is checked again (outreach's mpesa_codes_recheck); after it, it
# is flagged as unknown to M-Pesa for the centre to follow up.
CODE_CONFIRMATION_WAIT = dt.timedelta(hours=48)
TO_VERIFY = "M-Pesa code to verify"
_MPESA_CODE = re.compile(r"[A-Z0-9]{10}")


def payment_mpesa_code_record(
    *, invoice: Invoice, code: str, amount: object, officer, phone: str = "", now=None
) -> Payment:
    """The citizen paid the paybill on their own phone and shows the confirmation code (no
    network at the tent to check it). The payment is held until the provider confirms the code:
    the centre server asks it at sync (payment_mpesa_code_verify)."""
    code = "".join((code or "").upper().split())
    if not _MPESA_CODE.fullmatch(code):
        raise DomainError(_("An M-Pesa confirmation code is 10 letters and digits."), field="code")
    amount = amount_parse(amount)
    official_fee_checked(invoice=invoice, amount=amount)
    if phone:
        phone = normalise_phone(phone)
    now = now or clock.now()
    with transaction.atomic():
        # Two officers typing the same code at once: the second waits, then finds the first
        # (no constraint can say it: a code shown at two tents offline is kept twice, and
        # verifying the second fails).
        lock_names(f"payments.mpesa-code:{code}")
        if _code_recorded_already(code):
            raise Conflict(_("This M-Pesa code was already recorded."), field="code")
        payment = Payment.objects.create(
            invoice=invoice,
            application_id=invoice.application_id,
            channel=Payment.Channel.MPESA,
            provider=OFFLINE_CODE_PROVIDER,
            amount_kes=amount,
            phone=phone,
            status=Status.HELD,
            hold_reason=TO_VERIFY,
            provider_receipt=code,
            officer=officer,
            started_at=now,
        )
        _event(payment, "code_recorded", status=Status.HELD, actor=officer, now=now, code=code)
    return payment


def _code_recorded_already(code: str) -> bool:
    return Payment.objects.filter(provider=OFFLINE_CODE_PROVIDER, provider_receipt=code).exists()


@dataclass(frozen=True)
class CodeCheck:
    outcome: str  # matched, mismatch, not_found, unavailable
    detail: str = ""


def payment_mpesa_code_verify(*, payment: Payment, now=None) -> CodeCheck:
    """Ask the provider about a code recorded offline: paid to our paybill (short code), for
    this invoice (the account number typed, BillRefNumber), for the same amount (and from the
    same phone, when both are known), it completes the payment and posts it to the ledger; anything else keeps it held
    with the reason, for the centre to follow up. Safe to run again: a code with no
    confirmation yet is "not_found" and checked again for CODE_CONFIRMATION_WAIT."""
    if payment.provider != OFFLINE_CODE_PROVIDER:
        return CodeCheck("mismatch", "not an offline M-Pesa code")
    if payment.status == Status.COMPLETED:
        return CodeCheck("matched")
    try:
        found = providers.mpesa_provider().transaction_status(receipt=payment.provider_receipt)
    except providers.ProviderUnavailable as exc:
        return CodeCheck("unavailable", str(exc))
    used_elsewhere = (
        Payment.objects.filter(provider_receipt=payment.provider_receipt, status=Status.COMPLETED)
        .exclude(pk=payment.pk)
        .exists()
    )
    if found is None:
        outcome, detail = "not_found", "M-Pesa does not know this code"
        if (now or clock.now()) - payment.started_at < CODE_CONFIRMATION_WAIT:
            detail = "no M-Pesa confirmation for this code yet"
    elif used_elsewhere:
        # The same confirmation shown at two tents (or twice at one): it pays one fee.
        outcome, detail = "mismatch", "this code already paid another fee"
    elif settings.MPESA_SHORTCODE and found.short_code != settings.MPESA_SHORTCODE:
        outcome, detail = "mismatch", "paid to another paybill"
    elif found.amount != payment.amount_kes:
        outcome, detail = (
            "mismatch",
            f"M-Pesa says KES {found.amount}, recorded {payment.amount_kes}",
        )
    elif "".join(found.bill_ref.upper().split()) != payment.invoice.account_reference:
        # The account number typed on the phone names the invoice: a code paid for another
        # invoice (or for anything else) does not pay this one.
        typed = found.bill_ref or "(none)"
        outcome = "mismatch"
        detail = f"paid to account {typed}, not {payment.invoice.account_reference}"
    elif payment.phone and found.phone and found.phone != payment.phone:
        outcome, detail = "mismatch", "paid from another phone"
    else:
        done = _settle(
            payment,
            status=Status.COMPLETED,
            kind="code_verified",
            from_status=Status.HELD,
            amount_paid=found.amount,
            now=now,
        )
        if done == Status.COMPLETED:
            return CodeCheck("matched")
        # Refused by the database (the code completed another payment at the same moment,
        # or the invoice or the application's fee was paid meanwhile): held with the reason.
        payment.refresh_from_db()
        return CodeCheck("mismatch", payment.hold_reason)
    Payment.objects.filter(pk=payment.pk, status=Status.HELD).update(hold_reason=detail[:200])
    _event(payment, "code_" + outcome, status=Status.HELD, now=now, detail=detail)
    return CodeCheck(outcome, detail)

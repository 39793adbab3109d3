"""Cash at the counter: the official fee, received by an officer, counted in their cash-up."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.core import clock, idempotency
from huduma.payments.errors import AlreadyPaid
from huduma.payments.invoices import amount_parse, official_fee_checked
from huduma.payments.models import Invoice, Payment
from huduma.payments.settling import _event, _on_payment_completed, _refuse_if_money_held
from huduma.payments.start import _request_signature, _same_request

Status = Payment.Status


def payment_cash_record(
    *, invoice: Invoice, amount: object, officer, idempotency_key: str | None = None, now=None
) -> Payment:
    """The officer received the fee in cash. Only the official fee is accepted; it counts in
    the officer's cash-up for the day."""
    key = idempotency.key_checked(idempotency_key)
    amount = amount_parse(amount)
    scope = f"user:{officer.pk}"
    asked = _request_signature(invoice=invoice, channel="cash", amount=amount, phone="")
    if key is not None:
        existing = Payment.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
        if existing is not None:
            return _same_request(existing, asked)
    official_fee_checked(invoice=invoice, amount=amount)
    now = now or clock.now()
    try:
        with transaction.atomic():
            _refuse_if_money_held(invoice)
            payment = Payment.objects.create(
                invoice=invoice,
                application_id=invoice.application_id,
                channel=Payment.Channel.CASH,
                provider="cash",
                amount_kes=amount,
                amount_paid_kes=amount,
                status=Status.COMPLETED,
                officer=officer,
                idempotency_key=key,
                idempotency_scope=scope if key else "",
                idempotency_request=asked,
                started_at=now,
                settled_at=now,
            )
            _event(payment, "cash_received", status=Status.COMPLETED, actor=officer, now=now)
            _on_payment_completed(payment)
    except IntegrityError:
        if key is not None:
            winner = Payment.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
            if winner is not None:
                return _same_request(winner, asked)
        raise AlreadyPaid(_("This invoice is already paid."), field="invoice") from None
    return payment

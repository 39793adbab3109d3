"""Card payments through Pesapal: the order whose card page the payer opens, and the status
we fetch from Pesapal (never the IPN or the browser's return), which alone settles it."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from huduma.core import clock
from huduma.ledger.reports import StatementLine, day_bounds
from huduma.notify.services import (
    webhook_once,
)
from huduma.payments import providers
from huduma.payments.errors import CardPaymentsOff
from huduma.payments.models import Payment
from huduma.payments.settling import _event, _settle
from huduma.payments.stk import MOP_UP_BATCH

Status = Payment.Status


def card_return_url(payment: Payment) -> str:
    """Where Pesapal sends the payer's browser back: the invoice's page at the counter, which
    asks Pesapal for the status (the return itself proves nothing)."""
    return f"{settings.PUBLIC_URL}/staff/payments/invoices/{payment.invoice_id}/"


def _card_order(payment: Payment, card) -> None:
    """Pesapal's SubmitOrderRequest: an order for the fee, whose card page the payer opens."""
    invoice = payment.invoice
    try:
        accepted = card.submit_order(
            reference=payment.pk.hex,
            amount=payment.amount_kes,
            description=f"Huduma {invoice.service.code} fee",
            callback_url=card_return_url(payment),
            phone=payment.phone,
        )
    except providers.ProviderUnavailable:
        _settle(payment, status=Status.FAILED, kind="order_refused", reason="acquirer refused")
        raise
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(checkout_request_id=accepted.order_tracking_id)
        _event(
            payment,
            "order_submitted",
            order_tracking_id=accepted.order_tracking_id,
            redirect_url=accepted.redirect_url,
        )


def card_page_url(payment: Payment) -> str:
    """Pesapal's card page for a pending card payment ("" once it is settled)."""
    if payment.channel != Payment.Channel.CARD or payment.status != Status.PENDING:
        return ""
    event = payment.events.filter(kind="order_submitted").order_by("-at").first()
    return str(event.detail.get("redirect_url", "")) if event else ""


# The mop-up asks about a card order with no IPN after this long; an order still unpaid
# (INVALID) this long after it started is expired (the payer left the card page).
CARD_CHECK_AFTER = dt.timedelta(minutes=2)
CARD_EXPIRE_AFTER = dt.timedelta(minutes=30)


def card_status_settle(*, payment: Payment, now=None) -> str:
    """Ask Pesapal (GetTransactionStatus) what became of a card order and act on its answer."""
    card = providers.card_provider()
    if payment.channel != Payment.Channel.CARD or not payment.checkout_request_id:
        return "not_a_card_order"
    if card is None:
        return "card_off"
    try:
        status = card.transaction_status(order_tracking_id=payment.checkout_request_id)
    except providers.ProviderUnavailable:
        return "unavailable"
    return _card_act(payment, status, now=now)


def _card_act(payment: Payment, status: providers.CardStatus, *, now=None) -> str:
    now = now or clock.now()
    payment = Payment.objects.select_related("invoice").get(pk=payment.pk)
    info = {
        "status_code": status.status_code,
        "description": status.description,
        "confirmation_code": status.confirmation_code,
        "payment_method": status.payment_method,
    }
    if status.status_code == providers.PESAPAL_COMPLETED:
        reason = ""
        if status.merchant_reference != payment.pk.hex:
            reason = "the acquirer's answer names another order"
        elif status.currency != "KES" or status.amount != payment.invoice.amount_kes:
            reason = "amount differs from the invoice"
        paid = {"receipt": status.confirmation_code, "amount_paid": status.amount, "now": now}
        if payment.status == Status.PENDING:
            if reason:
                _settle(
                    payment, status=Status.HELD, kind="card_status", reason=reason, **paid, **info
                )
                return "held"
            done = _settle(payment, status=Status.COMPLETED, kind="card_status", **paid, **info)
            return str(done) if done else "already_settled"
        if payment.status in (Status.EXPIRED, Status.FAILED, Status.CANCELLED):
            # The card was charged after we gave up on the order: never drop the money.
            _settle(
                payment,
                status=Status.HELD,
                kind="card_status_late",
                reason="paid after the request had ended",
                from_status=payment.status,
                **paid,
                **info,
            )
            return "held_late"
        return "already_settled"
    if payment.status != Status.PENDING:
        if status.status_code == providers.PESAPAL_REVERSED and payment.status == Status.COMPLETED:
            # Money taken back by the card's bank after the receipt: for the centre to follow.
            _event(payment, "card_reversed", status=payment.status, now=now, **info)
            return "reversed_after_completion"
        return "already_settled"
    if status.status_code in (providers.PESAPAL_FAILED, providers.PESAPAL_REVERSED):
        reason = status.description or "refused by the card acquirer"
        _settle(payment, status=Status.FAILED, kind="card_status", reason=reason, now=now, **info)
        return "failed"
    if now - payment.started_at >= CARD_EXPIRE_AFTER:
        _settle(
            payment, status=Status.EXPIRED, kind="card_status", reason="not paid in time", now=now
        )
        return "expired"
    return "pending"


def pesapal_ipn_receive(
    *, tracking_id: str, merchant_reference: str, notification_type: str
) -> dict:
    """Pesapal's IPN: a hint that an order changed. Kept (notify's InboundWebhook) once per
    order and status, and acted on only through the status we fetch from Pesapal. The answer
    is Pesapal's acknowledgement, the same whether or not the order exists; status 500 asks
    Pesapal to try again (we could not reach it: the mop-up asks later too)."""
    tracking_id, merchant_reference = tracking_id[:80], merchant_reference[:64]
    answer = {
        "orderNotificationType": notification_type[:20],
        "orderTrackingId": tracking_id,
        "orderMerchantReference": merchant_reference,
        "status": 200,
    }
    payment = Payment.objects.filter(
        provider=providers.Pesapal.name, checkout_request_id=tracking_id
    ).first()
    status = None
    if payment is not None:
        card = providers.card_provider()
        try:
            status = card.transaction_status(order_tracking_id=tracking_id) if card else None
        except providers.ProviderUnavailable:
            status = None
        if status is None:
            answer["status"] = 500
    state = "unknown" if payment is None else (status.status_code if status else "unanswered")
    key = f"{tracking_id}:{state}"
    if status is None:
        key += ":" + clock.now().isoformat()  # kept every time; nothing to act on

    def handle() -> dict:
        if payment is None or status is None:
            return {"outcome": "unknown_order" if payment is None else "unavailable"}
        return {"outcome": _card_act(payment, status)}

    webhook_once(
        provider="pesapal",
        kind="ipn",
        provider_id=key[:150],
        payload={k: v for k, v in answer.items() if k != "status"},
        handle=handle,
    )
    return answer


def card_payments_mop_up(*, now=None) -> int:
    """Settle card orders with no IPN by asking Pesapal; returns how many were looked at."""
    now = now or clock.now()
    stale = list(
        Payment.objects.filter(
            status=Status.PENDING,
            channel=Payment.Channel.CARD,
            started_at__lte=now - CARD_CHECK_AFTER,
        ).order_by("started_at")[:MOP_UP_BATCH]
    )
    for payment in stale:
        if payment.checkout_request_id:
            card_status_settle(payment=payment, now=now)
        elif now - payment.started_at >= CARD_EXPIRE_AFTER:
            _settle(payment, status=Status.EXPIRED, kind="expired", reason="never reached Pesapal")
    return len(stale)


def card_statement(*, day: dt.date) -> list[StatementLine]:
    """The card acquirer's own account of a day, for reconciliation: Pesapal's status of every
    card order started that (Nairobi) day, each completed one as a statement line."""
    since, until = day_bounds(day, day)
    card = providers.card_provider()
    if card is None:
        raise CardPaymentsOff(_("Card payments are not set up here."), field="method")
    lines = []
    orders = Payment.objects.filter(
        channel=Payment.Channel.CARD,
        provider=providers.Pesapal.name,
        checkout_request_id__isnull=False,
        started_at__gte=since,
        started_at__lt=until,
    ).order_by("started_at")
    for payment in orders:
        status = card.transaction_status(order_tracking_id=payment.checkout_request_id)
        if status.status_code == providers.PESAPAL_COMPLETED and status.amount is not None:
            reference = (status.confirmation_code or payment.checkout_request_id).upper()
            lines.append(StatementLine(reference, status.amount, ""))
    return lines

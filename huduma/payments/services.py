"""The verbs of payments: raise an invoice for the official fee, start a payment (M-Pesa STK
push or card) under an idempotency key, act on provider callbacks once, settle silent requests
by STK query (the mop-up), record cash at the counter, and count an officer's cash-up.

A callback is only a hint until it matches: a known CheckoutRequestID, the per-request secret
of the callback URL, and the invoice's amount and phone. Whatever arrives, each outcome is
recorded (the callback row in notify's InboundWebhook, the payment's PaymentEvent) and no
payment is credited twice: a status changes only from pending, by a conditional UPDATE, and
the database allows one completed payment per invoice: a second success for a paid invoice is
held for a refund.
"""

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from huduma.core import clock, idempotency
from huduma.core.errors import Conflict, DomainError
from huduma.core.idempotency import InvalidIdempotencyKey
from huduma.core.locks import lock_names
from huduma.core.money import InvalidAmount, format_kes, kes, parse_kes
from huduma.core.phones import normalise_phone
from huduma.ledger import held as ledger_held
from huduma.ledger.reports import StatementLine, day_bounds
from huduma.notify.services import (
    sms_send,
    webhook_once,
    webhook_outcome_set,
    webhook_payloads,
)
from huduma.payments import providers
from huduma.payments.models import Invoice, PaybillTransaction, Payment, PaymentEvent
from huduma.queues.services import idempotency_scope

Status = Payment.Status

# The mop-up queries a push that has had no callback for this long: Daraja's own prompt on
# the phone times out after about a minute, and its callback usually follows within seconds.
MOP_UP_AFTER = dt.timedelta(minutes=3)
# A push still unanswered (or unknown to the provider) this long after it started is expired.
EXPIRE_AFTER = dt.timedelta(minutes=10)
# How many silent requests one mop-up run settles (it runs every minute).
MOP_UP_BATCH = 200


logger = logging.getLogger(__name__)


class NothingToPay(DomainError):
    code = "nothing_to_pay"


class AlreadyPaid(Conflict):
    code = "already_paid"


class PaymentInProgress(Conflict):
    code = "payment_in_progress"


class PushNotSent(DomainError):
    """The prompt could not be sent (our side failed before M-Pesa accepted it): the same
    Idempotency-Key sends it again, never answers "pending" for a push never sent."""

    status = 503
    code = "push_not_sent"


class HeldPaymentOpen(Conflict):
    code = "held_payment_open"


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


class CardPaymentsOff(DomainError):
    code = "card_payments_off"


def amount_parse(value: object, *, field: str = "amount") -> Decimal:
    """An amount typed or sent by a person (core.money.parse_kes), above zero."""
    return parse_kes(value, field=field, whole_digits=10)  # the columns: 12 digits, 2 after


def invoice_raise(
    *, service=None, centre=None, ticket=None, application=None, actor=None, now=None
) -> Invoice:
    """An invoice for exactly the official fee: the service's as it stands now, or, for an
    application, the fee fixed when the application was received (what the citizen was told)."""
    if application is not None:
        from huduma.applications.services import application_fee_due

        service, centre = application.service, application.centre
        ticket = ticket or application.ticket
        fee = application_fee_due(application)
    else:
        fee = service.fee_kes
    if fee is None or fee <= 0:
        raise NothingToPay(_("This service has no fee to pay."), field="service")
    return Invoice.objects.create(
        service=service,
        centre=centre,
        ticket=ticket,
        application=application,
        amount_kes=kes(fee),
        raised_by=actor if actor is not None and actor.is_authenticated else None,
        raised_at=now or clock.now(),
    )


def invoice_for_application(*, application, actor=None) -> Invoice:
    """The application's invoice: the open one if it has one (a second press of "collect the
    fee" raises nothing new), else a new one for the fee fixed when it was received."""
    with transaction.atomic():
        from huduma.applications.models import Application

        Application.objects.select_for_update().filter(pk=application.pk).first()
        if Payment.objects.filter(application=application, status=Status.COMPLETED).exists():
            # One fee per application: a second invoice would be a second charge.
            raise AlreadyPaid(_("This application's fee is already paid."), field="application")
        existing = (
            Invoice.objects.filter(application=application)
            .exclude(payments__status=Payment.Status.COMPLETED)
            .order_by("raised_at")
            .first()
        )
        if existing is not None:
            return existing
        return invoice_raise(application=application, actor=actor)


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


def _payment_locked(pk) -> Payment:
    """The payment, its row locked until the transaction ends: a callback, its duplicate and
    the mop-up read its status one after the other."""
    return Payment.objects.select_for_update().select_related("invoice").get(pk=pk)


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


# ---------------------------------------------------------------------------------------------
# Starting a payment


_REQUEST_PARTS = ("invoice", "channel", "amount", "phone")


def _request_signature(*, invoice: Invoice, channel: str, amount: Decimal, phone: str) -> str:
    return idempotency.signature(invoice=invoice.pk, channel=channel, amount=amount, phone=phone)


def callback_url(secret: str) -> str:
    return f"{settings.PUBLIC_URL}/api/payments/mpesa/callback/{secret}"


def payment_start(
    *,
    invoice: Invoice,
    channel: str,
    amount: object,
    idempotency_key: str | None,
    phone: str = "",
    actor=None,
    now=None,
) -> Payment:
    """Start paying an invoice by M-Pesa (an STK push to `phone`) or card (a Pesapal order
    whose card page the payer opens; refused while card is not configured).

    The same idempotency key with the same request returns the first payment (a double click
    sends one push); with a different request it is refused (409)."""
    key = idempotency.key_checked(idempotency_key)
    if key is None:
        raise InvalidIdempotencyKey(
            _("Starting a payment needs an Idempotency-Key."), field="idempotency_key"
        )
    if channel not in (Payment.Channel.MPESA, Payment.Channel.CARD):
        raise DomainError(_("Pay by M-Pesa or card here."), field="channel")
    amount = amount_parse(amount)
    card = None
    if channel == Payment.Channel.CARD:
        card = providers.card_provider()
        if card is None:
            raise CardPaymentsOff(
                _("Card payments are not set up here: take M-Pesa or cash."), field="channel"
            )
    # M-Pesa pushes to the phone; Pesapal's card page needs the payer's phone (or an email).
    phone = normalise_phone(phone)  # InvalidPhoneNumber: a 400 naming the phone
    scope = idempotency_scope(channel=f"pay-{channel}", actor=actor, phone=phone)
    asked = _request_signature(invoice=invoice, channel=channel, amount=amount, phone=phone)
    existing = Payment.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if existing is not None:
        payment = _same_request(existing, asked)
        if _push_not_sent(payment):
            # The first attempt failed before M-Pesa accepted the push: do it now (a new
            # callback secret, as the first one's is only stored hashed).
            secret = secrets.token_urlsafe(24)
            Payment.objects.filter(pk=payment.pk).update(callback_secret_hash=secret_hash(secret))
            _push(payment, providers.mpesa_provider(), secret)
            payment.refresh_from_db()
        return payment
    if amount != invoice.amount_kes:
        raise InvalidAmount(
            _("The amount must be the official fee, %(fee)s.")
            % {"fee": format_kes(invoice.amount_kes)},
            field="amount",
        )
    if invoice.payments.filter(status=Status.COMPLETED).exists():
        raise AlreadyPaid(_("This invoice is already paid."), field="invoice")
    now = now or clock.now()
    provider = providers.mpesa_provider() if channel == Payment.Channel.MPESA else None
    # Only its hash is stored: the secret itself goes to the provider, in the callback URL.
    secret = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            _refuse_if_money_held(invoice)
            payment = Payment.objects.create(
                invoice=invoice,
                application_id=invoice.application_id,
                channel=channel,
                provider=provider.name if provider else card.name,
                amount_kes=amount,
                phone=phone,
                callback_secret_hash=secret_hash(secret),
                officer=actor if actor is not None and actor.is_authenticated else None,
                idempotency_key=key,
                idempotency_scope=scope,
                idempotency_request=asked,
                started_at=now,
            )
            _event(payment, "started", status=Status.PENDING, actor=actor, now=now)
    except IntegrityError:
        winner = Payment.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
        if winner is not None:  # the same request raced itself (a double click)
            return _same_request(winner, asked)
        raise PaymentInProgress(
            _("A payment for this invoice is already waiting for the payer."), field="invoice"
        ) from None
    # The provider is called outside any transaction: no lock is held over the network. A
    # callback that overtakes the save below finds no request, is recorded as such, and the
    # mop-up settles the payment by STK query.
    if provider is not None:
        _push(payment, provider, secret)
    else:
        _card_order(payment, card)
    payment.refresh_from_db()
    return payment


PUSH_NOT_SENT = "push_not_sent"


def _push_not_sent(payment: Payment) -> bool:
    """Pending, with no push accepted, and the last attempt known to have failed before."""
    if payment.channel != Payment.Channel.MPESA or payment.status != Status.PENDING:
        return False
    if payment.checkout_request_id:
        return False
    last = payment.events.order_by("-at", "-pk").first()
    return last is not None and last.kind == PUSH_NOT_SENT


def _same_request(payment: Payment, asked: str) -> Payment:
    idempotency.replay_check(payment.idempotency_request, asked, parts=_REQUEST_PARTS)
    return payment


def _push(payment: Payment, provider, secret: str) -> None:
    try:
        accepted = provider.stk_push(
            phone=payment.phone,
            amount=payment.amount_kes,
            reference=payment.invoice.account_reference,
            callback_url=callback_url(secret),
        )
    except providers.ProviderUnavailable:
        _settle(payment, status=Status.FAILED, kind="push_refused", reason="provider refused")
        raise
    except Exception as exc:
        # Our side failed before M-Pesa's answer (the broker, the cache, a bug): no push is
        # known to be out. Said so (503, and an event), so that the same key sends it again.
        logger.exception("payment %s: the STK push was not sent", payment.pk)
        _event(payment, PUSH_NOT_SENT, reason=exc.__class__.__name__)
        raise PushNotSent(
            _("The M-Pesa prompt could not be sent. Try again with the same request."),
            field="phone",
        ) from exc
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(
            checkout_request_id=accepted.checkout_request_id,
            merchant_request_id=accepted.merchant_request_id,
        )
        _event(payment, "push_accepted", checkout_request_id=accepted.checkout_request_id)


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


# ---------------------------------------------------------------------------------------------
# Callbacks and the mop-up

_FINAL_BY_CODE = {
    providers.RESULT_CANCELLED: (Status.CANCELLED, "cancelled by the payer"),
    providers.RESULT_TIMEOUT: (Status.EXPIRED, "the payer did not answer"),
    providers.RESULT_WRONG_PIN: (Status.FAILED, "wrong PIN"),
    providers.RESULT_INSUFFICIENT_FUNDS: (Status.FAILED, "insufficient funds"),
}
# A request that ended (the payer cancelled, typed a wrong PIN, did not answer, or we gave up)
# and may still see its money move.
ENDED = (Status.EXPIRED, Status.FAILED, Status.CANCELLED)


def secret_hash(secret: str) -> str:
    """What is stored of a callback URL's secret: its sha256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def stk_callback_key(*, secret: str, body: object) -> str:
    """The id a callback is stored under: the CheckoutRequestID, a digest of the URL's secret
    (a forged callback with a guessed id never takes the genuine one's place) and a digest of
    the body (Daraja's retry of one body is one row; a success after a cancel is another)."""
    callback = providers.stk_callback_parse(body)
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    body_digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{callback.checkout_request_id}:{secret_hash(secret)[:16]}:{body_digest}"


def _genuine_callbacks(payment: Payment) -> list[providers.StkCallback]:
    """The callbacks kept for a payment that came with its URL's secret, oldest first."""
    if not payment.checkout_request_id or not payment.callback_secret_hash:
        return []
    prefix = f"{payment.checkout_request_id}:{payment.callback_secret_hash[:16]}:"
    found = []
    for body in webhook_payloads(provider="mpesa", kind="stk", id_prefix=prefix):
        try:
            found.append(providers.stk_callback_parse(body))
        except providers.InvalidCallback:
            continue
    return found


def _kept_receipt(payment: Payment) -> str:
    """The M-Pesa receipt number a genuine success callback gave (the STK query has none)."""
    for callback in _genuine_callbacks(payment):
        if callback.result_code == providers.RESULT_SUCCESS and callback.receipt:
            return callback.receipt
    return ""


def mpesa_callback_receive(*, secret: str, body: object) -> dict:
    """A Daraja STK callback posted to our per-request URL. It is a hint, never proof: it is
    stored first (every body, known or not, genuine or forged), then, if it names one of our
    requests with that request's secret, Daraja's STK Query is asked server to server, outside
    any transaction, and only its answer settles the payment (the callback gives the M-Pesa
    receipt number; amount and phone are the request's). Returns the outcome (for the logs
    and the tests: the HTTP answer is the same whatever happened)."""
    callback = providers.stk_callback_parse(body)
    key = stk_callback_key(secret=secret, body=body)
    stored = webhook_once(
        provider="mpesa",
        kind="stk",
        provider_id=key,
        payload=body,
        handle=lambda: {"outcome": _callback_check(callback, secret)},
    )
    if stored.get("outcome") != "to_confirm":
        return stored
    result = {"outcome": _callback_confirm(callback, body)}
    webhook_outcome_set(provider="mpesa", kind="stk", provider_id=key, outcome=result)
    return result


def _callback_check(callback: providers.StkCallback, secret: str) -> str:
    """Inside the transaction that stores the callback: is it worth asking the provider?"""
    payment = (
        Payment.objects.select_for_update()
        .filter(channel=Payment.Channel.MPESA, checkout_request_id=callback.checkout_request_id)
        .first()
    )
    if payment is None:
        return "unknown_request"
    info = {"result_code": callback.result_code, "result_desc": callback.result_desc}
    if not payment.callback_secret_hash or not constant_time_compare(
        secret_hash(secret), payment.callback_secret_hash
    ):
        _event(payment, "callback_forged", **info)
        return "forged"
    _event(
        payment,
        "callback_received",
        status=payment.status,
        receipt=callback.receipt,
        amount=str(callback.amount) if callback.amount is not None else "",
        **info,
    )
    if payment.status == Status.PENDING:
        return "to_confirm"
    if payment.status in ENDED and callback.result_code == providers.RESULT_SUCCESS:
        return "to_confirm"
    if (
        payment.status == Status.COMPLETED
        and not payment.provider_receipt
        and callback.result_code == providers.RESULT_SUCCESS
        and callback.receipt
    ):
        # Completed by the mop-up before any callback gave the receipt: the payment keeps it
        # now (the ledger's entry, already chained, keeps what it was posted with).
        try:
            with transaction.atomic():
                Payment.objects.filter(pk=payment.pk, provider_receipt="").update(
                    provider_receipt=callback.receipt
                )
        except IntegrityError:
            return "already_settled"
        _event(payment, "receipt_received", status=payment.status, receipt=callback.receipt)
    return "already_settled"


def _ask_provider(payment: Payment) -> providers.QueryAnswer:
    try:
        return providers.mpesa_provider().stk_query(checkout_request_id=payment.checkout_request_id)
    except providers.ProviderUnavailable:
        return providers.QueryAnswer(pending=True)


def _callback_confirm(callback: providers.StkCallback, body: object) -> str:
    """Ask Daraja (STK Query) what became of the request the callback names; settle by that."""
    payment = Payment.objects.get(
        channel=Payment.Channel.MPESA, checkout_request_id=callback.checkout_request_id
    )
    answer = _ask_provider(payment)
    confirmed = not answer.pending and answer.result_code == providers.RESULT_SUCCESS
    receipt = callback.receipt if callback.result_code == providers.RESULT_SUCCESS else ""
    claims = {
        "claimed_result_code": callback.result_code,
        "claimed_amount": str(callback.amount) if callback.amount is not None else "",
        "claimed_phone": callback.phone,
    }
    with transaction.atomic():
        payment = _payment_locked(payment.pk)
        if payment.status == Status.PENDING:
            if answer.pending:
                # Daraja still processing (or unreachable): the mop-up asks again, and takes
                # the receipt from this callback, kept.
                _event(payment, "query_pending", **claims)
                return "pending"
            return _settle_by_result(
                payment,
                kind="callback",
                code=answer.result_code,
                desc=answer.result_desc,
                receipt=receipt,
                **claims,
            )
        if payment.status in ENDED and callback.result_code == providers.RESULT_SUCCESS:
            # The payer's money may have moved after the request ended: never dropped, held
            # with the callback's body for a person to decide. Money M-Pesa confirms is held
            # in the ledger's suspense account until then.
            ended = payment.status
            reason = f"paid after the request had ended ({ended})"
            if not confirmed:
                reason += "; M-Pesa does not confirm the payment"
            _settle(
                payment,
                status=Status.HELD,
                kind="callback_late",
                reason=reason,
                receipt=receipt if confirmed else "",
                amount_paid=payment.amount_kes if confirmed else None,
                from_status=ended,
                confirmed=confirmed,
                body=body,
                **claims,
            )
            return "held_late"
    return "already_settled"


def _settle_by_result(
    payment: Payment, *, kind: str, code: int, desc: str, receipt: str, **detail
) -> str:
    """Settle a pending push by Daraja's own answer (STK Query). A success is for the amount
    and phone of our request: an STK push cannot be paid with another amount."""
    info = {"result_code": code, "result_desc": desc, **detail}
    if code == providers.RESULT_SUCCESS:
        done = _settle(
            payment,
            status=Status.COMPLETED,
            kind=kind,
            receipt=receipt,
            amount_paid=payment.amount_kes,
            **info,
        )
        return str(done) if done else "already_settled"
    status, reason = _FINAL_BY_CODE.get(code, (Status.FAILED, "refused by the provider"))
    _settle(payment, status=status, kind=kind, reason=reason, **info)
    return str(status)


def payment_query_settle(*, payment: Payment, now=None) -> str:
    """Ask the provider what became of a push that had no (confirmed) callback, and settle it.
    A success takes its M-Pesa receipt number from a genuine callback kept for the request;
    with none yet, the payment waits for one until EXPIRE_AFTER (the receipt is what the
    paybill statement is reconciled on), then completes without it."""
    now = now or clock.now()
    if not payment.checkout_request_id:
        if now - payment.started_at >= EXPIRE_AFTER:
            _settle(payment, status=Status.EXPIRED, kind="expired", reason="never reached M-Pesa")
            return "expired"
        return "pending"
    answer = _ask_provider(payment)
    if answer.pending:
        if now - payment.started_at >= EXPIRE_AFTER:
            _settle(payment, status=Status.EXPIRED, kind="expired", reason="no answer in time")
            return "expired"
        return "pending"
    with transaction.atomic():
        payment = _payment_locked(payment.pk)
        if payment.status != Status.PENDING:
            return "already_settled"
        receipt = ""
        if answer.result_code == providers.RESULT_SUCCESS:
            receipt = _kept_receipt(payment)
            if not receipt and now - payment.started_at < EXPIRE_AFTER:
                return "pending"
        return _settle_by_result(
            payment,
            kind="query",
            code=answer.result_code,
            desc=answer.result_desc,
            receipt=receipt,
        )


def payments_mop_up(*, now=None) -> int:
    """Settle M-Pesa requests whose callback never came; returns how many were looked at."""
    now = now or clock.now()
    stale = list(
        Payment.objects.filter(
            status=Status.PENDING,
            channel=Payment.Channel.MPESA,
            started_at__lte=now - MOP_UP_AFTER,
        )
        .select_related("invoice")
        .order_by("started_at")[:MOP_UP_BATCH]
    )
    for payment in stale:
        payment_query_settle(payment=payment, now=now)
    return len(stale)


# ---------------------------------------------------------------------------------------------
# Card: Pesapal's own status answer, fetched by us, is the only proof

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


# ---------------------------------------------------------------------------------------------
# C2B: Safaricom's confirmation of every payment to the centre's paybill


class WrongPaybill(DomainError):
    code = "wrong_paybill"


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


# ---------------------------------------------------------------------------------------------
# Cash at the counter


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
    if amount != invoice.amount_kes:
        raise InvalidAmount(
            _("The amount must be the official fee, %(fee)s.")
            % {"fee": format_kes(invoice.amount_kes)},
            field="amount",
        )
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


# ---------------------------------------------------------------------------------------------
# M-Pesa confirmation codes taken offline (outreach field kits)

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
    if amount != invoice.amount_kes:
        raise InvalidAmount(
            _("The amount must be the official fee, %(fee)s.")
            % {"fee": format_kes(invoice.amount_kes)},
            field="amount",
        )
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


def payment_synced(*, payment: Payment) -> None:
    """A payment a field kit took offline has just reached the centre server: a completed one
    (cash) is posted to the ledger now, in the same transaction, once. The kit's own events
    stay on the kit: this one says when and how the payment reached the centre."""
    _event(
        payment,
        "from_field_kit",
        status=payment.status,
        actor=payment.officer,
        node_id=payment.node_id,
        node_seq=payment.node_seq,
    )
    if payment.status == Status.COMPLETED:
        # The receipt SMS is rendered here, on the server: never the kit's own text.
        _completed_sms(payment, _on_payment_completed(payment))


def payments_from_kit(ids: list) -> None:
    """Payments a field kit's batch has just stored (checked by payments.kit_rules)."""
    for payment in Payment.objects.select_related("invoice").filter(pk__in=ids).order_by("pk"):
        payment_synced(payment=payment)


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

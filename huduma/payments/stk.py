"""M-Pesa's STK push: the push itself, Daraja's callbacks (stored first, then believed only
through the STK Query we ask server to server) and the mop-up that settles pushes whose
callback never came."""

import datetime as dt
import hashlib
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from huduma.core import clock
from huduma.notify.services import (
    webhook_once,
    webhook_outcome_set,
    webhook_payloads,
)
from huduma.payments import providers
from huduma.payments.errors import PushNotSent
from huduma.payments.models import Payment
from huduma.payments.settling import _event, _settle

Status = Payment.Status


# The mop-up queries a push that has had no callback for this long: Daraja's own prompt on
# the phone times out after about a minute, and its callback usually follows within seconds.
MOP_UP_AFTER = dt.timedelta(minutes=3)
# A push still unanswered (or unknown to the provider) this long after it started is expired.
EXPIRE_AFTER = dt.timedelta(minutes=10)
# How many silent requests one mop-up run settles (it runs every minute).
MOP_UP_BATCH = 200


logger = logging.getLogger(__name__)


def callback_url(secret: str) -> str:
    return f"{settings.PUBLIC_URL}/api/payments/mpesa/callback/{secret}"


PUSH_NOT_SENT = "push_not_sent"


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


def _payment_locked(pk) -> Payment:
    """The payment, its row locked until the transaction ends: a callback, its duplicate and
    the mop-up read its status one after the other."""
    return Payment.objects.select_for_update().select_related("invoice").get(pk=pk)


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

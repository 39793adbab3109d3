"""Starting a payment (an M-Pesa STK push or a card order) under an Idempotency-Key: a double
click sends one push, the same key with another request is a 409, and a push that never left
is sent again by the same key."""

import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.core import clock, idempotency
from huduma.core.errors import DomainError
from huduma.core.idempotency import InvalidIdempotencyKey
from huduma.core.phones import normalise_phone
from huduma.payments import providers
from huduma.payments.card import _card_order
from huduma.payments.errors import (
    AlreadyPaid,
    CardPaymentsOff,
    PaymentInProgress,
)
from huduma.payments.invoices import amount_parse, official_fee_checked
from huduma.payments.models import Invoice, Payment
from huduma.payments.settling import _event, _refuse_if_money_held
from huduma.payments.stk import PUSH_NOT_SENT, _push, secret_hash
from huduma.queues.services import idempotency_scope

Status = Payment.Status


_REQUEST_PARTS = ("invoice", "channel", "amount", "phone")


def _request_signature(*, invoice: Invoice, channel: str, amount: Decimal, phone: str) -> str:
    return idempotency.signature(invoice=invoice.pk, channel=channel, amount=amount, phone=phone)


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
    official_fee_checked(invoice=invoice, amount=amount)
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

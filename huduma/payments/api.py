"""The payments API: invoices, starting a payment (M-Pesa STK push, card), cash at the counter,
an officer's cash-up, the Daraja STK callback and the paybill's C2B confirmation and validation
URLs (no sign-in: their URLs carry a secret)."""

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Annotated

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import BeforeValidator, Field, StringConstraints

from huduma.accounts.models import Role, User
from huduma.accounts.permissions import require_centre, require_centre_view
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.errors import DomainError, NotFound
from huduma.payments import services
from huduma.payments.cashup import cashup_for
from huduma.payments.models import Invoice, Payment
from huduma.places.models import Centre
from huduma.queues.models import Ticket

router = Router(tags=["payments"])

ShortText = Annotated[str, StringConstraints(max_length=40)]

TAKERS = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)


class InvoiceIn(Schema):
    service: str = Field(..., min_length=1, max_length=40, description="service code")
    centre: str = Field(..., min_length=1, max_length=40, description="centre code")
    ticket: uuid.UUID | None = None


class InvoiceOut(Schema):
    id: uuid.UUID
    service: str
    centre: str
    amount_kes: Decimal
    paid: bool


class PaymentIn(Schema):
    channel: str = Field(..., pattern="^(mpesa|card)$", max_length=8)
    amount: str = Field(..., max_length=20, description='the official fee, as text: "100.00"')
    phone: str = Field("", max_length=32)


class ProviderErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class CashIn(Schema):
    amount: str = Field(..., max_length=20, description='the official fee, as text: "100.00"')


class PaymentOut(Schema):
    id: uuid.UUID
    invoice: uuid.UUID
    channel: str
    status: str
    hold_reason: str
    amount_kes: Decimal
    provider_receipt: str
    card_page: str = Field("", description="a pending card payment: Pesapal's card page")


class CashUpLine(Schema):
    id: uuid.UUID
    at: dt.datetime
    service: str
    amount_kes: Decimal


class CashUpRefund(Schema):
    at: dt.datetime
    receipt: str
    amount_kes: Decimal


class CardTakings(Schema):
    count: int
    taken_kes: Decimal
    refunded_kes: Decimal
    net_kes: Decimal
    payments: list[CashUpLine]


class CashUpOut(Schema):
    officer: str
    day: dt.date
    count: int
    taken_kes: Decimal = Field(..., description="cash received")
    refunded_kes: Decimal = Field(..., description="cash refunds paid out of these takings")
    total_kes: Decimal = Field(..., description="cash to hand over: taken less refunded")
    payments: list[CashUpLine]
    refunds: list[CashUpRefund]
    card: CardTakings = Field(..., description="card payments taken: not in the drawer")


class CallbackItem(Schema):
    Name: str = Field(..., max_length=40)
    # Daraja sends numbers (Amount, TransactionDate, PhoneNumber) and text (the receipt).
    Value: int | float | ShortText | None = None


class CallbackMetadataIn(Schema):
    Item: list[CallbackItem] = Field(default_factory=list, max_length=20)


class StkCallbackFields(Schema):
    MerchantRequestID: str = Field("", max_length=80)
    CheckoutRequestID: str = Field(..., min_length=1, max_length=80)
    ResultCode: int
    ResultDesc: str = Field("", max_length=200)
    CallbackMetadata: CallbackMetadataIn | None = None


class StkCallbackBody(Schema):
    stkCallback: StkCallbackFields


class StkCallbackIn(Schema):
    Body: StkCallbackBody


class CallbackAck(Schema):
    ResultCode: int
    ResultDesc: str


def invoice_out(invoice: Invoice) -> dict:
    return {
        "id": invoice.pk,
        "service": invoice.service.code,
        "centre": invoice.centre.code,
        "amount_kes": invoice.amount_kes,
        "paid": invoice.payments.filter(status=Payment.Status.COMPLETED).exists(),
    }


def payment_out(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "invoice": payment.invoice_id,
        "channel": payment.channel,
        "status": payment.status,
        "hold_reason": payment.hold_reason,
        "amount_kes": payment.amount_kes,
        "provider_receipt": payment.provider_receipt,
        "card_page": services.card_page_url(payment),
    }


def _invoice(request, invoice_id: uuid.UUID) -> Invoice:
    invoice = Invoice.objects.select_related("centre", "service").filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound("No such invoice.", field="invoice_id")
    require_centre(request.user, invoice.centre, *TAKERS)
    return invoice


@router.post("/invoices", response={201: InvoiceOut}, auth=django_auth, summary="Raise an invoice")
def invoice_raise(request, payload: InvoiceIn):
    """An invoice for exactly the official fee of the service, now."""
    centre = Centre.objects.filter(code=payload.centre).first()
    if centre is None:
        raise NotFound("No such centre.", field="centre")
    require_centre(request.user, centre, *TAKERS)
    service = Service.objects.filter(code=payload.service).first()
    if service is None:
        raise NotFound("No such service.", field="service")
    ticket = None
    if payload.ticket is not None:
        ticket = Ticket.objects.filter(pk=payload.ticket, centre=centre).first()
        if ticket is None:
            raise NotFound("No such ticket at this centre.", field="ticket")
    invoice = services.invoice_raise(
        service=service, centre=centre, ticket=ticket, actor=request.user
    )
    return Status(201, invoice_out(invoice))


@router.get("/invoices/{invoice_id}", response=InvoiceOut, auth=django_auth, summary="An invoice")
def invoice_get(request, invoice_id: uuid.UUID):
    return invoice_out(_invoice(request, invoice_id))


@router.post(
    "/invoices/{invoice_id}/payments",
    response={201: PaymentOut, 502: ProviderErrorOut, 503: ProviderErrorOut},
    auth=django_auth,
    summary="Start a payment (M-Pesa STK push or card)",
)
def payment_start(
    request,
    invoice_id: uuid.UUID,
    payload: PaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80),
):
    """Needs an Idempotency-Key header: the same key and request return the first payment (one
    STK push however often "pay" is clicked); the same key with another request is a 409."""
    invoice = _invoice(request, invoice_id)
    payment = services.payment_start(
        invoice=invoice,
        channel=payload.channel,
        amount=payload.amount,
        phone=payload.phone,
        idempotency_key=idempotency_key,
        actor=request.user,
    )
    return Status(201, payment_out(payment))


@router.post(
    "/invoices/{invoice_id}/cash",
    response={201: PaymentOut},
    auth=django_auth,
    summary="Record the fee received in cash at the counter",
)
def payment_cash(
    request,
    invoice_id: uuid.UUID,
    payload: CashIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80),
):
    invoice = _invoice(request, invoice_id)
    payment = services.payment_cash_record(
        invoice=invoice,
        amount=payload.amount,
        officer=request.user,
        idempotency_key=idempotency_key,
    )
    return Status(201, payment_out(payment))


@router.get("/payments/{payment_id}", response=PaymentOut, auth=django_auth, summary="A payment")
def payment_get(request, payment_id: uuid.UUID):
    payment = get_object_or_404(Payment.objects.select_related("invoice__centre"), pk=payment_id)
    require_centre_view(request.user, payment.invoice.centre, *TAKERS)
    return payment_out(payment)


@router.get("/cashup", response=CashUpOut, auth=django_auth, summary="An officer's cash-up")
def cashup(
    request,
    day: dt.date | None = None,
    officer: str = Query("", max_length=150, description="username; a manager's choice"),
):
    """The cash an officer took on a day. Officers see their own; a Centre Manager sees any
    officer of the centre."""
    who = request.user
    if officer and officer != request.user.username:
        who = User.objects.filter(username=officer).first()
        if who is None or who.centre is None:
            raise NotFound("No such officer.", field="officer")
        require_centre_view(request.user, who.centre, Role.CENTRE_MANAGER)
    elif who.centre is not None:
        require_centre(request.user, who.centre, *TAKERS)
    else:
        raise NotFound("No such officer.", field="officer")
    today = clock.local_date()
    if day is not None and not (dt.date(2000, 1, 1) <= day <= today + dt.timedelta(days=366)):
        # Far from year 1 and 9999, where the day's time-zone arithmetic would overflow (a 500).
        raise DomainError(_("Choose a day from 2000 to next year."), field="day")
    report = cashup_for(officer=who, day=day or today)

    def lines(payments):
        return [
            {
                "id": p.pk,
                "at": p.settled_at,
                "service": p.invoice.service.code,
                "amount_kes": p.amount_kes,
            }
            for p in payments
        ]

    return {
        "officer": who.username,
        "day": report.day,
        "count": report.count,
        "taken_kes": report.cash.taken,
        "refunded_kes": report.cash.refunded,
        "total_kes": report.total,
        "payments": lines(report.payments),
        "refunds": [
            {"at": r.at, "receipt": r.receipt, "amount_kes": r.amount} for r in report.cash.refunds
        ],
        "card": {
            "count": report.card.count,
            "taken_kes": report.card.taken,
            "refunded_kes": report.card.refunded,
            "net_kes": report.card.net,
            "payments": lines(report.card.payments),
        },
    }


@router.post(
    "/mpesa/callback/{secret}",
    response=CallbackAck,
    summary="Safaricom Daraja STK push callback",
)
def mpesa_callback(
    request, payload: StkCallbackIn, secret: str = Path(..., min_length=1, max_length=64)
):
    """Daraja posts the STK result here; the URL's secret was made for that one request. The
    callback is stored, then confirmed by asking Daraja (STK Query). The answer is the same
    whatever happened (unknown request, wrong secret, success): it tells nobody which requests
    exist. The outcome is kept with the stored callback."""
    # The body as Daraja sent it (the schema above has checked its shape) is what is kept.
    services.mpesa_callback_receive(secret=secret, body=json.loads(request.body))
    return {"ResultCode": 0, "ResultDesc": "Accepted"}


def _number_as_text(value):
    # Daraja documents text; a number is read as its text (a float exactly, as repr gives it),
    # so that an error names the field rather than a member of a union of types.
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Text20 = Annotated[str, BeforeValidator(_number_as_text), StringConstraints(max_length=20)]
Text80 = Annotated[str, BeforeValidator(_number_as_text), StringConstraints(max_length=80)]


class C2BIn(Schema):
    """What Safaricom posts to the paybill's confirmation and validation URLs (Daraja C2B).
    Daraja sends text; numbers are accepted too. FirstName and the other names are not kept."""

    TransactionType: str | None = Field(None, max_length=40, description='"Pay Bill"')
    TransID: str = Field(..., min_length=1, max_length=20, description="M-Pesa transaction id")
    TransTime: Text20 = Field(..., description="Nairobi time, YYYYMMDDHHmmss")
    TransAmount: Text20 = Field(..., description="shillings")
    BusinessShortCode: Text20 = Field(..., description="the paybill number")
    BillRefNumber: str | None = Field(None, max_length=40, description="the account reference")
    InvoiceNumber: str | None = Field(None, max_length=40)
    OrgAccountBalance: str | None = Field(None, max_length=40)
    ThirdPartyTransID: str | None = Field(None, max_length=40)
    MSISDN: Text80 | None = Field(None, description="the payer, possibly hashed or masked")
    FirstName: str | None = Field(None, max_length=80)
    MiddleName: str | None = Field(None, max_length=80)
    LastName: str | None = Field(None, max_length=80)


class C2BAck(Schema):
    ResultCode: int | str
    ResultDesc: str
    outcome: str = ""


def _c2b_secret_checked(secret: str) -> None:
    expected = settings.MPESA_C2B_SECRET
    if not expected or not constant_time_compare(secret, expected):
        raise NotFound("Not found.", field="secret")


@router.post(
    "/c2b/{secret}/confirmation",
    response=C2BAck,
    summary="Safaricom Daraja C2B confirmation of a payment to the paybill",
)
def c2b_confirmation(request, payload: C2BIn, secret: str = Path(..., min_length=1, max_length=64)):
    """Safaricom posts every payment to the paybill here (the URL registered with
    `manage.py c2b_register_urls`). Stored once by TransID; M-Pesa codes taken offline are
    verified against these confirmations."""
    _c2b_secret_checked(secret)
    result = services.c2b_confirmation_receive(body=payload.model_dump(exclude_none=True))
    return {"ResultCode": 0, "ResultDesc": "Accepted", "outcome": result["outcome"]}


@router.post(
    "/c2b/{secret}/validation",
    response=C2BAck,
    summary="Safaricom Daraja C2B validation of a payment to the paybill",
)
def c2b_validation(request, payload: C2BIn, secret: str = Path(..., min_length=1, max_length=64)):
    """Called before M-Pesa completes a payment, only if Safaricom turned on external
    validation for the paybill: a payment to another paybill is rejected (C2B00015)."""
    _c2b_secret_checked(secret)
    try:
        services.c2b_validation_check(body=payload.model_dump(exclude_none=True))
    except services.WrongPaybill:
        return {"ResultCode": "C2B00015", "ResultDesc": "Rejected", "outcome": "wrong_paybill"}
    return {"ResultCode": "0", "ResultDesc": "Accepted", "outcome": "accepted"}


class PesapalIpnIn(Schema):
    OrderTrackingId: str = Field(..., min_length=1, max_length=80)
    OrderMerchantReference: str = Field("", max_length=64)
    OrderNotificationType: str = Field("IPNCHANGE", max_length=20)


class PesapalIpnAck(Schema):
    orderNotificationType: str
    orderTrackingId: str
    orderMerchantReference: str
    status: int


@router.get(
    "/pesapal/ipn", response=PesapalIpnAck, summary="Pesapal IPN (GET)", url_name="pesapal_ipn"
)
def pesapal_ipn_get(request, ipn: Query[PesapalIpnIn]):
    """Pesapal calls the IPN URL registered with `manage.py pesapal_register_ipn` when an
    order changes. Only a hint: the payment changes on the status we then fetch from Pesapal."""
    return services.pesapal_ipn_receive(
        tracking_id=ipn.OrderTrackingId,
        merchant_reference=ipn.OrderMerchantReference,
        notification_type=ipn.OrderNotificationType,
    )


@router.post("/pesapal/ipn", response=PesapalIpnAck, summary="Pesapal IPN (POST)")
def pesapal_ipn_post(request, ipn: PesapalIpnIn):
    return services.pesapal_ipn_receive(
        tracking_id=ipn.OrderTrackingId,
        merchant_reference=ipn.OrderMerchantReference,
        notification_type=ipn.OrderNotificationType,
    )

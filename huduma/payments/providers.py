"""Payment providers behind one interface: M-Pesa Daraja (through mpesakit), the Daraja-like
sandbox that drives the demo and the tests, and card through Pesapal API 3.0; and the reading of
Daraja's callbacks (STK, C2B confirmations).

A provider only talks to the outside world; persistence, idempotency and reconciliation are in
the verbs (named by services.py). Nothing here writes to the database (transaction_status reads
the paybill's C2B confirmations that paybill.c2b_confirmation_receive stored).
"""

import datetime as dt
import json
import logging
import re
import secrets
import sqlite3
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task
from mpesakit import MpesaClient
from mpesakit.c2b import C2BResponseType
from mpesakit.mpesa_express import (
    StkPushQueryRequest,
    StkPushSimulateRequest,
    TransactionType,
)
from redis.exceptions import RedisError

from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.payments.models import PaybillTransaction

# Daraja ResultCodes of an STK push (callback and query) that we act on.
RESULT_SUCCESS = 0
RESULT_INSUFFICIENT_FUNDS = 1
RESULT_CANCELLED = 1032
RESULT_TIMEOUT = 1037
RESULT_WRONG_PIN = 2001

logger = logging.getLogger(__name__)


class ProviderUnavailable(DomainError):
    status = 502
    code = "provider_unavailable"


@dataclass(frozen=True)
class PushAccepted:
    merchant_request_id: str
    checkout_request_id: str


@dataclass(frozen=True)
class QueryAnswer:
    """What the STK query said: still being processed, or a final ResultCode."""

    pending: bool
    result_code: int | None = None
    result_desc: str = ""


@dataclass(frozen=True)
class StkCallback:
    """The fields of Daraja's Body.stkCallback we use (CallbackMetadata only on success)."""

    merchant_request_id: str
    checkout_request_id: str
    result_code: int
    result_desc: str
    amount: Decimal | None = None
    receipt: str = ""
    transaction_date: str = ""
    phone: str = ""


class InvalidCallback(DomainError):
    code = "invalid_callback"


def _bounded(value, limit: int) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        raise InvalidCallback(_("A callback field is too long."), field="Body")
    return text


def stk_callback_parse(body: object) -> StkCallback:
    """Read a Daraja STK callback ({"Body": {"stkCallback": {...}}}); refuse any other shape."""
    try:
        cb = body["Body"]["stkCallback"]  # type: ignore[index]
        checkout = _bounded(cb["CheckoutRequestID"], 80)
        code = cb["ResultCode"]
        if isinstance(code, bool) or not isinstance(code, int | str):
            raise TypeError
        result_code = int(code)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidCallback(_("Not an STK callback."), field="Body") from exc
    if not checkout:
        raise InvalidCallback(_("Not an STK callback."), field="Body")
    items = {}
    metadata = cb.get("CallbackMetadata") or {}
    if isinstance(metadata, dict) and isinstance(metadata.get("Item"), list):
        for item in metadata["Item"][:20]:
            if isinstance(item, dict) and "Name" in item:
                items[str(item["Name"])] = item.get("Value")
    amount = None
    raw_amount = items.get("Amount")
    if isinstance(raw_amount, int | str) and not isinstance(raw_amount, bool):
        try:
            amount = Decimal(str(raw_amount)).quantize(Decimal("0.01"))
        except ArithmeticError:
            amount = None
    elif isinstance(raw_amount, float):
        # Daraja sends whole shillings; a float is compared as its exact decimal string.
        amount = Decimal(repr(raw_amount)).quantize(Decimal("0.01"))
    return StkCallback(
        merchant_request_id=_bounded(cb.get("MerchantRequestID"), 80),
        checkout_request_id=checkout,
        result_code=result_code,
        result_desc=_bounded(cb.get("ResultDesc"), 200),
        amount=amount,
        receipt=_bounded(items.get("MpesaReceiptNumber"), 40),
        transaction_date=_bounded(items.get("TransactionDate"), 20),
        phone=_bounded(items.get("PhoneNumber"), 20),
    )


def stk_callback_body(
    *,
    merchant_request_id: str,
    checkout_request_id: str,
    result_code: int,
    result_desc: str,
    amount: Decimal | None = None,
    receipt: str = "",
    phone: str = "",
    when: dt.datetime | None = None,
) -> dict:
    """A callback in Daraja's format, as the sandbox (and the bench) post it."""
    cb: dict = {
        "MerchantRequestID": merchant_request_id,
        "CheckoutRequestID": checkout_request_id,
        "ResultCode": result_code,
        "ResultDesc": result_desc,
    }
    if result_code == RESULT_SUCCESS:
        when = when or dt.datetime.now(dt.UTC)
        cb["CallbackMetadata"] = {
            "Item": [
                {
                    "Name": "Amount",
                    "Value": int(amount) if amount == int(amount) else float(amount),
                },
                {"Name": "MpesaReceiptNumber", "Value": receipt},
                {"Name": "Balance"},
                {"Name": "TransactionDate", "Value": int(when.strftime("%Y%m%d%H%M%S"))},
                {"Name": "PhoneNumber", "Value": int(phone.lstrip("+"))},
            ]
        }
    return {"Body": {"stkCallback": cb}}


# The sandbox picks what the "payer" does from the last four digits of the phone number.
SCENARIOS = {
    "1032": ("cancelled", RESULT_CANCELLED, "Request cancelled by user"),
    "2001": ("wrong_pin", RESULT_WRONG_PIN, "The initiator information is invalid."),
    "0001": (
        "insufficient",
        RESULT_INSUFFICIENT_FUNDS,
        "The balance is insufficient for the transaction.",
    ),
    "1037": ("timeout", RESULT_TIMEOUT, "DS timeout user cannot be reached"),
    "0404": ("no_callback", RESULT_SUCCESS, "The service request is processed successfully."),
    "0202": ("duplicate", RESULT_SUCCESS, "The service request is processed successfully."),
    "0303": ("late", RESULT_SUCCESS, "The service request is processed successfully."),
    # The prompt is never answered and no callback comes: the STK query says "being
    # processed" until the mop-up gives up.
    "0505": ("unanswered", RESULT_TIMEOUT, "DS timeout user cannot be reached"),
}
SUCCESS = ("success", RESULT_SUCCESS, "The service request is processed successfully.")
# Seconds before the sandbox's callback: the payer typing the PIN (and time for us to save the
# CheckoutRequestID first, as with Daraja); a late callback comes after the mop-up's wait.
PIN_SECONDS = 5
LATE_CALLBACK_SECONDS = 240


def sandbox_scenario(phone: str) -> tuple[str, int, str]:
    return SCENARIOS.get(phone[-4:], SUCCESS)


@dataclass(frozen=True)
class TransactionFound:
    """What Daraja's Transaction Status says about a confirmation code."""

    receipt: str
    amount: Decimal
    phone: str = ""
    # The paybill paid and the account number the payer typed (C2B BusinessShortCode and
    # BillRefNumber): a code pays an invoice only if both are the invoice's.
    short_code: str = ""
    bill_ref: str = ""


# ---------------------------------------------------------------------------------------------
# C2B: Safaricom's confirmation of each payment to the paybill (Register URL API)

_TRANS_ID = re.compile(r"[A-Z0-9]{6,20}")
_SHORT_CODE = re.compile(r"[0-9]{4,12}")
_TRANS_TIME = re.compile(r"[0-9]{14}")
_C2B_AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")


@dataclass(frozen=True)
class C2BConfirmation:
    """The fields of a C2B confirmation (or validation) we keep."""

    trans_id: str
    amount: Decimal
    paid_at: dt.datetime
    short_code: str
    transaction_type: str = ""
    bill_ref: str = ""
    invoice_number: str = ""
    payer: str = ""


def _c2b_text(body: dict, name: str, limit: int) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidCallback(_("This field must be text."), field=name)
    text = str(value).strip()
    if len(text) > limit:
        raise InvalidCallback(_("A callback field is too long."), field=name)
    return text


def _c2b_payer(raw: str) -> str:
    """E.164 when M-Pesa gave the number in full; else the masked or hashed form as given."""
    if not raw:
        return ""
    try:
        return normalise_phone(raw, mobile_only=False)
    except InvalidPhoneNumber:
        return raw


def c2b_confirmation_parse(body: object) -> C2BConfirmation:
    """Read the body Safaricom posts to the confirmation (or validation) URL; refuse anything
    else naming the first field at fault. TransTime is Nairobi time, "YYYYMMDDHHmmss"."""
    if not isinstance(body, dict):
        raise InvalidCallback(_("Not a C2B confirmation."), field="TransID")
    trans_id = _c2b_text(body, "TransID", 20).upper()
    if not _TRANS_ID.fullmatch(trans_id):
        raise InvalidCallback(_("Not an M-Pesa transaction id."), field="TransID")
    raw_amount = body.get("TransAmount")
    if isinstance(raw_amount, float):
        raw_amount = repr(raw_amount)  # Daraja sends whole shillings; compared exactly
    text = _c2b_text({"TransAmount": raw_amount}, "TransAmount", 20)
    try:
        if not _C2B_AMOUNT.fullmatch(text):
            raise InvalidOperation
        amount = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidCallback(_("Not an amount."), field="TransAmount") from None
    if amount <= 0:
        raise InvalidCallback(_("The amount must be more than zero."), field="TransAmount")
    when = _c2b_text(body, "TransTime", 14)
    try:
        if not _TRANS_TIME.fullmatch(when):
            raise ValueError
        paid_at = dt.datetime.strptime(when, "%Y%m%d%H%M%S").replace(tzinfo=clock.NAIROBI)
    except ValueError:
        raise InvalidCallback(_("Not a time (YYYYMMDDHHmmss)."), field="TransTime") from None
    short_code = _c2b_text(body, "BusinessShortCode", 12)
    if not _SHORT_CODE.fullmatch(short_code):
        raise InvalidCallback(_("Not a paybill number."), field="BusinessShortCode")
    return C2BConfirmation(
        trans_id=trans_id,
        amount=amount,
        paid_at=paid_at,
        short_code=short_code,
        transaction_type=_c2b_text(body, "TransactionType", 40),
        bill_ref=_c2b_text(body, "BillRefNumber", 40),
        invoice_number=_c2b_text(body, "InvoiceNumber", 40),
        payer=_c2b_payer(_c2b_text(body, "MSISDN", 80)),
    )


def c2b_confirmation_body(
    *,
    trans_id: str,
    amount: Decimal,
    when: dt.datetime,
    short_code: str = "600000",
    bill_ref: str = "",
    msisdn: str = "",
) -> dict:
    """A confirmation in Daraja's format, as Safaricom posts it (the tests and the demo)."""
    return {
        "TransactionType": "Pay Bill",
        "TransID": trans_id,
        "TransTime": when.astimezone(clock.NAIROBI).strftime("%Y%m%d%H%M%S"),
        "TransAmount": f"{amount:.2f}",
        "BusinessShortCode": short_code,
        "BillRefNumber": bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": "",
        "ThirdPartyTransID": "",
        "MSISDN": msisdn,
        "FirstName": "",
    }


def paybill_transaction_found(receipt: str) -> TransactionFound | None:
    """What the paybill's stored C2B confirmations say about a code. The payer's number is
    only compared when M-Pesa gave it in full (a hashed one cannot be)."""
    row = PaybillTransaction.objects.filter(trans_id=receipt).first()
    if row is None:
        return None
    phone = row.payer if row.payer.startswith("+") else ""
    return TransactionFound(
        receipt=row.trans_id,
        amount=row.amount_kes,
        phone=phone,
        short_code=row.short_code,
        bill_ref=row.bill_ref,
    )


class SandboxDaraja:
    """Behaves like Daraja: accepts the push, then posts a real Daraja-format callback to the
    callback URL (through a Huey task, or kept in `outbox` for tests to deliver), and answers
    the STK query. Stateless: the scenario travels inside the CheckoutRequestID."""

    name = "sandbox"
    outbox: list[tuple[str, dict, int]] = []  # (url, body, delay in seconds), in "manual" mode
    # The paybill's statement: confirmation codes of payments made straight to the paybill
    # (tests and the demo add to it); Transaction Status answers from it.
    statement: dict[str, TransactionFound] = {}
    # Requests Daraja is "still processing": the STK query answers so (tests add to it).
    processing: set[str] = set()

    def stk_push(
        self, *, phone: str, amount: Decimal, reference: str, callback_url: str
    ) -> PushAccepted:
        scenario, code, desc = sandbox_scenario(phone)
        token = secrets.token_hex(8)
        checkout = f"ws_CO_SBX_{scenario}_{token}"
        merchant = f"SBX-{token}"
        body = stk_callback_body(
            merchant_request_id=merchant,
            checkout_request_id=checkout,
            result_code=code,
            result_desc=desc,
            amount=amount,
            receipt="SBX" + token[:7].upper(),
            phone=phone,
        )
        deliveries = {
            "no_callback": [],
            "unanswered": [],
            "duplicate": [PIN_SECONDS, PIN_SECONDS + 1],
            "late": [LATE_CALLBACK_SECONDS],
        }
        for delay in deliveries.get(scenario, [PIN_SECONDS]):
            self._post(callback_url, body, delay)
        return PushAccepted(merchant_request_id=merchant, checkout_request_id=checkout)

    def stk_query(self, *, checkout_request_id: str) -> QueryAnswer:
        if checkout_request_id in SandboxDaraja.processing:
            return QueryAnswer(pending=True)
        scenario = checkout_request_id.removeprefix("ws_CO_SBX_").rsplit("_", 1)[0]
        if scenario == "unanswered":
            return QueryAnswer(pending=True)
        for name, code, desc in [*SCENARIOS.values(), SUCCESS]:
            if name == scenario:
                return QueryAnswer(pending=False, result_code=code, result_desc=desc)
        return QueryAnswer(pending=False, result_code=RESULT_TIMEOUT, result_desc="Unknown request")

    def transaction_status(self, *, receipt: str) -> TransactionFound | None:
        # The statement stands in for confirmations never posted; posted ones are read as on
        # Daraja.
        return SandboxDaraja.statement.get(receipt) or paybill_transaction_found(receipt)

    def _post(self, url: str, body: dict, delay: int) -> None:
        if settings.PAYMENTS_SANDBOX_DELIVERY == "manual":
            SandboxDaraja.outbox.append((url, body, delay))
            return
        try:
            sandbox_callback_post_task.schedule((url, body), delay=delay)
        except (OSError, RedisError, sqlite3.Error):
            # The broker is away: like a callback Safaricom never posts. The push stands; the
            # mop-up settles it by STK query, which the sandbox answers.
            logger.warning("sandbox: callback not scheduled; the mop-up will settle it")


@db_task(retries=3, retry_delay=5)
def sandbox_callback_post_task(url: str, body: dict) -> None:
    """The sandbox's callback, posted over HTTP to our public URL, as Safaricom would."""
    http_post_json(url, body)


def http_post_json(url: str, body: dict, timeout: float = 10) -> int:
    """POST a JSON body (the sandbox's callback, the way Safaricom posts it)."""
    request = urllib.request.Request(  # noqa: S310 - our own configured public URL
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status


class Daraja:
    """Safaricom Daraja through mpesakit (OAuth token, password, endpoints); credentials from
    the environment. Never used by the tests: they run the sandbox."""

    name = "daraja"

    def __init__(self) -> None:
        self.client = MpesaClient(
            consumer_key=settings.MPESA_CONSUMER_KEY,
            consumer_secret=settings.MPESA_CONSUMER_SECRET,
            environment=settings.MPESA_ENVIRONMENT,
        )

    def stk_push(
        self, *, phone: str, amount: Decimal, reference: str, callback_url: str
    ) -> PushAccepted:
        msisdn = phone.lstrip("+")
        request = StkPushSimulateRequest(
            BusinessShortCode=int(settings.MPESA_SHORTCODE),
            Passkey=settings.MPESA_PASSKEY,
            TransactionType=TransactionType.CUSTOMER_PAYBILL_ONLINE,
            Amount=int(amount),
            PartyA=msisdn,
            PartyB=settings.MPESA_SHORTCODE,
            PhoneNumber=msisdn,
            CallBackURL=callback_url,
            AccountReference=reference[:12],
            TransactionDesc="Huduma fee",
        )
        try:
            response = self.client.stk_push(request)
        except Exception as exc:
            raise ProviderUnavailable(_("M-Pesa did not accept the request; try again.")) from exc
        if not response.is_successful():
            raise ProviderUnavailable(_("M-Pesa did not accept the request; try again."))
        return PushAccepted(
            merchant_request_id=str(response.MerchantRequestID),
            checkout_request_id=str(response.CheckoutRequestID),
        )

    def stk_query(self, *, checkout_request_id: str) -> QueryAnswer:
        request = StkPushQueryRequest(
            BusinessShortCode=int(settings.MPESA_SHORTCODE),
            Passkey=settings.MPESA_PASSKEY,
            CheckoutRequestID=checkout_request_id,
        )
        try:
            response = self.client.stk_query(request)
        except Exception:  # noqa: BLE001 - "the transaction is being processed" is an error reply
            return QueryAnswer(pending=True)
        code = getattr(response, "ResultCode", None)
        if code is None or str(code) == "":
            return QueryAnswer(pending=True)
        return QueryAnswer(
            pending=False, result_code=int(code), result_desc=str(response.ResultDesc or "")
        )

    def transaction_status(self, *, receipt: str) -> TransactionFound | None:
        """Answered from the C2B confirmations Safaricom posted for the paybill (Daraja's own
        Transaction Status API answers asynchronously and needs an initiator's credentials).
        None: no confirmation (yet) for this code."""
        if not settings.MPESA_C2B_SECRET:
            # No confirmation URL registered: an absent code proves nothing.
            raise ProviderUnavailable(_("M-Pesa transaction status is not available yet."))
        return paybill_transaction_found(receipt)

    def c2b_register(self, *, confirmation_url: str, validation_url: str) -> str:
        """Register the paybill's confirmation and validation URLs (Daraja's Register URL
        API, v1 through mpesakit). "Completed": if our validation URL cannot be reached, M-Pesa
        completes the payment anyway (a citizen's payment is never refused for our outage)."""
        response = self.client.c2b.register_url(
            short_code=int(settings.MPESA_SHORTCODE),
            response_type=C2BResponseType.COMPLETED.value,
            confirmation_url=confirmation_url,
            validation_url=validation_url,
        )
        if not response.is_successful():
            raise ProviderUnavailable(str(response.ResponseDescription)[:200])
        return str(response.ResponseDescription)


# ---------------------------------------------------------------------------------------------
# Card: Pesapal API 3.0 (developer.pesapal.com, "API 3.0 - JSON"). The citizen types the card on
# Pesapal's own page (SubmitOrderRequest's redirect_url); Pesapal then calls our IPN URL with
# the OrderTrackingId, which only tells us to ask: GetTransactionStatus, fetched by us, is the
# proof. Test mode is Pesapal's sandbox (cybqa.pesapal.com) with its test merchant keys.

PESAPAL_URLS = {
    "sandbox": "https://cybqa.pesapal.com/pesapalv3",
    "live": "https://pay.pesapal.com/v3",
}
# GetTransactionStatus status_code: 0 INVALID (not paid, or not yet), 1 COMPLETED, 2 FAILED,
# 3 REVERSED.
PESAPAL_INVALID, PESAPAL_COMPLETED, PESAPAL_FAILED, PESAPAL_REVERSED = 0, 1, 2, 3
# Pesapal's access token lasts five minutes; one is reused for four.
PESAPAL_TOKEN_SECONDS = 240
PESAPAL_TIMEOUT = 15


@dataclass(frozen=True)
class OrderAccepted:
    order_tracking_id: str
    redirect_url: str


@dataclass(frozen=True)
class CardStatus:
    """What GetTransactionStatus says of an order."""

    status_code: int
    description: str = ""
    amount: Decimal | None = None
    currency: str = ""
    confirmation_code: str = ""
    merchant_reference: str = ""
    payment_method: str = ""


class Pesapal:
    """Pesapal API 3.0 over HTTPS (JSON); keys from the environment."""

    name = "pesapal"
    _token: tuple[str, float] | None = None  # (token, monotonic expiry), shared per process

    def __init__(self) -> None:
        self.base = settings.PESAPAL_BASE_URL or PESAPAL_URLS[settings.PESAPAL_ENVIRONMENT]

    def _request(self, method: str, path: str, body: dict | None = None, token: str = "") -> dict:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - Pesapal's https address (settings)
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=PESAPAL_TIMEOUT) as response:  # noqa: S310
                answer = json.loads(response.read(1_000_000) or b"{}")
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts, bad JSON
            raise ProviderUnavailable(_("The card acquirer did not answer; try again.")) from exc
        if not isinstance(answer, dict):
            raise ProviderUnavailable(_("The card acquirer did not answer; try again."))
        error = answer.get("error")
        # Pesapal sends an "error" object with null fields on success: only a code or message
        # in it is an error.
        if str(answer.get("status", "200")) != "200" or (
            isinstance(error, dict) and (error.get("code") or error.get("message"))
        ):
            raise ProviderUnavailable(_("The card acquirer refused the request; try again."))
        return answer

    def _bearer(self) -> str:
        cached = Pesapal._token
        if cached and cached[1] > time.monotonic():
            return cached[0]
        answer = self._request(
            "POST",
            "/api/Auth/RequestToken",
            {
                "consumer_key": settings.PESAPAL_CONSUMER_KEY,
                "consumer_secret": settings.PESAPAL_CONSUMER_SECRET,
            },
        )
        token = str(answer.get("token") or "")
        if not token:
            raise ProviderUnavailable(_("The card acquirer did not answer; try again."))
        Pesapal._token = (token, time.monotonic() + PESAPAL_TOKEN_SECONDS)
        return token

    def register_ipn(self, *, url: str) -> str:
        """RegisterIPN: Pesapal calls `url` (GET) on each change of an order; returns the
        ipn_id to set as PESAPAL_IPN_ID (SubmitOrderRequest's notification_id)."""
        answer = self._request(
            "POST",
            "/api/URLSetup/RegisterIPN",
            {"url": url, "ipn_notification_type": "GET"},
            token=self._bearer(),
        )
        return str(answer.get("ipn_id") or "")

    def submit_order(
        self,
        *,
        reference: str,
        amount: Decimal,
        description: str,
        callback_url: str,
        phone: str,
    ) -> OrderAccepted:
        answer = self._request(
            "POST",
            "/api/Transactions/SubmitOrderRequest",
            {
                "id": reference,
                "currency": "KES",
                "amount": float(amount),
                "description": description[:100],
                "callback_url": callback_url,
                "notification_id": settings.PESAPAL_IPN_ID,
                # Pesapal needs the payer's phone or email; we keep no name.
                "billing_address": {"phone_number": phone.lstrip("+"), "country_code": "KE"},
            },
            token=self._bearer(),
        )
        tracking = str(answer.get("order_tracking_id") or "")
        redirect = str(answer.get("redirect_url") or "")
        if not tracking or not redirect.startswith("https://"):
            raise ProviderUnavailable(_("The card acquirer refused the request; try again."))
        return OrderAccepted(order_tracking_id=tracking[:80], redirect_url=redirect[:500])

    def transaction_status(self, *, order_tracking_id: str) -> CardStatus:
        query = urllib.parse.urlencode({"orderTrackingId": order_tracking_id})
        answer = self._request(
            "GET", f"/api/Transactions/GetTransactionStatus?{query}", token=self._bearer()
        )
        try:
            code = int(answer.get("status_code"))
        except (TypeError, ValueError) as exc:
            raise ProviderUnavailable(_("The card acquirer did not answer; try again.")) from exc
        amount = None
        raw = answer.get("amount")
        if isinstance(raw, int | float | str) and not isinstance(raw, bool):
            try:
                amount = Decimal(str(raw)).quantize(Decimal("0.01"))
            except ArithmeticError:
                amount = None
        return CardStatus(
            status_code=code,
            description=str(answer.get("description") or "")[:200],
            amount=amount,
            currency=str(answer.get("currency") or "")[:3],
            confirmation_code=str(answer.get("confirmation_code") or "")[:40],
            merchant_reference=str(answer.get("merchant_reference") or "")[:64],
            payment_method=str(answer.get("payment_method") or "")[:20],
        )


def mpesa_provider():
    return Daraja() if settings.MPESA_PROVIDER == "daraja" else SandboxDaraja()


def card_provider() -> Pesapal | None:
    """The card acquirer, or None: card payments are off until configured."""
    return Pesapal() if settings.CARD_PROVIDER == "pesapal" else None

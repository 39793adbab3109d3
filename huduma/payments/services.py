"""The verbs of payments, in one place for every other face and app to call: raise an invoice
for the official fee, start a payment (M-Pesa STK push or card) under an idempotency key, act on
provider callbacks once, settle silent requests by STK query (the mop-up), record cash at the
counter, store the paybill's C2B confirmations and check M-Pesa codes against them.

Each concept lives in its own module; this one only names them (import from here):
- invoices.py   invoices for exactly the official fee, and the amounts typed for them
- start.py      starting a payment under an Idempotency-Key
- stk.py        M-Pesa's STK push, its callbacks (believed only through the STK Query) and mop-up
- card.py       card orders through Pesapal, settled only by the status we fetch
- paybill.py    C2B confirmations stored once, and M-Pesa codes shown at a counter or a tent
- cash.py       cash at the counter
- from_kits.py  payments a field kit took offline, reaching the centre server
- settling.py   how a payment leaves "pending" once; ledger posting, suspense and SMS after it
- errors.py     the refusals
Held money's maker-checker decisions are in held.py, the officer's cash-up in cashup.py.

A callback is only a hint until it matches: a known CheckoutRequestID, the per-request secret
of the callback URL, and the invoice's amount and phone. Whatever arrives, each outcome is
recorded (the callback row in notify's InboundWebhook, the payment's PaymentEvent) and no
payment is credited twice: a status changes only from pending, by a conditional UPDATE, and
the database allows one completed payment per invoice: a second success for a paid invoice is
held for a refund.
"""

from huduma.payments.card import (
    CARD_CHECK_AFTER,
    CARD_EXPIRE_AFTER,
    card_page_url,
    card_payments_mop_up,
    card_return_url,
    card_statement,
    card_status_settle,
    pesapal_ipn_receive,
)
from huduma.payments.cash import payment_cash_record
from huduma.payments.errors import (
    AlreadyPaid,
    CardPaymentsOff,
    HeldPaymentOpen,
    NothingToPay,
    PaymentInProgress,
    PushNotSent,
    WrongPaybill,
)
from huduma.payments.from_kits import payment_synced, payments_from_kit
from huduma.payments.invoices import (
    amount_parse,
    invoice_for_application,
    invoice_raise,
    official_fee_checked,
)
from huduma.payments.paybill import (
    CODE_CONFIRMATION_WAIT,
    OFFLINE_CODE_PROVIDER,
    TO_VERIFY,
    CodeCheck,
    c2b_confirmation_receive,
    c2b_urls,
    c2b_validation_check,
    payment_mpesa_code_record,
    payment_mpesa_code_verify,
)
from huduma.payments.settling import APPLICATION_PAID, INVOICE_PAID, RECEIPT_USED
from huduma.payments.start import payment_start
from huduma.payments.stk import (
    ENDED,
    EXPIRE_AFTER,
    MOP_UP_AFTER,
    MOP_UP_BATCH,
    PUSH_NOT_SENT,
    callback_url,
    mpesa_callback_receive,
    payment_query_settle,
    payments_mop_up,
    secret_hash,
    stk_callback_key,
)

__all__ = [
    "APPLICATION_PAID",
    "CARD_CHECK_AFTER",
    "CARD_EXPIRE_AFTER",
    "CODE_CONFIRMATION_WAIT",
    "ENDED",
    "EXPIRE_AFTER",
    "INVOICE_PAID",
    "MOP_UP_AFTER",
    "MOP_UP_BATCH",
    "OFFLINE_CODE_PROVIDER",
    "PUSH_NOT_SENT",
    "RECEIPT_USED",
    "TO_VERIFY",
    "AlreadyPaid",
    "CardPaymentsOff",
    "CodeCheck",
    "HeldPaymentOpen",
    "NothingToPay",
    "PaymentInProgress",
    "PushNotSent",
    "WrongPaybill",
    "amount_parse",
    "c2b_confirmation_receive",
    "c2b_urls",
    "c2b_validation_check",
    "callback_url",
    "card_page_url",
    "card_payments_mop_up",
    "card_return_url",
    "card_statement",
    "card_status_settle",
    "invoice_for_application",
    "invoice_raise",
    "mpesa_callback_receive",
    "official_fee_checked",
    "payment_cash_record",
    "payment_mpesa_code_record",
    "payment_mpesa_code_verify",
    "payment_query_settle",
    "payment_start",
    "payment_synced",
    "payments_from_kit",
    "payments_mop_up",
    "pesapal_ipn_receive",
    "secret_hash",
    "stk_callback_key",
]

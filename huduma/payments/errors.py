"""The payments' refusals, each a DomainError the API and the pages turn into a 4xx
(or a 503) naming the field."""

from huduma.core.errors import Conflict, DomainError


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


class CardPaymentsOff(DomainError):
    code = "card_payments_off"


class WrongPaybill(DomainError):
    code = "wrong_paybill"

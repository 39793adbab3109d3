from django.utils.translation import gettext_lazy as _

from huduma.core.approvals import SameOfficer  # the one maker-checker rule
from huduma.core.errors import Conflict, DomainError, NotFound


class UnknownReceipt(NotFound):
    code = "unknown_receipt"


class RefundTooLarge(Conflict):
    code = "refund_exceeds_remaining"


class RefundNotPending(Conflict):
    code = "refund_not_pending"


class BadStatement(DomainError):
    code = "bad_statement"


__all__ = [
    "BadStatement",
    "RefundNotPending",
    "RefundTooLarge",
    "SameOfficer",
    "UnknownReceipt",
    "_",
]

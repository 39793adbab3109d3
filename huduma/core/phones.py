"""Phone numbers: parsed with Google's libphonenumber, stored in E.164, masked in logs.

What a citizen may type is deliberately narrow, so that nothing is silently reshaped: groups
of ASCII digits 0-9, separated by single spaces, hyphens or dots, with an optional leading "+".
So "0712 345 678", "0712-345-678", "0712.345.678", "+254 712 345 678", "254712345678" and
"712345678" are accepted; an extension ("ext 12", "x12"), brackets, letters, two separators in
a row, other-script or fullwidth digits and invisible format characters (such as the
right-to-left override U+202E) are refused with a message, not stripped.
"""

import re

import phonenumbers
from django.utils.translation import gettext as _

from huduma.core.errors import DomainError

MAX_LENGTH = 32
# [0-9], not \d: \d also matches Arabic-Indic, fullwidth and other digits.
_WRITTEN = re.compile(r"\+?[0-9]+(?:[ .-][0-9]+)*")
_SEPARATORS = re.compile(r"[ .-]")


class InvalidPhoneNumber(DomainError, ValueError):
    """A number that is not one (a 400 naming the field "phone", like every DomainError): a
    verb lets it pass to the face that shows it; only a caller that answers otherwise (a form
    field, an SMS from a strange sender) catches it."""

    code = "invalid_phone"

    def __init__(self, message: str, *, field: str | None = "phone", status: int | None = None):
        super().__init__(message, field=field, status=status)


def normalise_phone(raw: str, *, region: str = "KE", mobile_only: bool = True) -> str:
    """Return +2547XXXXXXXX for a Kenyan number written as the module docstring allows.

    Foreign numbers are accepted in international form. Raises InvalidPhoneNumber with a
    plain message otherwise.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(_("Enter a phone number"))
    if len(text) > MAX_LENGTH or not _WRITTEN.fullmatch(text):
        raise InvalidPhoneNumber(
            _("Enter a phone number with digits only, like 0712 345 678 or +254 712 345 678")
        )
    digits = _SEPARATORS.sub("", text)
    if not digits.startswith("+") and digits.startswith("254"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(_("Enter a phone number like 0712 345 678")) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(_("Enter a phone number like 0712 345 678"))
    if mobile_only and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidPhoneNumber(_("Enter a mobile number that can receive SMS"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """+254712345678 -> +2547******78, safe to write to logs."""
    if len(e164) < 6:
        return "***"
    return e164[:5] + "*" * (len(e164) - 7) + e164[-2:]

"""Phone numbers: parsed with Google's libphonenumber, stored in E.164, masked in logs."""

import phonenumbers
from django.utils.translation import gettext as _


class InvalidPhoneNumber(ValueError):
    pass


def normalise_phone(raw: str, *, region: str = "KE", mobile_only: bool = True) -> str:
    """Return +2547XXXXXXXX for any common way of writing a Kenyan number.

    Accepts 0712 345 678, 712345678, 254712345678, +254-712-345-678 and foreign numbers in
    international form. Raises InvalidPhoneNumber with a plain message otherwise.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(_("Enter a phone number"))
    if len(text) > 32:
        raise InvalidPhoneNumber(_("Enter a phone number like 0712 345 678"))
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("254"):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
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

"""Money is Decimal Kenya shillings, two places, never float. The one module that reads and
writes an amount: every service, template (`{% load money %}`), SMS and CSV goes through it.

Reading:
- `kes(value)`: an amount from our own code, a column or a provider's exact field (strict:
  digits and one point; refuses floats, NaN, infinities, 1e400 and other scripts' digits).
- `parse_kes(value, field=...)`: an amount a person typed, in English or Swahili habits:
  "1050", "1,050.00", "KES 1,050", "Ksh. 1,050/=", "Sh 1050/-". Anything else is an
  `InvalidAmount` (a DomainError naming the field: a 400 or a form message, never a 500).

Writing (the same in both languages: Kenyan Swahili writes shillings as English does, with
the KES code, comma thousands and a point, so a receipt, its SMS and its page agree):
- `format_kes(amount)`: "KES 1,050.00" (receipts, SMS, pages: the `kes` filter).
- `format_amount(amount)`: "1,050.00" (a table column headed "(KES)", a translated sentence
  that spells "KES %(amount)s": the `amount` filter).
- `csv_amount(amount)`: "1050.00" (CSV: a number a spreadsheet reads, no grouping).
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from huduma.core.errors import DomainError

CENTS = Decimal("0.01")


MAX_KES = Decimal("99999999999999.99")


class InvalidAmount(DomainError):
    code = "invalid_amount"


def kes(value: object) -> Decimal:
    """Parse a KES amount; refuses floats, NaN and infinities."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    text = str(value)
    # Decimal() reads other scripts' digits ("٣") too; an amount is ASCII, or not an amount.
    if not text.isascii() or len(text) > 40:
        raise ValueError(f"not an amount: {text[:40]!r}")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    # The columns hold 16 digits, 2 after the point; 1e400 would not even quantize.
    if not amount.is_finite() or abs(amount) > MAX_KES:
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


# What a person types: whole shillings with or without comma thousands, up to two decimals,
# with the currency written before ("KES", "Ksh", "Kshs", "Sh", "Shs", a dot or not) and the
# Kenyan "/=" or "/-" after. No sign, no exponent, no spaces inside the number.
_TYPED = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,14})(?:\.[0-9]{1,2})?")
_CURRENCY = re.compile(r"^(?:kes|kshs?|shs?)\.?\s*", re.IGNORECASE)
_DASH = re.compile(r"\s*/[=-]$")


def parse_kes(
    value: object,
    *,
    field: str = "amount",
    positive: bool = True,
    whole_digits: int = 14,
    message: str | None = None,
) -> Decimal:
    """An amount typed or sent by a person, as Decimal shillings. `positive` refuses zero;
    `whole_digits` is what the column holds before the point (a DecimalField's max_digits - 2),
    so an amount too big for it is refused here, not by the database. `message` replaces the
    default wording of a refusal (not of the zero one)."""
    if isinstance(value, float | bool) or not isinstance(value, str | int | Decimal):
        raise InvalidAmount(
            message or _('The amount must be a number of shillings, such as "100.00".'), field=field
        )
    text = str(value).strip()[:40]
    text = _DASH.sub("", _CURRENCY.sub("", text)).strip()
    if not _TYPED.fullmatch(text):
        raise InvalidAmount(
            message or _('The amount must be a number of shillings, such as "100.00".'), field=field
        )
    try:
        amount = kes(text.replace(",", ""))
        if amount >= 10**whole_digits:
            raise ValueError(text)
    except ValueError as exc:  # beyond what the column holds
        raise InvalidAmount(
            message or _('The amount must be a number of shillings, such as "100.00".'), field=field
        ) from exc
    if positive and amount <= 0:
        raise InvalidAmount(_("The amount must be more than zero."), field=field)
    return amount


def format_amount(amount) -> str:
    """1,050.00: the figure alone, for a column headed "(KES)" or a sentence that spells KES."""
    return f"{kes(amount):,.2f}"


def format_kes(amount) -> str:
    """KES 1,050.00 - the form printed on charters, receipts, pages and SMS, in both languages."""
    return f"KES {format_amount(amount)}"


def csv_amount(amount) -> str:
    """1050.00: an amount in a CSV file, which a spreadsheet reads as a number."""
    return str(kes(amount))

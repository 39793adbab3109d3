"""Money is Decimal Kenya shillings, two places, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENTS = Decimal("0.01")


MAX_KES = Decimal("99999999999999.99")


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


def format_kes(amount: Decimal) -> str:
    """KES 1,050.00 - the form printed on charters and receipts."""
    return f"KES {kes(amount):,.2f}"

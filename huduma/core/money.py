"""Money is Decimal Kenya shillings, two places, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENTS = Decimal("0.01")


def kes(value: object) -> Decimal:
    """Parse a KES amount; refuses floats, NaN and infinities."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


def format_kes(amount: Decimal) -> str:
    """KES 1,050.00 - the form printed on charters and receipts."""
    return f"KES {kes(amount):,.2f}"

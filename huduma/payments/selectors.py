"""Reads of payments shared by other faces."""

from huduma.payments.models import Payment


def payments_for_phone(phone: str, *, limit: int = 20) -> list[Payment]:
    """The payments made from this phone number, newest first (the contact centre reads them
    during a call with that number)."""
    if not phone:
        return []
    return list(
        Payment.objects.filter(phone=phone)
        .select_related("invoice__service")
        .order_by("-started_at")[:limit]
    )

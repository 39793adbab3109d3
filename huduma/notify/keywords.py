"""Inbound SMS keywords: each app registers what it answers ("COMPLAINT ...", "MALALAMIKO ...")
at start-up, so the SMS endpoint routes a message without importing every app."""

from collections.abc import Callable

SmsHandler = Callable[..., "str | None"]
_handlers: list[SmsHandler] = []


def register_sms_handler(handler: SmsHandler) -> None:
    """`handler(phone=..., text=...)` answers what it did, or None if the SMS is not its own."""
    if handler not in _handlers:
        _handlers.append(handler)


def sms_route(*, phone: str, text: str) -> str | None:
    """Offer an inbound SMS to each registered handler; None if none of them took it."""
    for handler in _handlers:
        outcome = handler(phone=phone, text=text)
        if outcome is not None:
            return outcome
    return None

"""Who holds a ticket. Its QR code and link only let anyone follow it; changing it (leaving the
queue) needs what only its holder has: the browser that joined (its session), or the short
holder code printed on the ticket, which the QR code does not carry."""

import secrets

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from huduma.core.throttle import target_check, target_missed
from huduma.queues import services
from huduma.queues.errors import HolderCodeWrong
from huduma.queues.models import Visit

# Six characters that cannot be misread (no 0/O, 1/I/L): 31**6 ~ 8.9e8, with five wrong tries
# per ticket whatever the address.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
WRONG_TRIES = 5
WRONG_WINDOW_S = 3600
SESSION_KEY = "huduma_held_visits"
HELD_MAX = 10


def visit_holder_code(visit: Visit) -> str:
    """Derived from the ticket's id with the server's secret: nothing stored, nothing to leak,
    and not computable from the link."""
    number = int.from_bytes(salted_hmac("huduma.queues.holder", str(visit.pk)).digest()[:8])
    chars = []
    for _i in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def hold(request, visit: Visit) -> None:
    """The browser that joined the queue holds the ticket."""
    held = [v for v in request.session.get(SESSION_KEY, []) if v != str(visit.pk)]
    request.session[SESSION_KEY] = [*held, str(visit.pk)][-HELD_MAX:]


def holds(request, visit: Visit) -> bool:
    return str(visit.pk) in request.session.get(SESSION_KEY, [])


def visit_cancel_by_holder(*, visit: Visit, code: str) -> Visit:
    """Cancel with the holder code from the ticket; a few wrong codes per ticket, whatever
    the address, and the ticket stops answering."""
    target_check(
        "visit-holder",
        str(visit.pk),
        limit=WRONG_TRIES,
        message=_("Too many wrong codes for this ticket. Ask at reception."),
        field="code",
    )
    typed = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if not typed:
        raise HolderCodeWrong(_("Enter the code printed on your ticket"), field="code")
    if not secrets.compare_digest(typed, visit_holder_code(visit)):
        target_missed("visit-holder", str(visit.pk), window_s=WRONG_WINDOW_S)
        raise HolderCodeWrong(_("That is not the code printed on this ticket"), field="code")
    return services.visit_cancel(visit=visit)

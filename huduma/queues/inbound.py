"""The SMS channel of the queue: "JOIN <centre> <service>" (or "FOLENI ...") by SMS."""

from huduma.catalogue.models import Service
from huduma.core.errors import DomainError
from huduma.core.phones import InvalidPhoneNumber
from huduma.notify.keywords import sms_route
from huduma.notify.models import InboundWebhook
from huduma.notify.services import sms_send, webhook_once
from huduma.places.models import Centre
from huduma.queues.models import IssueChannel
from huduma.queues.services import visit_issue


def sms_inbound(*, provider: str, provider_id: str, phone: str, text: str, to: str = "") -> dict:
    """An incoming SMS, acted on once per provider message id: a provider retrying the
    callback (even several times at once) gets the first answer back, not another ticket."""
    return webhook_once(
        provider=provider,
        kind=InboundWebhook.Kind.SMS,
        provider_id=provider_id,
        payload={"from": phone, "to": to, "text": text},
        # Keywords other apps registered ("COMPLAINT ...") first; anything else is the queue's.
        handle=lambda: {
            "reply": sms_route(phone=phone, text=text) or sms_join(phone=phone, text=text)
        },
    )


def sms_join(*, phone: str, text: str) -> str:
    """Handle "JOIN <centre> <service>" / "FOLENI <centre> <service>" from an SMS.

    On success the ticket SMS goes out as for any virtual ticket; on a mistake the sender gets
    the instructions (in Swahili if they wrote FOLENI). Returns what was done, for the log.
    Both SMS are written in the caller's transaction.
    """
    words = text.strip().split()
    language = "sw" if words and words[0].upper() == "FOLENI" else "en"
    if len(words) == 3 and words[0].upper() in ("JOIN", "FOLENI"):
        centre = Centre.objects.filter(code__iexact=words[1]).first()
        service = Service.objects.filter(code__iexact=words[2]).first()
        if centre is not None and service is not None:
            try:
                visit = visit_issue(
                    centre=centre,
                    services=[service],
                    channel=IssueChannel.SMS,
                    requirements_confirmed=False,
                    phone=phone,
                    language=language,
                )
            except (DomainError, InvalidPhoneNumber):
                pass
            else:
                return f"issued {visit.number}"
    try:
        sms_send(to=phone, template="sms_join_help", context={}, language=language)
    except InvalidPhoneNumber:
        return "ignored: bad sender number"
    return "sent instructions"

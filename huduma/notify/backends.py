"""SMS backends: where a message actually goes. Chosen by settings.SMS_BACKEND."""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from huduma.core.phones import mask_phone
from huduma.core.text import redact_links

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The provider did not take the message. `permanent` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Receipt:
    provider: str
    message_id: str = ""


class ConsoleBackend:
    name = "console"

    def send_sms(self, to: str, body: str) -> Receipt:
        # The demo prints the text but masks the number: phones never go to logs in full.
        print(f"[SMS to {mask_phone(to)}] {body}")
        return Receipt(self.name)


class MemoryBackend:
    """Keeps messages in a list for tests; `fail_next` makes the next N sends fail."""

    name = "memory"
    outbox: list[tuple[str, str]] = []
    fail_next = 0

    def send_sms(self, to: str, body: str) -> Receipt:
        if MemoryBackend.fail_next > 0:
            MemoryBackend.fail_next -= 1
            raise DeliveryError("provider unavailable (simulated)")
        MemoryBackend.outbox.append((to, body))
        return Receipt(self.name, f"mem-{len(MemoryBackend.outbox)}")


class FileBackend:
    """Appends one JSON line per message to SMS_OUTBOX_FILE (for demos without a provider)."""

    name = "file"

    def send_sms(self, to: str, body: str) -> Receipt:
        with open(settings.SMS_OUTBOX_FILE, "a", encoding="utf-8") as fh:
            # The file is a log beside the outbox, not the citizen's phone: no keys in it.
            fh.write(json.dumps({"to": to, "body": redact_links(body)}) + "\n")
        return Receipt(self.name)


# Africa's Talking recipient status codes that retrying cannot fix.
_AT_PERMANENT = {403: "InvalidPhoneNumber", 404: "UnsupportedNumberType", 406: "UserInBlacklist"}
_AT_ACCEPTED = {100, 101, 102}  # Processed, Sent, Queued


class AfricasTalkingBackend:
    """Africa's Talking bulk SMS API (POST /version1/messaging, form-encoded, apiKey header)."""

    name = "africastalking"
    timeout_seconds = 10

    def url(self) -> str:
        host = (
            "api.sandbox.africastalking.com"
            if settings.AFRICASTALKING_SANDBOX
            else ("api.africastalking.com")
        )
        return f"https://{host}/version1/messaging"

    def send_sms(self, to: str, body: str) -> Receipt:
        form = {"username": settings.AFRICASTALKING_USERNAME, "to": to, "message": body}
        if settings.AFRICASTALKING_SENDER_ID:
            form["from"] = settings.AFRICASTALKING_SENDER_ID
        request = urllib.request.Request(  # noqa: S310 - fixed https URL
            self.url(),
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "apiKey": settings.AFRICASTALKING_API_KEY,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                payload = json.loads(response.read().decode())
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code}", permanent=exc.code in (400, 401)) from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise DeliveryError(f"network: {exc.__class__.__name__}") from exc
        return parse_africastalking_response(payload)


def parse_africastalking_response(payload: dict) -> Receipt:
    recipients = (payload.get("SMSMessageData") or {}).get("Recipients") or []
    if not recipients:
        message = (payload.get("SMSMessageData") or {}).get("Message", "no recipients")
        raise DeliveryError(f"rejected: {message}"[:300])
    first = recipients[0]
    code = int(first.get("statusCode", 0))
    if code in _AT_ACCEPTED:
        return Receipt(AfricasTalkingBackend.name, str(first.get("messageId", "")))
    raise DeliveryError(
        f"{code} {first.get('status', '')}".strip(), permanent=code in _AT_PERMANENT
    )


BACKENDS = {
    "console": ConsoleBackend,
    "memory": MemoryBackend,
    "file": FileBackend,
    "africastalking": AfricasTalkingBackend,
}


def get_sms_backend():
    try:
        return BACKENDS[settings.SMS_BACKEND]()
    except KeyError as exc:
        raise ValueError(f"unknown SMS_BACKEND {settings.SMS_BACKEND!r}") from exc

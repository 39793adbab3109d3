"""The assistant by SMS: "ULIZA <question>" / "ASK <question>" to the inbound number, answered
in one or two SMS; "ASK YES" / "ULIZA NDIYO" (or NO / HAPANA) says whether the last answer
helped. Rate-limited per phone number."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from huduma.channels.assistant import services
from huduma.channels.assistant.models import AssistantAnswer
from huduma.core.errors import DomainError
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.core.text import shorten
from huduma.core.throttle import hit
from huduma.notify.services import sms_send
from huduma.notify.templates_text import SMS_TEMPLATES

KEYWORDS = {"ULIZA": "sw", "ASK": "en"}
YES = {"YES", "NDIYO", "NDIO"}
NO = {"NO", "HAPANA"}
# Two SMS of 153 GSM characters each (a long SMS loses 7 per part to its header).
SMS_LIMIT = 2 * 153
# Per phone number: this many questions an hour; beyond, nothing is sent (an SMS costs money).
SMS_PER_HOUR = 10
WINDOW_S = 3600

ASSISTANT_SMS_TEMPLATES = {
    # The answer is already written in the asker's language by the assistant.
    "assistant_answer": "%(answer)s",
}


def register_templates() -> None:
    SMS_TEMPLATES.update(ASSISTANT_SMS_TEMPLATES)


def sms_reply_text(answer, *, language: str) -> str:
    """The answer, its source and "Did this help?", cut on a word so that it all fits in
    two SMS (the source and the question are never cut)."""
    with translation.override(language):
        tail = " " + _("Did this help? Send ASK YES or ASK NO.")
        source = ""
        if answer.source_url:
            source = " " + _("Source: %(url)s") % {"url": settings.PUBLIC_URL + answer.source_url}
    # notify marks every SMS of a declared payments sandbox "SANDBOX: " (room kept for it).
    prefix = "SANDBOX: " if settings.PAYMENTS_SANDBOX else ""
    room = SMS_LIMIT - len(prefix) - len(source) - len(tail)
    return shorten(answer.text, room) + source + tail


def answer_from_sms(*, phone: str, text: str) -> str | None:
    """The inbound SMS handler (see notify.keywords): None when the SMS is not ours."""
    words = (text or "").strip().split(maxsplit=1)
    if not words or words[0].upper() not in KEYWORDS:
        return None
    language = KEYWORDS[words[0].upper()]
    rest = words[1].strip() if len(words) > 1 else ""
    try:
        phone = normalise_phone(phone)
    except InvalidPhoneNumber:
        return "ignored: bad sender number"
    digest = services.sender_digest(phone)
    if not hit(f"assistant-sms:{digest}", limit=SMS_PER_HOUR, window_s=WINDOW_S):
        return "ignored: too many questions from this number"
    if rest.upper() in YES | NO:
        recorded = services.feedback_from_sms(phone=phone, helpful=rest.upper() in YES)
        return "recorded feedback" if recorded else "ignored: no answer to rate"
    try:
        answer, _record = services.ask(
            text=rest, channel=AssistantAnswer.Channel.SMS, default_language=language, phone=phone
        )
    except DomainError:
        with translation.override(language):
            help_text = _("Huduma: send ASK and your question, e.g. ASK how much is a KRA PIN?")
        sms_send(
            to=phone, template="assistant_answer", context={"answer": help_text}, language=language
        )
        return "sent assistant instructions"
    body = sms_reply_text(answer, language=answer.language)
    sms_send(
        to=phone,
        template="assistant_answer",
        context={"answer": body},
        language=answer.language,
    )
    return "refused: outside what it knows" if answer.refused else f"answered {answer.intent}"

"""The assistant's verbs: answer a question (and keep a minimised record of the answer),
record whether it helped, and forget what is past its retention."""

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from huduma.channels.assistant.models import QUESTION_MAX, AssistantAnswer
from huduma.channels.assistant.selectors import Answer, answer_question
from huduma.core import clock
from huduma.core.errors import DomainError

QUESTION_INPUT_MAX = 300  # what the form and an SMS may send; more is refused, not cut
QUESTION_MIN_LETTERS = 2
# How long the keyed digest of an SMS sender's number is kept (for "ASK YES" / "ULIZA NDIYO").
SENDER_DIGEST_HOURS = 24
_DIGITS = re.compile(r"\d[\d\s-]{3,}\d")  # an ID, phone, receipt or tracking number
_EMAIL = re.compile(r"\S+@\S+")


def retention_days() -> int:
    return getattr(settings, "ASSISTANT_RETENTION_DAYS", 180)


def question_clean(text: str) -> str:
    """The question as typed, spaces tidied; refused (naming the field) when empty or too
    long."""
    text = " ".join((text or "").split())
    if sum(ch.isalpha() for ch in text) < QUESTION_MIN_LETTERS:
        raise DomainError(_("Type your question"), field="question")
    if len(text) > QUESTION_INPUT_MAX:
        raise DomainError(
            _("Questions must be %(max)s characters or fewer") % {"max": QUESTION_INPUT_MAX},
            field="question",
        )
    return text


def question_minimised(text: str) -> str:
    """What is kept of a question: numbers (ID, phone, receipt) and e-mail addresses masked,
    cut to QUESTION_MAX characters."""
    text = _EMAIL.sub("[email]", text)
    text = _DIGITS.sub("[number]", text)
    return text[:QUESTION_MAX]


def sender_digest(phone: str) -> str:
    """A keyed digest of an SMS sender's number: the same number gives the same digest, but
    the number cannot be read back from it without the server's secret."""
    return salted_hmac("huduma.assistant.sender", phone).hexdigest()


@transaction.atomic
def ask(
    *, text: str, channel: str, default_language: str = "en", phone: str = ""
) -> tuple[Answer, AssistantAnswer]:
    """Answer a citizen's question and record the answer (minimised); raises DomainError
    (field "question") for an empty or over-long question, before anything is written."""
    text = question_clean(text)
    answer = answer_question(text, default_language=default_language)
    record = AssistantAnswer.objects.create(
        created_at=clock.now(),
        channel=channel,
        language=answer.language,
        question=question_minimised(text),
        intent=answer.intent or "",
        service=answer.service,
        refused=answer.refused,
        source_url=answer.source_url[:200],
        sender_digest=sender_digest(phone) if phone else "",
    )
    return answer, record


def feedback_record(*, answer_id, helpful: bool) -> bool:
    """Record "Did this help?" once per answer (a conditional update: a second click, or a
    replayed form, changes nothing). True when this call recorded it."""
    return bool(
        AssistantAnswer.objects.filter(pk=answer_id, helpful__isnull=True).update(
            helpful=helpful, helpful_at=clock.now()
        )
    )


def feedback_from_sms(*, phone: str, helpful: bool) -> bool:
    """ "ASK YES" / "ULIZA NDIYO": the sender's last SMS answer of the past day, if any."""
    since = clock.now() - dt.timedelta(hours=SENDER_DIGEST_HOURS)
    last = (
        AssistantAnswer.objects.filter(
            sender_digest=sender_digest(phone), created_at__gte=since, helpful__isnull=True
        )
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    return last is not None and feedback_record(answer_id=last, helpful=helpful)


def assistant_forget() -> tuple[int, int]:
    """Blank SMS senders' digests after a day and delete answers past their retention;
    returns (digests blanked, answers deleted)."""
    now = clock.now()
    blanked = (
        AssistantAnswer.objects.filter(created_at__lt=now - dt.timedelta(hours=SENDER_DIGEST_HOURS))
        .exclude(sender_digest="")
        .update(sender_digest="")
    )
    deleted, _ = AssistantAnswer.objects.filter(
        created_at__lt=now - dt.timedelta(days=retention_days())
    ).delete()
    return blanked, deleted

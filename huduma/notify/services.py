"""The one way to reach a citizen: queue a message, deliver it with retries, record its fate."""

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation

from huduma.core import clock
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.notify.backends import DeliveryError, get_sms_backend
from huduma.notify.models import Message
from huduma.notify.templates_text import SMS_TEMPLATES

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
STUCK_AFTER = dt.timedelta(minutes=10)


class UnknownTemplate(ValueError):
    pass


def render_template(template: str, context: dict, language: str) -> str:
    if template not in SMS_TEMPLATES:
        raise UnknownTemplate(template)
    with translation.override(language if language in ("en", "sw") else "sw"):
        return str(SMS_TEMPLATES[template]) % context


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: 30 s, 60 s, 2 min, ... capped at one hour."""
    return dt.timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    )


def sms_send(*, to: str, template: str, context: dict, language: str = "sw") -> Message:
    """Queue an SMS to a Kenyan (or international) number; delivery happens in the worker.

    Raises InvalidPhoneNumber or UnknownTemplate before anything is written.
    """
    phone = normalise_phone(to)
    body = render_template(template, context, language)
    message = Message.objects.create(
        channel=Message.Channel.SMS,
        to=phone,
        template=template,
        language=language,
        body=body,
        next_attempt_at=clock.now(),
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def email_send(*, to: str, subject: str, body: str, template: str = "email") -> Message:
    message = Message.objects.create(
        channel=Message.Channel.EMAIL,
        to=to,
        template=template,
        subject=subject,
        body=body,
        next_attempt_at=clock.now(),
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id) -> None:
    from huduma.notify.tasks import deliver_message_task

    try:
        deliver_message_task(str(message_id))
    except Exception:
        # The message is safe in the database; the periodic sweep will deliver it.
        logger.exception("could not enqueue message %s; the sweep will retry it", message_id)


def _claim(message_id) -> bool:
    """Conditional update so two workers never send the same message twice."""
    now = clock.now()
    claimed = Message.objects.filter(
        Q(status__in=[Message.Status.QUEUED, Message.Status.RETRYING], next_attempt_at__lte=now)
        | Q(status=Message.Status.SENDING, next_attempt_at__lte=now - STUCK_AFTER),
        pk=message_id,
    ).update(status=Message.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    return claimed == 1


def message_deliver(message_id) -> Message:
    """Try to hand one message to its provider once; schedule a retry on failure."""
    if not _claim(message_id):
        return Message.objects.get(pk=message_id)
    message = Message.objects.get(pk=message_id)
    try:
        if message.channel == Message.Channel.SMS:
            receipt = get_sms_backend().send_sms(message.to, message.body)
            provider, provider_id = receipt.provider, receipt.message_id
        else:
            send_mail(message.subject, message.body, None, [message.to])
            provider, provider_id = "email", ""
    except (DeliveryError, OSError) as exc:
        permanent = getattr(exc, "permanent", False)
        give_up = permanent or message.attempts >= MAX_ATTEMPTS
        message.status = Message.Status.FAILED if give_up else Message.Status.RETRYING
        message.last_error = str(exc)[:300]
        message.next_attempt_at = clock.now() + retry_delay(message.attempts)
        message.save(update_fields=["status", "last_error", "next_attempt_at"])
        logger.warning(
            "message %s attempt %s failed: %s", message.pk, message.attempts, message.last_error
        )
        if not give_up:
            _schedule_retry(message)
        return message
    message.status = Message.Status.SENT
    message.provider = provider
    message.provider_message_id = provider_id
    message.sent_at = clock.now()
    message.last_error = ""
    message.save(
        update_fields=["status", "provider", "provider_message_id", "sent_at", "last_error"]
    )
    return message


def _schedule_retry(message: Message) -> None:
    from huduma.notify.tasks import deliver_message_task

    try:
        deliver_message_task.schedule((str(message.pk),), eta=message.next_attempt_at)
    except Exception:
        logger.exception("could not schedule retry of message %s", message.pk)


def messages_deliver_due(now: dt.datetime | None = None) -> int:
    """Deliver every message whose turn has come (the sweep behind the scheduled retries)."""
    now = now or clock.now()
    due = Message.objects.filter(
        Q(status__in=[Message.Status.QUEUED, Message.Status.RETRYING], next_attempt_at__lte=now)
        | Q(status=Message.Status.SENDING, next_attempt_at__lte=now - STUCK_AFTER)
    ).values_list("pk", flat=True)[:500]
    count = 0
    for message_id in list(due):
        message_deliver(message_id)
        count += 1
    return count


# Africa's Talking delivery report statuses.
_FINAL_DELIVERED = {"Success"}
_FINAL_FAILED = {"Failed", "Rejected", "AbsentSubscriber", "Expired"}


def delivery_report_record(*, provider_message_id: str, status: str, reason: str = "") -> bool:
    """Record a provider's delivery report; returns False for an unknown message id."""
    message = Message.objects.filter(provider_message_id=provider_message_id).first()
    if message is None or not provider_message_id:
        return False
    if status in _FINAL_DELIVERED:
        message.status = Message.Status.DELIVERED
        message.delivered_at = clock.now()
    elif status in _FINAL_FAILED:
        message.status = Message.Status.FAILED
        message.last_error = f"{status} {reason}".strip()[:300]
    else:
        return True  # Sent, Submitted, Buffered: still on its way
    message.save(update_fields=["status", "delivered_at", "last_error"])
    return True


def sms_send_many(messages: list[tuple[str, str, dict, str]]) -> list[Message]:
    """sms_send for many citizens at once, in one INSERT: for sweeps that tell hundreds.

    Each item is (to, template, context, language). Written in the caller's transaction and
    queued after commit, exactly as sms_send; a number that does not parse is skipped.
    """
    rows = []
    now = clock.now()
    for to, template, context, language in messages:
        try:
            phone = normalise_phone(to)
        except InvalidPhoneNumber:
            continue
        rows.append(
            Message(
                channel=Message.Channel.SMS,
                to=phone,
                template=template,
                language=language,
                body=render_template(template, context, language),
                next_attempt_at=now,
            )
        )
    Message.objects.bulk_create(rows, batch_size=500)
    for message in rows:
        transaction.on_commit(lambda pk=message.pk: _enqueue(pk))
    return rows

"""The one way to reach a citizen: queue a message, deliver it with retries, record its fate."""

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import translation

from huduma.core import clock
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.core.text import redact_links
from huduma.notify import journal
from huduma.notify.backends import DeliveryError, get_sms_backend
from huduma.notify.models import InboundWebhook, Message
from huduma.notify.templates_text import SMS_TEMPLATES

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
# How long a worker holds a message it is sending. It outlasts the provider's timeout (10 s)
# with room to spare, so only a dead worker loses it; the sweep, every minute, then sends the
# message again: at most about a minute and a half after the worker died.
LEASE = dt.timedelta(seconds=30)


SANDBOX_PREFIX = "SANDBOX:"


class UnknownTemplate(ValueError):
    pass


def render_template(template: str, context: dict, language: str) -> str:
    if template not in SMS_TEMPLATES:
        raise UnknownTemplate(template)
    with translation.override(language if language in ("en", "sw") else "sw"):
        body = str(SMS_TEMPLATES[template]) % context
    # A declared payments sandbox says so in every SMS: its receipts and payments are not real.
    return f"{SANDBOX_PREFIX} {body}" if settings.PAYMENTS_SANDBOX else body


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


# The Huey task that delivers one message, registered by notify/tasks.py when it is imported
# (tasks import services; services import no tasks). Until it is, rows wait for the sweep.
_delivery_task = None


def delivery_task_register(task) -> None:
    global _delivery_task
    _delivery_task = task


def _enqueue(message_id) -> None:
    if _delivery_task is None:
        logger.warning("no delivery task registered; message %s waits for the sweep", message_id)
        return
    enqueue_safely(_delivery_task, str(message_id))


def enqueue_safely(task, *args) -> bool:
    """Queue a Huey task after a commit without ever failing the request that caused it.

    Whatever it delivers is already a row in the database: if the broker is away, the
    periodic sweep (every minute) finds the row and does the work."""
    try:
        task(*args)
    except Exception:
        logger.warning("could not queue %s; the sweep will do it", task.name, exc_info=True)
        return False
    return True


def _claim(message_id) -> uuid.UUID | None:
    """Take the message for LEASE with a conditional UPDATE: exactly one worker gets it.

    Due messages are claimed, and so are messages whose sender's lease ran out (the worker
    died while sending). Returns the lease token, or None if someone else has it."""
    now = clock.now()
    token = uuid.uuid4()
    claimed = Message.objects.filter(_due(now), pk=message_id).update(
        status=Message.Status.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + LEASE,
        lease_token=token,
    )
    return token if claimed == 1 else None


def _due(now: dt.datetime) -> Q:
    return Q(
        status__in=[Message.Status.QUEUED, Message.Status.RETRYING, Message.Status.SENDING],
        next_attempt_at__lte=now,
    )


def _record(message: Message, token: uuid.UUID, **fields) -> bool:
    """Write the outcome only while the lease is still ours (a slow worker whose lease ran
    out must not overwrite what the worker that took over recorded)."""
    for name, value in fields.items():
        setattr(message, name, value)
    kept = Message.objects.filter(
        pk=message.pk, status=Message.Status.SENDING, lease_token=token
    ).update(lease_token=None, **fields)
    if not kept:
        logger.warning("message %s: lease lost before its result was recorded", message.pk)
    return kept == 1


def message_deliver(message_id) -> Message:
    """Try to hand one message to its provider once; schedule a retry on failure.

    The provider is called with the lease held; the lease outlasts the provider's timeout,
    so a live worker always records the result before anyone else may claim the message.
    The provider's accept is written to the local journal (notify/journal.py) before the
    database: if the database is cut then, the next attempt records it instead of sending it
    again (Africa's Talking's SMS API takes no idempotency key). Only a worker killed between
    the provider's answer and the journal's fsync can still send one twice.
    """
    if settings.HUDUMA_MODE == "field":
        # A field kit holds its messages: they reach the centre server at sync, which sends.
        return Message.objects.get(pk=message_id)
    token = _claim(message_id)
    if token is None:
        return Message.objects.get(pk=message_id)
    message = Message.objects.get(pk=message_id)
    accepted = journal.accepted_read(message.pk)
    if accepted is not None:
        # The provider took it on an earlier attempt whose result never reached the database.
        _record_sent(message, token, accepted["provider"], accepted["provider_message_id"])
        return message
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
        recorded = _record(
            message,
            token,
            status=Message.Status.FAILED if give_up else Message.Status.RETRYING,
            body=redact_links(message.body) if give_up else message.body,
            last_error=str(exc)[:300],
            next_attempt_at=clock.now() + retry_delay(message.attempts),
        )
        logger.warning(
            "message %s attempt %s failed: %s", message.pk, message.attempts, message.last_error
        )
        if recorded and not give_up:
            _schedule_retry(message)
        return message
    # On disk before anything else can fail: a database cut now must not send it twice.
    journal.accepted_write(message.pk, provider=provider, provider_message_id=provider_id)
    _record_sent(message, token, provider, provider_id)
    return message


def _record_sent(message: Message, token: uuid.UUID, provider: str, provider_id: str) -> None:
    _record(
        message,
        token,
        # A link in a text is a key (a rating link, a survey): once the citizen has it, the
        # outbox keeps only that there was one.
        body=redact_links(message.body),
        status=Message.Status.SENT,
        provider=provider,
        provider_message_id=provider_id,
        sent_at=clock.now(),
        last_error="",
    )
    journal.accepted_forget(message.pk)  # the database has it (or a newer lease holder does)


def _schedule_retry(message: Message) -> None:
    if _delivery_task is None:
        return  # the sweep (messages_deliver_due) retries it when its time comes
    try:
        _delivery_task.schedule((str(message.pk),), eta=message.next_attempt_at)
    except Exception:
        logger.warning("could not schedule retry of message %s", message.pk, exc_info=True)


def messages_deliver_due(now: dt.datetime | None = None) -> int:
    """Deliver every message whose turn has come (the sweep behind the scheduled retries)."""
    if settings.HUDUMA_MODE == "field":
        return 0  # held until sync (see message_deliver)
    now = now or clock.now()
    due = (
        Message.objects.filter(_due(now)).order_by("next_attempt_at").values_list("pk", flat=True)
    )[:500]
    count = 0
    for message_id in list(due):
        message_deliver(message_id)
        count += 1
    return count


def webhook_once(
    *, provider: str, kind: str, provider_id: str, payload: dict, handle: Callable[[], dict]
) -> dict:
    """Act on a provider's callback once, however often (or however concurrently) it comes.

    The callback is stored first, keyed by the provider's own id, in the transaction that
    acts on it (`handle`, which returns the outcome to store and answer). A repeat finds the
    stored row and gets the stored outcome. A concurrent repeat's insert waits on the unique
    index until the first commits (PostgreSQL), or on the write lock (SQLite), then finds it.
    If `handle` fails, nothing is stored and the provider's retry acts afresh.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                hook = InboundWebhook.objects.create(
                    provider=provider, kind=kind, provider_id=provider_id, payload=payload
                )
        except IntegrityError:
            return (
                InboundWebhook.objects.filter(provider=provider, kind=kind, provider_id=provider_id)
                .values_list("outcome", flat=True)
                .get()
            )
        hook.outcome = handle()
        hook.save(update_fields=["outcome"])
        return hook.outcome


def webhook_outcome_set(*, provider: str, kind: str, provider_id: str, outcome: dict) -> None:
    """Record what a stored callback finally led to, when acting on it needed a step outside
    its transaction (a payment callback is confirmed by asking the provider)."""
    InboundWebhook.objects.filter(provider=provider, kind=kind, provider_id=provider_id).update(
        outcome=outcome
    )


def webhook_payloads(*, provider: str, kind: str, id_prefix: str) -> list[dict]:
    """The stored bodies of a provider's callbacks whose id starts with `id_prefix`, oldest
    first (a payment's callbacks, to read what they said once the provider confirmed it)."""
    return list(
        InboundWebhook.objects.filter(
            provider=provider, kind=kind, provider_id__startswith=id_prefix
        )
        .order_by("received_at", "id")
        .values_list("payload", flat=True)
    )


# Africa's Talking delivery report statuses.
_FINAL_DELIVERED = {"Success"}
_FINAL_FAILED = {"Failed", "Rejected", "AbsentSubscriber", "Expired"}


def delivery_report_receive(
    *, provider: str, provider_message_id: str, status: str, reason: str = ""
) -> dict:
    """A delivery report from the provider, acted on once per (message id, status): the
    provider sends several reports per message (Sent, Buffered, Success...)."""
    return webhook_once(
        provider=provider,
        kind=InboundWebhook.Kind.DELIVERY_REPORT,
        provider_id=f"{provider_message_id}:{status}",
        payload={"id": provider_message_id, "status": status, "failureReason": reason},
        handle=lambda: {
            "recorded": delivery_report_record(
                provider_message_id=provider_message_id, status=status, reason=reason
            )
        },
    )


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

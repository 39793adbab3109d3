"""What a field kit may write of messages: a record of an SMS the kit queued, from a known
template, kept for the record and never sent as the kit wrote it. The server renders and sends
its own messages from the records it syncs (each owning app's `arrived` hook), with its own
public address: a kit cannot make the server send any text."""

from django.db.models import Q

from huduma.core.kit_rules import KitRefused, KitWrite, instances, register
from huduma.notify.models import Message
from huduma.notify.templates_text import SMS_TEMPLATES

NOT_SENT = "held on a field kit: the server sends its own from the synced records"


def _message(write: KitWrite) -> None:
    if not write.creating:
        raise KitRefused("message: a kit cannot change a message")
    values = write.values
    if values["channel"] != Message.Channel.SMS or values["template"] not in SMS_TEMPLATES:
        raise KitRefused(
            "message: a kit cannot write its own SMS text; the server renders messages "
            "from the records it syncs"
        )


def _arrived(ids: list) -> None:
    Message.objects.filter(pk__in=ids).filter(~Q(status=Message.Status.FAILED)).update(
        status=Message.Status.FAILED, last_error=NOT_SENT
    )


def messages_from_kit(writes: list[KitWrite]) -> None:
    """Kept for the record, as not sent: the server sends its own (see `_arrived`)."""
    Message._base_manager.bulk_create(instances(Message, writes))


def register_rules() -> None:
    register("notify.Message", _message, create=messages_from_kit, arrived=_arrived)

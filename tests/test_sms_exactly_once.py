"""SMS delivery exactly once across a database cut: the provider's accept is on local disk
(huduma/notify/journal.py) before the database is written, so a cut at that moment makes the
next attempt record the message as sent instead of sending it again."""

import pytest
from django.db import OperationalError

from huduma.notify import services as notify
from huduma.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal_dir(settings, tmp_path):
    settings.SMS_SENT_JOURNAL_DIR = str(tmp_path)
    return tmp_path


def test_a_database_cut_after_the_provider_accepted_does_not_send_twice(
    clock, _memory_sms, journal_dir, monkeypatch
):
    message = notify.sms_send(to="0712345678", template="test", context={})
    real_record = notify._record

    def database_cut(message, token, **fields):
        if fields.get("status") == Message.Status.SENT:
            raise OperationalError("server closed the connection unexpectedly")
        return real_record(message, token, **fields)

    monkeypatch.setattr(notify, "_record", database_cut)
    with pytest.raises(OperationalError):
        notify.message_deliver(message.pk)
    assert len(_memory_sms.outbox) == 1  # the provider has it; the database does not know

    monkeypatch.setattr(notify, "_record", real_record)  # the database is back
    clock.advance(seconds=35)  # the dead attempt's lease has run out: the sweep takes it
    notify.messages_deliver_due()
    notify.messages_deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_message_id == "mem-1"  # the first (only) send's id
    assert len(_memory_sms.outbox) == 1
    assert list(journal_dir.iterdir()) == []  # forgotten once the database has it


def test_a_recorded_send_leaves_nothing_in_the_journal(clock, _memory_sms, journal_dir):
    message = notify.sms_send(to="0712345678", template="test", context={})
    notify.message_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and len(_memory_sms.outbox) == 1
    assert list(journal_dir.iterdir()) == []


def test_a_refused_send_is_not_journalled_and_is_retried(clock, _memory_sms, journal_dir):
    _memory_sms.fail_next = 1
    message = notify.sms_send(to="0712345678", template="test", context={})
    notify.message_deliver(message.pk)
    assert list(journal_dir.iterdir()) == [] and _memory_sms.outbox == []
    clock.advance(seconds=31)
    notify.messages_deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and len(_memory_sms.outbox) == 1

"""Provider callbacks are stored first and acted on once per provider message id: a retried
inbound SMS gives one ticket, a repeated delivery report changes nothing."""

import threading

import pytest
from django.db import connections
from django.test import Client

from huduma.notify import services as notify
from huduma.notify.models import InboundWebhook, Message
from huduma.queues.models import Visit
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db

INBOUND = "/api/queues/sms/inbound?token=test-callback-token"
REPORTS = "/api/notify/delivery-reports/africastalking?token=test-callback-token"


def _inbound(client, message_id="ATXid_100", text="JOIN gpo-nairobi kra-pin"):
    # The fields Africa's Talking posts for an incoming message.
    return client.post(
        INBOUND,
        {
            "id": message_id,
            "from": "+254712345678",
            "to": "22384",
            "text": text,
            "date": "2026-11-24 09:00:00",
            "linkId": "",
        },
    )


def test_a_retried_inbound_sms_gives_one_ticket_and_the_same_answer(client, world, clock):
    first = _inbound(client)
    again = _inbound(client)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"reply": "issued C001"}
    assert Visit.objects.count() == 1
    assert Message.objects.filter(to="+254712345678").count() == 1  # one reply SMS
    hook = InboundWebhook.objects.get()
    assert (hook.provider, hook.kind, hook.provider_id) == ("africastalking", "sms", "ATXid_100")
    assert hook.outcome == {"reply": "issued C001"}


def test_another_inbound_sms_is_acted_on(client, world, clock):
    _inbound(client, "ATXid_100")
    assert _inbound(client, "ATXid_101").json() == {"reply": "issued C002"}
    assert Visit.objects.count() == 2


def test_an_inbound_sms_without_the_providers_id_is_refused(client, world, clock):
    response = client.post(INBOUND, {"from": "+254712345678", "text": "JOIN gpo-nairobi kra-pin"})
    assert response.status_code == 422
    assert "id" in response.content.decode()
    empty = _inbound(client, message_id="")
    assert empty.status_code == 422
    assert Visit.objects.count() == 0 and InboundWebhook.objects.count() == 0


def test_a_repeated_delivery_report_is_recorded_once(client, _memory_sms):
    message = notify.sms_send(to="0712345678", template="test", context={})
    notify.message_deliver(message.pk)
    Message.objects.filter(pk=message.pk).update(provider_message_id="ATXid_9")
    report = {"id": "ATXid_9", "status": "Success", "phoneNumber": "+254712345678"}
    assert client.post(REPORTS, report).json() == {"recorded": True}
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)
    assert client.post(REPORTS, report).json() == {"recorded": True}  # the stored answer
    message.refresh_from_db()
    assert message.status == Message.Status.SENT  # not acted on a second time
    # A later status of the same message is another report.
    failed = {**report, "status": "Failed", "failureReason": "DeliveryFailure"}
    assert client.post(REPORTS, failed).json() == {"recorded": True}
    assert InboundWebhook.objects.filter(kind="dlr").count() == 2


def test_a_delivery_report_without_an_id_is_refused(client):
    assert client.post(REPORTS, {"status": "Success"}).status_code == 422
    assert client.post(REPORTS, {"id": "", "status": "Success"}).status_code == 422


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_inbound_sms_delivered_four_times_at_once_gives_one_ticket(world):
    require_postgres()
    start = threading.Barrier(4)
    answers, errors = [], []

    def deliver():
        try:
            start.wait()
            response = _inbound(Client())
            answers.append((response.status_code, response.json()))
        except Exception as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(answers) == 4
    assert {status for status, _ in answers} == {200}
    assert len({str(body) for _, body in answers}) == 1  # the same answer to every copy
    assert Visit.objects.count() == 1
    assert Message.objects.filter(to="+254712345678").count() == 1  # one reply SMS
    assert InboundWebhook.objects.count() == 1

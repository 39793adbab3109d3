"""The notification gateway: validated numbers, languages, retries and delivery status."""

import datetime as dt

import pytest

from huduma.core.phones import InvalidPhoneNumber, mask_phone, normalise_phone
from huduma.notify import services
from huduma.notify.backends import DeliveryError, parse_africastalking_response
from huduma.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw", ["0712345678", "0712 345 678", "712345678", "254712345678", "+254 712-345-678"]
)
def test_kenyan_numbers_are_normalised_to_e164(raw):
    assert normalise_phone(raw) == "+254712345678"


@pytest.mark.parametrize("raw", ["", "12345", "0712", "not a phone", "0" * 40, "020 123 4567"])
def test_bad_numbers_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw)


def test_masked_numbers_hide_the_middle():
    assert mask_phone("+254712345678") == "+2547******78"


def test_sms_is_sent_in_the_citizens_language(django_capture_on_commit_callbacks, _memory_sms):
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_send(to="0712345678", template="test", context={}, language="sw")
        services.sms_send(to="0722000111", template="test", context={}, language="en")
    bodies = dict(_memory_sms.outbox)
    assert bodies["+254712345678"] == "Huduma: huu ni ujumbe wa majaribio."
    assert bodies["+254722000111"] == "Huduma: this is a test message."
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_sms_survives_three_provider_failures(django_capture_on_commit_callbacks, _memory_sms):
    _memory_sms.fail_next = 3
    with django_capture_on_commit_callbacks(execute=True):
        message = services.sms_send(to="0712345678", template="test", context={})
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.RETRYING, 1)
    # Not due yet: the sweep leaves it alone.
    assert services.messages_deliver_due() == 0
    for _ in range(3):
        # Move the retry time into the past, as the clock would.
        Message.objects.filter(pk=message.pk, status=Message.Status.RETRYING).update(
            next_attempt_at=message.created_at
        )
        services.messages_deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 4
    assert message.last_error == ""
    assert _memory_sms.outbox == [("+254712345678", message.body)]


def test_retry_delay_backs_off_exponentially():
    delays = [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 20)]
    assert delays == [30, 60, 120, 240, 3600]


def test_message_is_marked_failed_after_the_last_attempt(
    django_capture_on_commit_callbacks, _memory_sms
):
    _memory_sms.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        message = services.sms_send(to="0712345678", template="test", context={})
    for _ in range(services.MAX_ATTEMPTS):
        Message.objects.filter(pk=message.pk).update(
            next_attempt_at=message.created_at - dt.timedelta(days=1)
        )
        services.messages_deliver_due()
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == services.MAX_ATTEMPTS


def test_invalid_number_writes_nothing():
    with pytest.raises(InvalidPhoneNumber):
        services.sms_send(to="12", template="test", context={})
    assert Message.objects.count() == 0


def test_two_workers_never_send_one_message_twice(_memory_sms):
    message = services.sms_send(to="0712345678", template="test", context={})
    services.message_deliver(message.pk)
    services.message_deliver(message.pk)
    assert len(_memory_sms.outbox) == 1


def test_africastalking_success_and_permanent_failure_are_told_apart():
    ok = {
        "SMSMessageData": {
            "Recipients": [
                {
                    "statusCode": 101,
                    "number": "+254712345678",
                    "status": "Success",
                    "messageId": "ATX1",
                }
            ]
        }
    }
    assert parse_africastalking_response(ok).message_id == "ATX1"
    bad = {"SMSMessageData": {"Recipients": [{"statusCode": 403, "status": "InvalidPhoneNumber"}]}}
    with pytest.raises(DeliveryError) as exc:
        parse_africastalking_response(bad)
    assert exc.value.permanent
    busy = {
        "SMSMessageData": {"Recipients": [{"statusCode": 500, "status": "InternalServerError"}]}
    }
    with pytest.raises(DeliveryError) as exc:
        parse_africastalking_response(busy)
    assert not exc.value.permanent


def test_delivery_report_marks_message_delivered(client, _memory_sms):
    message = services.sms_send(to="0712345678", template="test", context={})
    services.message_deliver(message.pk)
    Message.objects.filter(pk=message.pk).update(provider_message_id="ATXid_9")
    url = "/api/notify/delivery-reports/africastalking?token=test-callback-token"
    response = client.post(
        url, {"id": "ATXid_9", "status": "Success", "phoneNumber": "+254712345678"}
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


def test_delivery_report_with_wrong_token_is_refused(client):
    response = client.post(
        "/api/notify/delivery-reports/africastalking?token=nope", {"id": "x", "status": "Success"}
    )
    assert response.status_code == 403
    assert response.json()["field"] == "token"


def test_email_goes_through_the_same_queue(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.email_send(
            to="centre@example.org", subject="Daily report", body="Served 412 citizens."
        )
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (["centre@example.org"], "Daily report")

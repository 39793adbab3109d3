"""Provider callbacks of the notification gateway."""

from django.conf import settings
from ninja import Form, Router, Schema
from pydantic import Field

from huduma.core.errors import Forbidden
from huduma.core.inputs import tokens_equal
from huduma.notify import services

router = Router(tags=["notify"])


class DeliveryReport(Schema):
    """The fields of Africa's Talking's delivery report we use (it also sends networkCode
    and retryCount)."""

    id: str = Field(..., min_length=1, max_length=100)
    status: str = Field(..., min_length=1, max_length=40)
    phoneNumber: str = Field("", max_length=32)
    failureReason: str = Field("", max_length=300)


@router.post("/delivery-reports/africastalking", summary="Africa's Talking delivery report")
def africastalking_delivery_report(request, token: str, report: Form[DeliveryReport]):
    """Africa's Talking posts delivery reports here; the URL carries a shared secret token."""
    if not tokens_equal(token, settings.NOTIFY_CALLBACK_TOKEN):
        raise Forbidden("Unknown callback token.", field="token")
    return services.delivery_report_receive(
        provider="africastalking",
        provider_message_id=report.id,
        status=report.status,
        reason=report.failureReason,
    )

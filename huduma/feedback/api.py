"""Feedback API for registered devices (`Authorization: Device <token>`)."""

import uuid
from typing import Annotated

from ninja import Router, Schema, Status
from pydantic import Field

from huduma.accounts.api import DeviceAuth
from huduma.accounts.models import Device
from huduma.feedback import selectors, services
from huduma.feedback.limits import check_device_presses
from huduma.feedback.models import Channel

router = Router(tags=["feedback"])
tablet_auth = DeviceAuth(kind=Device.Kind.FEEDBACK_TABLET)


class RatingIn(Schema):
    ticket: uuid.UUID
    score: int = Field(ge=1, le=5)
    reasons: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=10)
    comment: str = Field(default="", max_length=500)
    language: str = Field(default="sw", max_length=2)


class RatingOut(Schema):
    id: uuid.UUID
    ticket: uuid.UUID
    score: int
    channel: str


class TabletTicketOut(Schema):
    ticket: uuid.UUID | None
    number: str | None


@router.get(
    "/tablet",
    response=TabletTicketOut,
    auth=tablet_auth,
    summary="The ticket a tablet should offer",
)
def tablet_ticket(request):
    device = request.auth
    ticket = selectors.tablet_ticket(device.counter)
    return TabletTicketOut(
        ticket=ticket.pk if ticket else None, number=ticket.visit.number if ticket else None
    )


@router.post(
    "/ratings", response={201: RatingOut}, auth=tablet_auth, summary="Rate a ticket from a tablet"
)
def rate(request, body: RatingIn):
    """One rating per ticket; the same tablet repeating the same press gets the same rating."""
    device = request.auth
    check_device_presses(device)
    rating = services.rating_record(
        ticket_id=body.ticket,
        score=body.score,
        channel=Channel.TABLET,
        device=device,
        reasons=body.reasons,
        comment=body.comment,
        language=body.language,
    )
    return Status(
        201,
        RatingOut(
            id=rating.pk, ticket=rating.ticket_id, score=rating.score, channel=rating.channel
        ),
    )

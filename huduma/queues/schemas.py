"""API shapes of the queue system."""

import datetime as dt
import uuid
from typing import Annotated

from ninja import Schema
from pydantic import Field

from huduma.queues.models import Priority

ServiceCode = Annotated[str, Field(min_length=1, max_length=40)]


class TicketOut(Schema):
    id: uuid.UUID
    visit_id: uuid.UUID
    number: str
    service: str
    service_name_en: str
    service_name_sw: str
    position: int
    status: str
    counter: int | None
    recalls: int
    called_at: dt.datetime | None


class VisitOut(Schema):
    id: uuid.UUID
    number: str
    centre: str
    arrived_at: dt.datetime
    priority: str
    # Asked for at a kiosk and not yet confirmed by staff: it does not count until then.
    priority_requested: str
    channel: str
    tickets: list[TicketOut]
    estimate_minutes: int | None = Field(
        description="Minutes until the first waiting ticket is called; null while no counter "
        "serving its service is open (there is then no estimate), 0 when nothing is waiting."
    )
    places_ahead: int | None


class IssueIn(Schema):
    services: list[ServiceCode] = Field(..., min_length=1, max_length=5)
    requirements_confirmed: bool = False
    priority: Priority = Priority.NONE
    phone: str = Field("", max_length=32)
    language: str = Field("sw", pattern="^(en|sw)$")
    channel: str = Field("reception", pattern="^(reception|kiosk|api)$")
    # The citizen asked to be texted when a few places from the front (needs a phone).
    near_front_sms: bool = False


class JoinIn(Schema):
    services: list[ServiceCode] = Field(..., min_length=1, max_length=5)
    phone: str = Field(..., max_length=32)
    requirements_confirmed: bool = False
    language: str = Field("sw", pattern="^(en|sw)$")


class CounterActionIn(Schema):
    counter: int


class TransferIn(Schema):
    service: str | None = Field(None, max_length=40)
    counter: int | None = None


class AddServiceIn(Schema):
    service: str = Field(..., max_length=40)


class CounterSessionOut(Schema):
    counter: int
    officer: str
    status: str
    opened_at: dt.datetime


class CallOut(Schema):
    ticket: TicketOut | None


class EstimateOut(Schema):
    service: str
    waiting: int
    counters_open: int
    minutes: int


class DisplayCall(Schema):
    number: str
    counter: int
    service_en: str
    service_sw: str
    called_at: dt.datetime
    recalls: int


class DisplayOut(Schema):
    centre: str
    calls: list[DisplayCall]


class AppointmentIn(Schema):
    service: str = Field(..., max_length=40)
    slot_start: dt.datetime
    phone: str = Field(..., max_length=32)
    language: str = Field("sw", pattern="^(en|sw)$")


class AppointmentOut(Schema):
    reference: str
    centre: str
    service: str
    slot_start: dt.datetime
    status: str

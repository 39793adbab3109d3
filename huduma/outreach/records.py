"""The records a field kit makes offline and pushes, and their wire form (shared by both ends).

A record travels as {model, id, node_id, node_seq, seq, hash, fields}: `fields` holds every
column but the id (foreign keys by their `<name>_id`), `hash` is the SHA-256 of the canonical
JSON of (model, id, fields), `seq` the kit's sequence number of this change (its change log) and
`node_seq` the kit's sequence number of the record's creation.
"""

import datetime as dt
import decimal
import functools
import hashlib
import json
import uuid
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

# Every model a kit creates offline, by label. All have a UUID primary key, so ids never collide
# between kits and the centre. Kits push in the order of their change log, which follows the
# order of creation: a visit before its tickets, an application before its invoice and payment.
SYNCED_MODELS = (
    "queues.CounterSession",
    "queues.Visit",
    "queues.Ticket",
    "queues.TicketEvent",
    "applications.Application",
    "applications.ApplicationEvent",
    "applications.Referral",
    "payments.Invoice",
    "payments.Payment",
    "feedback.Rating",
    "complaints.Complaint",
    "complaints.ComplaintEvent",
    "notify.Message",
)

# Tables of the apps that a kit writes and never sends, each with the reason (the kit's own
# machinery, outreach's KitState, KitChange..., is listed by the test that walks a kit's tables).
LOCAL_ONLY = {
    "payments.PaymentEvent": (
        "a payment's history as the kit saw it, never evidence: the server writes its own "
        "events as the payment arrives (from_field_kit, with the kit's node and sequence) and "
        "when M-Pesa answers about a code"
    ),
    "queues.DailyCounter": "the kit's ticket numbering (the server's own follows the visits)",
}


@functools.cache
def synced_model(label: str) -> type[models.Model] | None:
    if label not in SYNCED_MODELS:
        return None
    return apps.get_model(label)


def label_of(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _plain(value):
    """A column's value as JSON: full-precision times, Decimal and UUID as text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


@functools.cache
def data_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def record_fields(obj: models.Model) -> dict:
    return {f.attname: _plain(f.value_from_object(obj)) for f in data_fields(type(obj))}


def content_hash(label: str, record_id: str, fields: dict) -> str:
    canonical = json.dumps(
        [label, str(record_id), fields], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def wire(obj: models.Model, seq: int) -> dict:
    label = label_of(type(obj))
    fields = record_fields(obj)
    return {
        "model": label,
        "id": str(obj.pk),
        "node_id": getattr(obj, "node_id", ""),
        "node_seq": getattr(obj, "node_seq", None),
        "seq": seq,
        "hash": content_hash(label, str(obj.pk), fields),
        "fields": fields,
    }


class InvalidRecord(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def python_values(model: type[models.Model], fields: dict) -> dict:
    """The wire fields as Python values of the model's columns, checked one by one: every
    column present, of its type and length, within its choices. Raises InvalidRecord."""
    if not isinstance(fields, dict):
        raise InvalidRecord("fields: not an object")
    expected = {f.attname: f for f in data_fields(model)}
    unknown = set(fields) - set(expected)
    if unknown:
        raise InvalidRecord(f"unknown field: {min(unknown)}"[:200])
    values = {}
    for name, field in expected.items():
        if name not in fields:
            raise InvalidRecord(f"missing field: {name}")
        raw = fields[name]
        if isinstance(field, models.JSONField):
            value = raw
        else:
            try:
                value = field.to_python(raw)
            except (ValidationError, TypeError, ValueError, decimal.InvalidOperation):
                raise InvalidRecord(f"invalid field: {name}") from None
        if value is None:
            if not field.null:
                raise InvalidRecord(f"invalid field: {name} (empty)")
        else:
            if field.max_length and isinstance(value, str) and len(value) > field.max_length:
                raise InvalidRecord(f"invalid field: {name} (too long)")
            if field.choices and not (field.blank and value == ""):
                valid = {str(choice) for choice, _label in field.flatchoices}
                if str(value) not in valid:
                    raise InvalidRecord(f"invalid field: {name} (not a choice)")
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                raise InvalidRecord(f"invalid field: {name} (time without zone)")
        values[name] = value
    return values


@dataclass
class PushedRecord:
    """One change a kit pushed, as the server takes it through a batch: its envelope (checked),
    its fields as Python values once read, its place in the batch, and why it was refused."""

    seq: int
    model: str
    uuid: uuid.UUID
    id: str = ""
    hash: str = ""
    fields: dict = dc_field(default_factory=dict)
    values: dict = dc_field(default_factory=dict)
    n: int = 0
    reason: str = ""
    checked_new: bool = False  # the owning app's rule allowed it as a new record

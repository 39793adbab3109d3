"""The audit log as people read it: of each entry, only the fields that changed, each as
"field: before → after", with money as KES 1,234.00 and times in Nairobi time."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from huduma.core.clock import NAIROBI
from huduma.core.money import format_kes

# Amounts recorded by hand (not a model's field) under these names are money too.
MONEY_KEYS = frozenset({"amount", "debit", "credit", "fee"})
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A domain action may record a reverse relation by its name (an outreach's "services"):
    # not a field of the row, so it is shown by its plain name.
    return None if field.auto_created and not field.concrete else field


def _money(value) -> str:
    try:
        return format_kes(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


def _time(value) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(NAIROBI).strftime("%Y-%m-%d %H:%M:%S")


def _related(field, value, resolve: bool) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return str(value)  # written by hand (a code, a number), not the row's id
    if resolve:
        obj = field.related_model._default_manager.filter(pk=value).first()
        if obj is not None:
            return str(obj)
    return f"#{value}"


def describe(value, field=None, name: str = "", resolve: bool = False) -> str:
    """One recorded value as text: money in one format, times in Nairobi, choices by label."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return ", ".join(describe(v, None, name) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {describe(v, None, k)}" for k, v in value.items())
    if field is not None:
        if getattr(field, "choices", None):
            labels = dict(field.flatchoices)
            if value in labels:
                return str(labels[value])
        if isinstance(field, models.DecimalField):
            return _money(value)
        if isinstance(field, models.BooleanField):
            return _("Yes") if value else _("No")
        if isinstance(field, models.DateTimeField):
            return _time(value)
        if field.is_relation and field.many_to_one:
            return _related(field, value, resolve)
    elif name in MONEY_KEYS or name.endswith("_kes"):
        return _money(value)
    elif name.endswith("_at") or name == "at":
        return _time(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def changes(entry, *, resolve: bool = False) -> list[Change]:
    """The fields an entry changed: every field of a record created or deleted, else only
    those whose value differs. `resolve` names related rows (a query each: detail pages only)."""
    before, after = entry.before, entry.after
    model = _model(entry.object_type)
    if before is not None and after is not None:
        names = [k for k in before if before[k] != after.get(k)]
        names += [k for k in after if k not in before]
    else:
        # A record created or deleted: all of it, less its id (the entry names the object).
        names = [k for k in (after or before or {}) if k != "id"]
    out = []
    for name in names:
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name.replace("_", " ")
        old = describe(before.get(name), field, name, resolve) if before is not None else EMPTY
        new = describe(after.get(name), field, name, resolve) if after is not None else EMPTY
        out.append(Change(field=capfirst(label), before=old, after=new))
    return out

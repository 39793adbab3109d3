"""What a field kit may write, decided and written by the app that owns each table.

A kit reports what happened at its tent; the server decides what it keeps. Outreach's sync asks
this registry about every record a kit pushes (a new one, or a change of one the kit made), and
each owning app registers here, from its AppConfig.ready (a lower module offers the registry,
the apps register into it: no import cycle), for each of its tables:
- its rule, which raises KitRefused with a reason the centre manager reads on the kits page;
- its writer: the app's own verb storing the records a kit made (`create`, all of a batch's new
  records of the table at once) and, where a kit may change its own records, the change
  (`change`). Outreach never writes another app's table itself;
- what the server does as they arrive (`arrived`), such as the SMS it renders and sends itself.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


class KitRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class KitActor:
    """The kit as an actor with its own limits: its centre, its node, the officers it took and
    its ticket letter. `row` gives the values of a record the kit points at (from the same batch
    or the server), `made` whether this kit made it."""

    node_id: str
    centre_id: int
    officer_ids: frozenset
    ticket_prefix: str
    row: Callable[[type[models.Model], Any], dict | None]
    made: Callable[[type[models.Model], Any], bool]


@dataclass(frozen=True)
class KitWrite:
    """One record a kit pushed: its column values, and the server's record when it changes one
    (None when it creates it)."""

    label: str
    values: dict
    current: models.Model | None
    kit: KitActor
    record_id: Any = None

    @property
    def creating(self) -> bool:
        return self.current is None

    def changed(self) -> set[str]:
        """The columns the kit's version changes."""
        if self.current is None:
            return set(self.values)
        return {name for name, value in self.values.items() if getattr(self.current, name) != value}


Rule = Callable[[KitWrite], None]
Create = Callable[[list[KitWrite]], None]
Change = Callable[[KitWrite], None]
Arrived = Callable[[list], None]
_rules: dict[str, Rule] = {}
_create: dict[str, Create] = {}
_change: dict[str, Change] = {}
_arrived: dict[str, Arrived] = {}


def register(
    label: str,
    rule: Rule,
    *,
    create: Create,
    change: Change | None = None,
    arrived: Arrived | None = None,
) -> None:
    """`rule` checks each write. `create(writes)` is the owning app's writer for new records
    its rule allowed (none of them on the server yet; the database's refusal, IntegrityError,
    is the caller's to handle); `change(write)`, for a table whose records a kit may change,
    applies one change its rule allowed. `arrived(ids)`, if given, is the owning app's verb for
    records of this table that a kit's batch has just stored (in the batch's transaction)."""
    _rules[label] = rule
    _create[label] = create
    if change is not None:
        _change[label] = change
    if arrived is not None:
        _arrived[label] = arrived


def instances(model: type[models.Model], writes: list[KitWrite]) -> list[models.Model]:
    """Unsaved instances of the kit's new records, for the owning app's writer."""
    return [model(pk=write.record_id, **write.values) for write in writes]


def create(label: str, writes: list[KitWrite]) -> None:
    """Store new records through their owning app's writer (checked by its rule before)."""
    if writes:
        _create[label](writes)


def change(write: KitWrite) -> None:
    """Apply a kit's change of its own record through the owning app's writer (checked by its
    rule before). Raises KitRefused for a table whose records a kit never changes."""
    writer = _change.get(write.label)
    if writer is None:
        raise KitRefused(f"{write.label}: never changed from a field kit")
    writer(write)


def writers(label: str) -> tuple[Create | None, Change | None]:
    return _create.get(label), _change.get(label)


def arrived(label: str, ids: list) -> None:
    hook = _arrived.get(label)
    if hook is not None and ids:
        hook(ids)


def check(write: KitWrite) -> None:
    """Raise KitRefused unless the owning app allows this write. A table no app has a rule for
    is not writable from a kit."""
    rule = _rules.get(write.label)
    if rule is None:
        raise KitRefused(f"{write.label}: not written from a field kit")
    rule(write)


def registered() -> set[str]:
    return set(_rules)

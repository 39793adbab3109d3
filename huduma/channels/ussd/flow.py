"""The shapes of the USSD menu table: menus, steps, and what an answer leads to.

A Menu is a fixed list of choices, each leading to another node. A Step shows a screen built
from what the journey knows so far (`ctx.data`) and takes one answer; it may act (through the
owning app's verb) and end the session. The table itself is in journeys/__init__.py (each
journey's steps in a module beside it); the engine that walks it, per session, is in services.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise

from huduma.channels.ussd.screens import View


@dataclass
class Ctx:
    phone: str
    language: str
    data: dict
    # A key per session for the verbs that take an idempotency key: a retried END acts once.
    key: str
    # Set by a step that must not leave the caller's number beside what it did (an anonymous
    # report): the engine then forgets the session's phone and inputs.
    forget_phone: bool = False


@dataclass(frozen=True)
class Go:
    """Open another node, with more data for the journey (Back returns to this screen)."""

    node: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    """End the session with this text (an END screen)."""

    text: str


@dataclass(frozen=True)
class Retry:
    """Show the same screen again, with this message above it."""

    error: str


@dataclass(frozen=True)
class Home:
    """Back to the home screen, in `language` when given (the caller switched)."""

    language: str = ""


Outcome = Go | Done | Retry | Home


@dataclass(frozen=True)
class Menu:
    key: str
    title: Promise
    items: tuple[tuple[Promise, str], ...]


@dataclass(frozen=True)
class Step:
    key: str
    journey: str
    show: Callable[[Ctx], View]
    take: Callable[[Ctx, str], Outcome] | None = None
    # Run when the step opens: an outcome instead of the screen (nothing to choose from),
    # or data the screen needs (read once, so the choice made matches the list shown).
    enter: Callable[[Ctx], "Outcome | dict | None"] | None = None


Node = Menu | Step

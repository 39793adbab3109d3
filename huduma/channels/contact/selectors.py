"""Reads of the contact centre: a caller's history (through each app's own selector), the
desk's figures, the waiting calls, counselling notes."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from huduma.applications.selectors import applications_for_phone
from huduma.channels.contact.models import (
    Call,
    CallQueue,
    CallState,
    CounsellingNote,
)
from huduma.complaints.selectors import complaints_for_phone
from huduma.core import clock
from huduma.payments.selectors import payments_for_phone
from huduma.queues.selectors import appointments_for_phone, visits_for_phone

PREVIOUS_CALLS = 20


@dataclass(frozen=True)
class CallerHistory:
    phone: str
    visits: list
    appointments: list
    applications: list
    payments: list
    complaints: list
    previous_calls: list


def caller_history(call: Call) -> CallerHistory:
    """Everything the apps hold for the number calling. Read only through
    services.caller_history_open, which checks the agent is on the call and audits it."""
    phone = call.caller
    return CallerHistory(
        phone=phone,
        visits=visits_for_phone(phone),
        appointments=appointments_for_phone(phone),
        applications=applications_for_phone(phone),
        payments=payments_for_phone(phone),
        complaints=complaints_for_phone(phone),
        previous_calls=list(
            Call.objects.filter(caller=phone, queue=CallQueue.GENERAL)
            .exclude(pk=call.pk)
            .select_related("agent")
            .prefetch_related("actions")
            .order_by("-started_at")[:PREVIOUS_CALLS]
        ),
    )


def counselling_notes(call: Call) -> list[CounsellingNote]:
    """The notes on this caller's counselling calls, oldest first."""
    calls = Call.objects.filter(queue=CallQueue.COUNSELLING)
    calls = calls.filter(caller=call.caller) if call.caller else calls.filter(pk=call.pk)
    return list(
        CounsellingNote.objects.filter(call__in=calls).select_related("author").order_by("at")
    )


def current_call(agent) -> Call | None:
    return (
        Call.objects.filter(agent=agent, state=CallState.ANSWERED).order_by("-answered_at").first()
    )


def calls_to_wrap_up(agent, *, limit: int = 10) -> list[Call]:
    return list(
        Call.objects.filter(agent=agent, state=CallState.ENDED, wrapped_up_at__isnull=True)
        .exclude(outcome="dropped")
        .order_by("-ended_at")[:limit]
    )


def waiting_calls(queue: str = CallQueue.GENERAL, *, limit: int = 50) -> list[Call]:
    return list(
        Call.objects.filter(state=CallState.RINGING, queue=queue).order_by("started_at")[:limit]
    )


@dataclass(frozen=True)
class AgentFigures:
    name: str
    answered: int
    on_call: bool
    average_talk_seconds: int | None


@dataclass(frozen=True)
class DeskFigures:
    day: dt.date
    target_seconds: int
    offered: int
    waiting: int
    answered: int
    answered_within_target: int
    abandoned: int
    agents: list[AgentFigures]

    @property
    def within_target_percent(self) -> int | None:
        return round(100 * self.answered_within_target / self.answered) if self.answered else None


def desk_figures(*, queue: str = CallQueue.GENERAL, day: dt.date | None = None) -> DeskFigures:
    """Today's calls of a queue, counted from the calls' own times (set by their events): one
    rule in Python, the same on PostgreSQL and SQLite."""
    day = day or clock.local_date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=clock.NAIROBI)
    rows = Call.objects.filter(
        queue=queue, started_at__gte=start, started_at__lt=start + dt.timedelta(days=1)
    ).values_list("state", "started_at", "answered_at", "ended_at", "agent_id")
    target = dt.timedelta(seconds=settings.CONTACT_ANSWER_TARGET_SECONDS)
    waiting = answered = within = abandoned = 0
    per_agent: dict[int, list] = {}
    for state, started, answered_at, ended, agent_id in rows:
        if state == CallState.RINGING:
            waiting += 1
        if answered_at is not None:
            answered += 1
            within += answered_at - started <= target
        elif state == CallState.ENDED:
            abandoned += 1
        if agent_id is not None:
            stats = per_agent.setdefault(agent_id, [0, False, 0, 0])
            stats[0] += 1
            stats[1] = stats[1] or state == CallState.ANSWERED
            if ended is not None and answered_at is not None:
                stats[2] += int((ended - answered_at).total_seconds())
                stats[3] += 1
    users = get_user_model().objects.in_bulk(list(per_agent))
    agents = sorted(
        (
            AgentFigures(
                name=str(users[pk]),
                answered=stats[0],
                on_call=stats[1],
                average_talk_seconds=(stats[2] // stats[3]) if stats[3] else None,
            )
            for pk, stats in per_agent.items()
            if pk in users
        ),
        key=lambda a: a.name.casefold(),
    )
    return DeskFigures(
        day=day,
        target_seconds=settings.CONTACT_ANSWER_TARGET_SECONDS,
        offered=len(rows),
        waiting=waiting,
        answered=answered,
        answered_within_target=within,
        abandoned=abandoned,
        agents=agents,
    )

"""The dispatch policy: which waiting ticket a counter calls next. Pure functions, no database,
so the live system and the simulation benchmark run exactly the same code.

The policy, in one sentence: call the ticket with the longest *effective* wait among the
services this counter can serve, where effective wait is the real wait since the visit arrived
(kept across all the services of a visit) plus credits:

- priority customers (elderly, persons with disability, expectant mothers): +60 minutes, so
  they are served within minutes even at the morning peak (bench/dispatch_sim.py measured 20,
  45 and 60 minutes; only 60 kept their 90th percentile under 10 minutes);
- appointments checked in on time count as having arrived 10 minutes before their slot;
- a ticket transferred to this named counter: +10 minutes at that counter;
- risk of breaking the waiting-time standard: every minute waited beyond 75% of the standard
  (30 minutes by default) counts double, so nobody is starved by a stream of credited tickets.

Ties go to the earlier arrival, then the earlier ticket. Credits are minutes, so they are easy to explain at the counter.

Learners hold back. An officer in the first weeks of a new skill serves it slower (the
cross-training planner assumes 30% slower for four weeks). Such an officer is offered a ticket of
a service they are still learning only when no ticket of a service they are trained in is
waiting for them, or once that ticket has waited `learner_hold_s` since the visit arrived (so a
learner still rescues a customer nobody else is taking). Time a learner would spend idle is pure
gain when spent serving slowly; slow service while their own customers wait is what costs.
Queues reads which of an officer's skills are in their learning period through a hook the
staffing app registers (``queues.services.register_learning_skills``).
"""

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Policy:
    priority_credit_s: float = 60 * 60
    appointment_lead_s: float = 10 * 60
    named_counter_credit_s: float = 10 * 60
    wait_standard_s: float = 30 * 60
    risk_fraction: float = 0.75
    risk_weight: float = 1.0
    learner_hold_s: float = 60 * 60


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Candidate:
    ticket_id: Any
    service_id: Any
    arrived_at: float  # seconds since the epoch: the visit's arrival
    priority: bool = False
    appointment_slot: float | None = None  # slot start, only if checked in on time
    target_counter_id: Any = None


def queue_key(candidate: Candidate, policy: Policy = DEFAULT_POLICY) -> float:
    """The static part of the order (smaller is sooner); stored on the ticket for indexing."""
    key = candidate.arrived_at
    if candidate.priority:
        key -= policy.priority_credit_s
    if candidate.appointment_slot is not None:
        key = min(key, candidate.appointment_slot - policy.appointment_lead_s)
    return key


def urgency(
    candidate: Candidate, *, now: float, counter_id: Any, policy: Policy = DEFAULT_POLICY
) -> float:
    """Effective wait in seconds; the counter calls the highest."""
    score = now - queue_key(candidate, policy)
    if candidate.target_counter_id is not None and candidate.target_counter_id == counter_id:
        score += policy.named_counter_credit_s
    overdue = (now - candidate.arrived_at) - policy.risk_fraction * policy.wait_standard_s
    if overdue > 0:
        score += policy.risk_weight * overdue
    return score


def can_serve(candidate: Candidate, *, counter_id: Any, skills: set) -> bool:
    if candidate.service_id not in skills:
        return False
    return candidate.target_counter_id is None or candidate.target_counter_id == counter_id


def held_back(
    candidate: Candidate,
    *,
    now: float,
    learning: AbstractSet,
    own_waiting: bool,
    policy: Policy = DEFAULT_POLICY,
) -> bool:
    """A ticket of a service the officer is still learning, while a ticket of a service they
    are trained in waits for them, and not yet waited `learner_hold_s`: not offered to them."""
    return (
        own_waiting
        and candidate.service_id in learning
        and now - candidate.arrived_at < policy.learner_hold_s
    )


def rank(
    candidates: Iterable[Candidate],
    *,
    now: float,
    counter_id: Any,
    skills: set,
    policy: Policy = DEFAULT_POLICY,
    learning: AbstractSet = frozenset(),
) -> list[Candidate]:
    """The candidates this counter may serve, best first. `learning`: the officer's skills
    still in their learning period (see the module doc: learners hold back)."""
    eligible = [c for c in candidates if can_serve(c, counter_id=counter_id, skills=skills)]
    if learning:
        own = any(c.service_id not in learning for c in eligible)
        eligible = [
            c
            for c in eligible
            if not held_back(c, now=now, learning=learning, own_waiting=own, policy=policy)
        ]
    return sorted(
        eligible,
        key=lambda c: (
            -urgency(c, now=now, counter_id=counter_id, policy=policy),
            c.arrived_at,
            c.ticket_id,
        ),
    )


def at_risk(candidate: Candidate, *, now: float, policy: Policy = DEFAULT_POLICY) -> bool:
    """Waited past the risk threshold (75% of the standard) and not yet called."""
    return now - candidate.arrived_at > policy.risk_fraction * policy.wait_standard_s

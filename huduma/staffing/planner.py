"""The cross-training planner: the smallest set of new skills (officer -> service) that brings
a centre's simulated mean wait to within `target_ratio` times the wait of the same officers if
every one could serve every service.

Plain words: replay the centre's own days with today's skills, and with every officer able to
do everything (the best that pooling can do). Then add one new skill at a time, each time the
one that cuts the simulated mean wait the most, trying first the pairs that look most useful
(an officer who is often idle, a service whose customers wait longest) and chains, until the
wait is close enough to the pool's or nothing more helps. Then swap: each new skill in turn is
replaced by another allowed one if that lowers the wait. If the target is still missed, start
again from the next best first skills (within a budget of simulations). Finally drop any added
skill the plan can do without. Every candidate is judged on the same simulated days, with the
newly trained officer 30% slower at the new service (the learning month) and held back from it
while their own customers wait (the production dispatch rule, queues.dispatch.held_back), and
respecting the rules: an officer's MDA may forbid some services, and an officer learns at most
one new skill per quarter.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise, product

from huduma.staffing.simulation import Officer, Result, Visit, all_skills, simulate

TARGET_RATIO = 1.2
# How many of the most promising single skills are simulated at each step (chains are always
# tried), and at each swap. On the bench's 20-counter centre (30 days, learners held back) 16
# with two rounds of swaps reaches 1.606 with 16 new skills in 754 simulations; a greedy trying
# all 160 pairs at every step reaches 1.629 with 17 (chosen on 10 of the days, about 1,400
# simulations). The small-centre tests try all pairs (shortlist=None).
SHORTLIST = 16
# When the first search misses the target, it starts again from the next best first moves.
STARTS = 3
# Swaps stop after this many simulations in all, and a restart runs only if the budget has as
# many left as the first search took (the greedy always finishes): on the bench's 20 counters
# and 30 days the greedy and two rounds of swaps take about 750, so the bench makes no restart.
BUDGET = 1200
# Rounds of swaps after the greedy (each tries, for every new skill, the shortlisted others).
SWAP_ROUNDS = 2

Skill = tuple[str, str]  # (officer key, service key)


@dataclass(frozen=True)
class ServiceWait:
    service: str
    mean_min: float
    p90_min: float
    served: int


@dataclass(frozen=True)
class Prediction:
    mean_min: float
    p90_min: float
    per_service: tuple[ServiceWait, ...]


@dataclass(frozen=True)
class Proposal:
    new_skills: tuple[Skill, ...]
    today: Prediction  # with today's skills
    planned: Prediction  # with the new skills, during the learning month
    settled: Prediction  # with the new skills, once learned
    pool_mean_min: float  # every officer every service
    target_ratio: float
    evaluations: int

    @property
    def ratio(self) -> float:
        return self.planned.mean_min / self.pool_mean_min

    @property
    def today_ratio(self) -> float:
        return self.today.mean_min / self.pool_mean_min

    @property
    def target_met(self) -> bool:
        return self.ratio <= self.target_ratio


def predict(result: Result) -> Prediction:
    return Prediction(
        mean_min=result.mean,
        p90_min=result.p90,
        per_service=tuple(
            ServiceWait(key, mean, p90, n) for key, (mean, p90, n) in result.per_service().items()
        ),
    )


def apply(officers: Sequence[Officer], skills: Sequence[Skill], *, learning: bool) -> list:
    added: dict[str, set[str]] = {}
    for officer, service in skills:
        added.setdefault(officer, set()).add(service)
    out = []
    for o in officers:
        for service in sorted(added.get(o.key, ())):
            o = o.with_skill(service, learning=learning)
        out.append(o)
    return out


def allowed_pairs(
    officers: Sequence[Officer],
    services: Sequence[str],
    *,
    forbidden: Mapping[str, frozenset[str]],
    busy_this_quarter: frozenset[str] = frozenset(),
) -> list[Skill]:
    """Every new skill the rules allow: a service the officer lacks, not forbidden by the
    officer's MDA, for an officer who has not learned a new skill this quarter."""
    return [
        (o.key, s)
        for o in officers
        if o.key not in busy_this_quarter
        for s in services
        if s not in o.skills and s not in forbidden.get(o.mda, frozenset())
    ]


def plan(
    days: Sequence[Sequence[Visit]],
    officers: Sequence[Officer],
    services: Sequence[str],
    *,
    forbidden: Mapping[str, frozenset[str]] | None = None,
    busy_this_quarter: frozenset[str] = frozenset(),
    target_ratio: float = TARGET_RATIO,
    shortlist: int | None = SHORTLIST,
    max_new: int | None = None,
    starts: int = STARTS,
    swap_rounds: int = SWAP_ROUNDS,
    budget: int | None = BUDGET,
    run: Callable[[Sequence[Officer]], Result] | None = None,
) -> Proposal:
    """The smallest set of new skills meeting the target (see module doc): greedy, then swaps;
    if that misses the target, again from the next best first skills. `shortlist=None`
    simulates every allowed pair at every step."""
    forbidden = forbidden or {}
    evaluations = 0

    def sim(officer_list) -> Result:
        nonlocal evaluations
        evaluations += 1
        return run(officer_list) if run else simulate(days, officer_list)

    def learning(skills: Sequence[Skill]) -> Result:
        return sim(apply(officers, skills, learning=True))

    pool = sim(all_skills(officers, services)).mean
    goal = target_ratio * pool
    base = sim(officers)
    pairs = allowed_pairs(
        officers, services, forbidden=forbidden, busy_this_quarter=busy_this_quarter
    )
    limit = max_new if max_new is not None else len({o for o, _ in pairs})
    search = _Search(
        officers,
        pairs,
        learning,
        goal=goal,
        limit=limit,
        shortlist=shortlist,
        spare=lambda: budget is None or evaluations < budget,
    )

    def finish(chosen: list[Skill], current: Result) -> tuple[list[Skill], Result]:
        # Swaps: one new skill at a time is replaced by another allowed one (another service,
        # or another officer who has none) while that lowers the wait; the greedy's early
        # picks were made before the later ones existed.
        for _ in range(swap_rounds):
            better = search.swap(chosen, current)
            if better is None:
                break
            chosen, current = better
        return chosen, current

    chosen, current, firsts = search.greedy([], base)
    chosen, current = finish(chosen, current)
    cost = evaluations  # a restart costs about as much: it runs only if the budget has that
    # Missed: the greedy's first step may have led it astray (the best single skill is not
    # always part of the best pair or chain); start again from the next best first moves.
    for first in firsts[1:starts] if current.mean > goal else ():
        if budget is not None and evaluations + cost > budget:
            break
        trial_chosen, trial, _ = search.greedy(list(first), learning(first))
        trial_chosen, trial = finish(trial_chosen, trial)
        if trial.mean < current.mean:
            chosen, current = trial_chosen, trial
        if current.mean <= goal:
            break
    if current.mean <= goal:
        # Drop what the plan can do without (last added first: early picks carry the most).
        for pair in list(reversed(chosen)):
            rest = [p for p in chosen if p != pair]
            trial = learning(rest)
            if trial.mean <= goal:
                chosen, current = rest, trial
    settled = sim(apply(officers, chosen, learning=False))
    return Proposal(
        new_skills=tuple(chosen),
        today=predict(base),
        planned=predict(current),
        settled=predict(settled),
        pool_mean_min=pool,
        target_ratio=target_ratio,
        evaluations=evaluations,
    )


@dataclass
class _Search:
    officers: Sequence[Officer]
    pairs: list[Skill]
    learning: Callable[[Sequence[Skill]], Result]
    goal: float
    limit: int
    shortlist: int | None
    spare: Callable[[], bool]  # simulations left in the budget (the greedy always finishes)

    def greedy(self, chosen: list[Skill], current: Result):
        """Add the best move (a single skill or a chain) until the goal is met or nothing
        helps. Also answers the first step's moves, best first (for restarts)."""
        firsts: list[list[Skill]] = []
        while current.mean > self.goal and len(chosen) < self.limit:
            taken = {o for o, _ in chosen}
            options = [p for p in self.pairs if p[0] not in taken]  # one new skill per officer
            if not options:
                break
            if self.shortlist is not None and len(options) > self.shortlist:
                singles = _promising(options, current, days_open_s=current.open_s, n=self.shortlist)
            else:
                singles = options
            moves = [[p] for p in singles] + _chains(options, self.officers, current)
            moves = [m for m in moves if len(chosen) + len(m) <= self.limit]
            scored = []
            for move in moves:
                trial = self.learning([*chosen, *move])
                # A move that reaches the goal wins, the fewest skills first; otherwise the
                # most minutes of mean wait saved per new skill.
                score = (
                    (0, len(move), trial.mean)
                    if trial.mean <= self.goal
                    else (1, -(current.mean - trial.mean) / len(move), 0)
                )
                scored.append((score, len(scored), move, trial))
            scored.sort(key=lambda x: x[:2])
            if not firsts:
                firsts = [m for _, _, m, _ in scored]
            if not scored or not scored[0][3].mean < current.mean:
                break  # nothing helps any more
            chosen = [*chosen, *scored[0][2]]
            current = scored[0][3]
        return chosen, current, firsts

    def swap(self, chosen: list[Skill], current: Result):
        """One round of swaps: for each new skill in turn, the first replacement that lowers
        the mean wait is kept. None when no swap helped."""
        improved = False
        for i in range(len(chosen)):
            others = {o for j, (o, _) in enumerate(chosen) if j != i}
            options = [p for p in self.pairs if p[0] not in others and p != chosen[i]]
            if self.shortlist is not None and len(options) > self.shortlist:
                options = _promising(options, current, days_open_s=current.open_s, n=self.shortlist)
            for pair in options:
                if not self.spare():
                    return (chosen, current) if improved else None
                trial_skills = [*chosen[:i], pair, *chosen[i + 1 :]]
                trial = self.learning(trial_skills)
                if trial.mean < current.mean:
                    chosen, current, improved = trial_skills, trial, True
                    break
        return (chosen, current) if improved else None


def _promising(options: list[Skill], result: Result, *, days_open_s: float, n: int) -> list:
    """The n pairs most worth simulating: total minutes waited at the service, times how idle
    the officer was (an officer never idle has no time to give)."""
    waited = {s: sum(w) for s, w in result.by_service.items()}
    officers = {o for o, _ in options}
    per_officer_open = days_open_s / max(len(result.busy_s) or len(officers), 1)
    idle = {o: max(0.0, 1 - result.busy_s.get(o, 0.0) / per_officer_open) for o in officers}

    def score(pair: Skill) -> float:
        officer, service = pair
        return waited.get(service, 0.0) * (idle[officer] + 0.05)

    return sorted(options, key=score, reverse=True)[:n]


def _chains(options: list[Skill], officers: Sequence[Officer], result: Result) -> list:
    """Chains: the officers of each service learn the next busier one, so that work flows
    down a line of services toward the queue that waits most (one new skill rarely pools
    much on its own; a chain does). Services are ordered by minutes waited; the moves are the
    chain's prefixes from the busiest service, two links and more."""
    allowed = set(options)
    waited = {s: sum(w) for s, w in result.by_service.items()}
    idle = {o.key: -result.busy_s.get(o.key, 0.0) for o in officers}
    order = sorted(waited, key=waited.get, reverse=True)
    chain: list[Skill] = []
    moves = []
    used: set[str] = set()
    for busier, quieter in pairwise(order):
        learners = [
            o.key
            for o in officers
            if quieter in o.skills and (o.key, busier) in allowed and o.key not in used
        ]
        if not learners:
            break
        learner = max(learners, key=idle.get)
        used.add(learner)
        chain.append((learner, busier))
        if len(chain) >= 2:
            moves.append(list(chain))
    # The closed chain (a cycle): an officer of the busiest service learns the quietest one
    # reached, so that every service can pass work to another and receive from another.
    if len(chain) >= 2:
        quietest = order[len(chain)]
        closers = [
            o.key
            for o in officers
            if order[0] in o.skills and (o.key, quietest) in allowed and o.key not in used
        ]
        if closers:
            moves.append([*chain, (max(closers, key=idle.get), quietest)])
    return moves


def exhaustive_best(
    days: Sequence[Sequence[Visit]],
    officers: Sequence[Officer],
    services: Sequence[str],
    *,
    forbidden: Mapping[str, frozenset[str]] | None = None,
    target_ratio: float = TARGET_RATIO,
) -> tuple[Skill, ...] | None:
    """The smallest plan by trying every allowed combination (at most one new skill per
    officer): for tests on small centres only."""
    forbidden = forbidden or {}
    pool = simulate(days, all_skills(officers, services)).mean
    per_officer = [
        [None]
        + [
            (o.key, s)
            for s in services
            if s not in o.skills and s not in forbidden.get(o.mda, frozenset())
        ]
        for o in officers
    ]
    best: tuple[Skill, ...] | None = None
    for combo in product(*per_officer):
        skills = tuple(p for p in combo if p is not None)
        if best is not None and len(skills) >= len(best):
            continue
        mean = simulate(days, apply(officers, skills, learning=True)).mean
        if math.isfinite(mean) and mean <= target_ratio * pool:
            best = skills
    return best

"""A busy day at a centre, replayed fast: the simulator the cross-training planner and
bench/dispatch_sim.py share. No database: officers, visits and skills are plain values.

Each officer sits at a counter and, when free, calls the waiting ticket the production policy
ranks first (``huduma.queues.dispatch.urgency``, the function the live counters use, with its
ties broken the same way as ``dispatch.rank``, and learners held back the same way:
``dispatch.held_back``). A visit's services are done one after another;
the wait of each runs from joining that service's queue until called. Every policy or plan is
run on the same visits (common random numbers), so differences are the plan's, not luck's.
"""

import heapq
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from huduma.queues.dispatch import DEFAULT_POLICY, Candidate, Policy, held_back, urgency

# A newly trained officer serves the new service this much slower for their first four weeks
# (the assumption; the planner plans for that learning month, the worst one).
LEARNING_SLOWDOWN = 1.30
LEARNING_WEEKS = 4


@dataclass(frozen=True)
class Visit:
    vid: int
    arrival: float  # seconds after opening
    priority: bool
    steps: tuple[tuple[str, float], ...]  # (service key, service time in seconds), in order


@dataclass(frozen=True)
class Officer:
    key: str
    mda: str
    skills: frozenset[str]
    # Services this officer is still learning: served LEARNING_SLOWDOWN times slower.
    learning: frozenset[str] = frozenset()
    # This officer's own pace per service (service time multiplier, from history); 1 if absent.
    pace: tuple[tuple[str, float], ...] = ()

    def with_skill(self, service: str, *, learning: bool = True) -> "Officer":
        return Officer(
            key=self.key,
            mda=self.mda,
            skills=self.skills | {service},
            learning=self.learning | ({service} if learning else set()),
            pace=self.pace,
        )


@dataclass
class Result:
    waits: list[float] = field(default_factory=list)  # minutes, one per visit-service served
    by_service: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    busy_s: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    unserved: int = 0  # visit-services nobody could serve (a service without an officer)
    open_s: float = 0.0  # officer-seconds of opening time simulated

    @property
    def mean(self) -> float:
        if self.unserved or not self.waits:
            return math.inf
        return statistics.fmean(self.waits)

    @property
    def p90(self) -> float:
        if self.unserved or not self.waits:
            return math.inf
        return p90(self.waits)

    def per_service(self) -> dict[str, tuple[float, float, int]]:
        """(mean, p90, visit-services) per service, minutes."""
        return {
            key: (statistics.fmean(w), p90(w), len(w)) for key, w in sorted(self.by_service.items())
        }


def p90(values: Sequence[float]) -> float:
    if len(values) < 2:
        return float(values[0]) if values else 0.0
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def simulate_day(
    visits: Sequence[Visit],
    officers: Sequence[Officer],
    *,
    epoch: float = 0.0,
    open_s: float = 9 * 3600,
    policy: Policy = DEFAULT_POLICY,
    out: Result | None = None,
) -> Result:
    """Serve one day's visits (sorted by arrival) with these officers; adds to `out`."""
    out = out if out is not None else Result()
    out.open_s += open_s * len(officers)
    skills = [o.skills for o in officers]
    learning = [o.learning & o.skills for o in officers]
    factor = [
        {
            s: (LEARNING_SLOWDOWN if s in o.learning else 1.0) * dict(o.pace).get(s, 1.0)
            for s in o.skills
        }
        for o in officers
    ]
    idle = [True] * len(officers)
    waiting: dict[str, dict] = defaultdict(dict)  # service -> {tid: (Candidate, joined)}
    by_vid = {v.vid: v for v in visits}
    heap: list = []
    seq = 0
    for v in visits:
        heap.append((v.arrival, seq, 0, v.vid, 0))
        seq += 1
    heapq.heapify(heap)

    def start(i: int, tid: tuple[int, int], joined: float, now: float) -> None:
        nonlocal seq
        visit = by_vid[tid[0]]
        service, base = visit.steps[tid[1]]
        wait = (now - joined) / 60
        out.waits.append(wait)
        out.by_service[service].append(wait)
        took = base * factor[i][service]
        out.busy_s[officers[i].key] += took
        idle[i] = False
        heapq.heappush(heap, (now + took, seq, 1, i, tid))
        seq += 1

    def pick(i: int, now: float) -> bool:
        best = None
        best_key = None
        t = epoch + now
        learn = learning[i]
        # Learners hold back (dispatch.held_back): while a ticket of a service they are trained
        # in waits, they are not offered one of a service they are learning.
        own = bool(learn) and any(waiting.get(s) for s in skills[i] if s not in learn)
        for service in skills[i]:
            queue = waiting.get(service)
            if not queue:
                continue
            hold = own and service in learn
            for tid, (cand, _joined) in queue.items():
                if hold and held_back(cand, now=t, learning=learn, own_waiting=True, policy=policy):
                    continue
                key = (-urgency(cand, now=t, counter_id=i, policy=policy), cand.arrived_at, tid)
                if best_key is None or key < best_key:
                    best, best_key = (service, tid), key
        if best is None:
            return False
        service, tid = best
        _cand, joined = waiting[service].pop(tid)
        start(i, tid, joined, now)
        return True

    def join(visit: Visit, step: int, now: float) -> tuple[str, tuple[int, int]]:
        tid = (visit.vid, step)
        service = visit.steps[step][0]
        cand = Candidate(
            ticket_id=tid,
            service_id=service,
            arrived_at=epoch + visit.arrival,
            priority=visit.priority,
        )
        waiting[service][tid] = (cand, now)
        return service, tid

    def offer(service: str, tid: tuple[int, int], now: float) -> None:
        """A newly waiting ticket goes to the first idle officer who can serve it (an idle
        officer has nothing else to call, so this is the ticket they would rank first)."""
        if tid not in waiting[service]:
            return
        for i, free in enumerate(idle):
            if free and service in skills[i]:
                _cand, joined = waiting[service].pop(tid)
                start(i, tid, joined, now)
                return

    while heap:
        now, _s, kind, a, b = heapq.heappop(heap)
        if kind == 0:  # arrival of visit a
            service, tid = join(by_vid[a], 0, now)
            offer(service, tid, now)
        else:  # officer a finished ticket b
            i, tid = a, b
            idle[i] = True
            visit = by_vid[tid[0]]
            nxt = None
            if tid[1] + 1 < len(visit.steps):
                nxt = join(visit, tid[1] + 1, now)
            pick(i, now)
            if nxt is not None:
                offer(*nxt, now)
    out.unserved += sum(len(q) for q in waiting.values())
    return out


def simulate(
    days: Iterable[Sequence[Visit]],
    officers: Sequence[Officer],
    *,
    open_s: float = 9 * 3600,
    policy: Policy = DEFAULT_POLICY,
    epoch0: float = 0.0,
) -> Result:
    """Several days pooled; day d starts at epoch0 + d days (only differences matter)."""
    out = Result()
    for d, visits in enumerate(days):
        simulate_day(
            visits, officers, epoch=epoch0 + d * 86400, open_s=open_s, policy=policy, out=out
        )
    return out


def all_skills(officers: Sequence[Officer], services: Iterable[str]) -> list[Officer]:
    """The reference: the same officers, every one able to serve every service at full pace."""
    every = frozenset(services)
    return [Officer(o.key, o.mda, every, frozenset(), o.pace) for o in officers]

"""Queue dispatch policy: discrete-event simulation of a busy day at a 20-counter Huduma Centre.

Visitors arrive 08:00-17:00 (Poisson, hourly rates with a morning peak and a smaller post-lunch
peak, scaled to an expected utilisation of 0.85) for 12 services of 7 service points (6 MDAs and
the Huduma eCitizen desk, which handles NTSA, HELB and BRS online services). 30% of visits need
two or three services of different MDAs, done one after another; 10% are priority customers.
Service times are lognormal and drawn up front, so every policy sees the same day:

(a) the real policy: each counter belongs to one MDA (3 officers also trained in a second one)
    and calls ``huduma.queues.dispatch.rank(...)[0]`` among all waiting tickets;
(b) baseline: dedicated counters, one FIFO queue per service, no priority, and a multi-service
    visit re-joins the back of its next service's queue;
(c) the pooled M/M/20 (Erlang C) mean wait for the same load;
(d) reference: one FIFO queue served by 20 counters that can all do everything.

Waits run from joining a service's queue until called. 30 simulated days (seeds seed..seed+29)
are pooled; `--seed` and `--days` change that.
"""

import argparse
import math
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

import simpy

from huduma.queues.dispatch import DEFAULT_POLICY, Candidate, Policy, rank
from huduma.staffing import planner
from huduma.staffing import simulation as fastsim

SEED = 20260302
DAYS = 30
COUNTERS = 20
OPEN_HOUR, CLOSE_HOUR = 8, 17
TARGET_UTILISATION = 0.85
MULTI_SHARE = 0.30  # visits with two or more services
THREE_SHARE = 0.25  # of the multi-service visits, the share with three services
PRIORITY_SHARE = 0.10
MIN_COUNTERS_PER_MDA = 2
CROSS_TRAINED = 3
# Relative arrival rate per opening hour (08-09 ... 16-17): morning peak, lunch dip, a smaller
# post-lunch peak, quiet last hour. Mean 1.0.
HOURLY_PROFILE = (1.15, 1.40, 1.30, 1.05, 0.70, 0.80, 1.05, 0.90, 0.65)
# 08:00 East Africa Time on a Monday: Candidate.arrived_at is in seconds since the epoch.
DAY0_OPEN = datetime(2026, 3, 2, OPEN_HOUR, tzinfo=timezone(timedelta(hours=3))).timestamp()
OPEN_S = (CLOSE_HOUR - OPEN_HOUR) * 3600


@dataclass(frozen=True)
class Service:
    key: str
    mda: str
    label: str
    weight: float  # relative popularity as a visit's service
    mean_min: float
    cv: float


SERVICES = (
    Service("nrb_id_replacement", "NRB", "NRB ID replacement", 15, 8, 0.6),
    Service("nrb_new_id", "NRB", "NRB new ID", 7, 12, 0.5),
    Service("crd_birth_cert", "CRD", "CRD birth certificate", 12, 9, 0.7),
    Service("nhif_registration", "NHIF", "NHIF registration", 8, 7, 0.6),
    Service("nhif_statement", "NHIF", "NHIF statement", 7, 4, 0.6),
    Service("nssf_registration", "NSSF", "NSSF registration", 6, 6, 0.6),
    Service("kra_pin", "KRA", "KRA PIN", 11, 6, 0.6),
    Service("kra_returns_help", "KRA", "KRA returns help", 9, 15, 0.8),
    Service("dci_good_conduct", "DCI", "DCI good conduct", 12, 10, 0.5),
    Service("ntsa_licence_renewal", "eCitizen", "NTSA licence renewal", 6, 7, 0.6),
    Service("helb_loan", "eCitizen", "HELB loan", 4, 12, 0.7),
    Service("brs_name_search", "eCitizen", "BRS name search", 4, 5, 0.6),
)
BY_KEY = {s.key: s for s in SERVICES}
MDAS = tuple(dict.fromkeys(s.mda for s in SERVICES))


@dataclass
class Visit:
    vid: int
    arrival: float  # seconds after opening
    priority: bool
    steps: list[tuple[str, float]]  # (service key, service time in seconds), in order


@dataclass
class Outcome:
    waits: list[float] = field(default_factory=list)  # minutes, one per visit-service
    priority_waits: list[float] = field(default_factory=list)


# -- the day's visits ------------------------------------------------------------------------


def draw_services(rng: random.Random) -> list[Service]:
    if rng.random() < MULTI_SHARE:
        n = 3 if rng.random() < THREE_SHARE else 2
    else:
        n = 1
    chosen: list[Service] = []
    for _ in range(n):
        pool = [s for s in SERVICES if s.mda not in {c.mda for c in chosen}]
        chosen.append(rng.choices(pool, weights=[s.weight for s in pool])[0])
    return chosen


def expected_load(samples: int = 40_000) -> tuple[float, dict[str, float]]:
    """Expected service minutes per visit, in total and per service (fixed-seed Monte Carlo)."""
    rng = random.Random(1)
    per_service: dict[str, float] = defaultdict(float)
    for _ in range(samples):
        for s in draw_services(rng):
            per_service[s.key] += s.mean_min / samples
    return sum(per_service.values()), dict(per_service)


def service_time_s(rng: random.Random, service: Service) -> float:
    sigma2 = math.log(1 + service.cv**2)
    mu = math.log(service.mean_min) - sigma2 / 2
    return 60 * rng.lognormvariate(mu, math.sqrt(sigma2))


def generate_day(seed: int, visits_per_hour: float) -> list[Visit]:
    rng = random.Random(seed)
    visits: list[Visit] = []
    for hour, factor in enumerate(HOURLY_PROFILE):
        rate = visits_per_hour * factor / 3600
        t = hour * 3600 + rng.expovariate(rate)
        while t < (hour + 1) * 3600:
            steps = [(s.key, service_time_s(rng, s)) for s in draw_services(rng)]
            priority = rng.random() < PRIORITY_SHARE
            visits.append(Visit(len(visits), t, priority, steps))
            t += rng.expovariate(rate)
    return visits


# -- staffing --------------------------------------------------------------------------------


def allocate(loads: dict[str, float], total: int, minimum: int) -> dict[str, int]:
    """Counters in proportion to load (highest averages: each extra counter goes to the unit
    with the most load per counter), at least `minimum` each."""
    alloc = dict.fromkeys(loads, minimum)
    for _ in range(total - minimum * len(loads)):
        busiest = max(loads, key=lambda k: loads[k] / alloc[k])
        alloc[busiest] += 1
    return alloc


def pooled_counters(service_load: dict[str, float]) -> tuple[list[tuple[str, set]], list[str]]:
    """(counter id, skills) per counter: one MDA each; the least busy MDAs each have one officer
    also trained in one of the busiest MDAs' services."""
    mda_load = defaultdict(float)
    for key, load in service_load.items():
        mda_load[BY_KEY[key].mda] += load
    alloc = allocate(mda_load, COUNTERS, MIN_COUNTERS_PER_MDA)
    by_busy = sorted(MDAS, key=lambda m: mda_load[m] / alloc[m])
    pairs = list(zip(by_busy[:CROSS_TRAINED], reversed(by_busy[-CROSS_TRAINED:]), strict=True))
    counters, notes = [], []
    for mda in MDAS:
        skills = {s.key for s in SERVICES if s.mda == mda}
        second = dict(pairs).get(mda)
        for i in range(alloc[mda]):
            cid = f"{mda}-{i + 1}"
            extra = set()
            if second and i == alloc[mda] - 1:
                extra = {s.key for s in SERVICES if s.mda == second}
            counters.append((cid, skills | extra))
        notes.append(f"{mda} {alloc[mda]}" + (f" (1 also {second})" if second else ""))
    return counters, notes


# -- (a) the real policy ---------------------------------------------------------------------


def simulate_pooled(visits: list[Visit], counters, epoch: float, policy: Policy) -> Outcome:
    env = simpy.Environment()
    out = Outcome()
    waiting: dict[tuple[int, int], Candidate] = {}
    joined: dict[tuple[int, int], float] = {}
    by_id = {v.vid: v for v in visits}
    state = {"wake": env.event()}

    def join(visit: Visit, step: int) -> None:
        tid = (visit.vid, step)
        waiting[tid] = Candidate(
            ticket_id=tid,
            service_id=visit.steps[step][0],
            arrived_at=epoch + visit.arrival,  # the visit's arrival, kept across its services
            priority=visit.priority,
        )
        joined[tid] = env.now
        wake, state["wake"] = state["wake"], env.event()
        wake.succeed()

    def arrivals():
        for visit in visits:
            yield env.timeout(visit.arrival - env.now)
            join(visit, 0)

    def counter(cid: str, skills: set):
        while True:
            best = rank(
                waiting.values(), now=epoch + env.now, counter_id=cid, skills=skills, policy=policy
            )
            if not best:
                yield state["wake"]
                continue
            tid = best[0].ticket_id
            del waiting[tid]
            visit = by_id[tid[0]]
            wait = (env.now - joined.pop(tid)) / 60
            out.waits.append(wait)
            if visit.priority:
                out.priority_waits.append(wait)
            yield env.timeout(visit.steps[tid[1]][1])
            if tid[1] + 1 < len(visit.steps):
                join(visit, tid[1] + 1)

    env.process(arrivals())
    for cid, skills in counters:
        env.process(counter(cid, skills))
    env.run()
    return out


# -- (b) and (d): FIFO queues ----------------------------------------------------------------


def simulate_fifo(visits: list[Visit], queue_counters: dict[str, int], queue_of) -> Outcome:
    """FIFO queues (queue_of maps a service key to its queue), each with its own counters;
    a visit joins the back of its next service's queue when a service ends."""
    env = simpy.Environment()
    out = Outcome()
    stores = {q: simpy.Store(env) for q in queue_counters}

    def arrivals():
        for visit in visits:
            yield env.timeout(visit.arrival - env.now)
            stores[queue_of(visit.steps[0][0])].put((visit, 0, env.now))

    def counter(q: str):
        while True:
            visit, step, since = yield stores[q].get()
            wait = (env.now - since) / 60
            out.waits.append(wait)
            if visit.priority:
                out.priority_waits.append(wait)
            yield env.timeout(visit.steps[step][1])
            if step + 1 < len(visit.steps):
                stores[queue_of(visit.steps[step + 1][0])].put((visit, step + 1, env.now))

    env.process(arrivals())
    for q, n in queue_counters.items():
        for _ in range(n):
            env.process(counter(q))
    env.run()
    return out


# -- (c) Erlang C ----------------------------------------------------------------------------


def erlang_c_wait(lam: float, mean_service: float, c: int) -> float:
    """Mean queueing wait of M/M/c (same time unit as mean_service); inf if rho >= 1."""
    a = lam * mean_service
    rho = a / c
    if rho >= 1:
        return math.inf
    erlang_b = 1.0
    for k in range(1, c + 1):
        erlang_b = a * erlang_b / (k + a * erlang_b)
    p_wait = erlang_b / (1 - rho * (1 - erlang_b))
    return p_wait * mean_service / (c * (1 - rho))


# -- (e) the cross-training planner on this centre --------------------------------------------

# What the simulated MDAs forbid their officers to learn: DCI's officers (police) serve only
# DCI; KRA keeps its officers off identity documents.
FORBIDDEN = {
    "DCI": frozenset(s.key for s in SERVICES if s.mda != "DCI"),
    "KRA": frozenset({"nrb_id_replacement", "nrb_new_id"}),
}


def planner_centre(seed: int, days: int):
    """The counters of (a) as the planner's officers, and the same days as its history."""
    minutes_per_visit, service_load = expected_load()
    visits_per_hour = TARGET_UTILISATION * COUNTERS * 60 / minutes_per_visit
    counters, _ = pooled_counters(service_load)
    officers = [fastsim.Officer(cid, cid.split("-")[0], frozenset(sk)) for cid, sk in counters]
    history = [
        [
            fastsim.Visit(v.vid, v.arrival, v.priority, tuple(v.steps))
            for v in generate_day(seed + day, visits_per_hour)
        ]
        for day in range(days)
    ]
    return officers, history


def run_planner(seed: int, days: int) -> planner.Proposal:
    """Plan new skills for the counters of (a), on the same days, with huduma.staffing's
    simulator (the production dispatch rule) and the learning-month slowdown."""
    officers, history = planner_centre(seed, days)
    return planner.plan(history, officers, [s.key for s in SERVICES], forbidden=FORBIDDEN)


def planner_limits(seed: int, days: int, plan: planner.Proposal) -> dict[str, float]:
    """Figures that say why the target is or is not reachable (ratios to the all-skills pool):
    the same plan without the learner hold, and every skill the MDAs allow (no limit of one a
    quarter), learned and while learning."""
    officers, history = planner_centre(seed, days)
    keys = [s.key for s in SERVICES]

    def ratio(officer_list, policy: Policy = DEFAULT_POLICY) -> float:
        return fastsim.simulate(history, officer_list, policy=policy).mean / plan.pool_mean_min

    every = planner.allowed_pairs(officers, keys, forbidden=FORBIDDEN)
    planned = planner.apply(officers, plan.new_skills, learning=True)
    return {
        "no_hold": ratio(planned, replace(DEFAULT_POLICY, learner_hold_s=0)),
        "every_allowed": len(every),
        "every_allowed_settled": ratio(planner.apply(officers, every, learning=False)),
        "every_allowed_learning": ratio(planner.apply(officers, every, learning=True)),
    }


# -- reporting -------------------------------------------------------------------------------


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def row(name: str, out: Outcome) -> str:
    over = sum(w > 30 for w in out.waits) / len(out.waits)
    return (
        f"{name:<44} {statistics.fmean(out.waits):>7.2f} {statistics.median(out.waits):>6.2f}"
        f" {p90(out.waits):>7.2f} {max(out.waits):>7.1f} {statistics.fmean(out.priority_waits):>7.2f}"
        f" {p90(out.priority_waits):>7.2f} {over:>6.1%}"
    )


def run(seed: int, days: int, policy: Policy = DEFAULT_POLICY) -> dict:
    minutes_per_visit, service_load = expected_load()
    visits_per_hour = TARGET_UTILISATION * COUNTERS * 60 / minutes_per_visit
    counters, staffing = pooled_counters(service_load)
    fifo_alloc = allocate(service_load, COUNTERS, 1)

    ours, fifo, full = Outcome(), Outcome(), Outcome()
    n_visits = n_multi = n_priority = 0
    service_minutes = 0.0
    per_hour = Counter()  # visit-services by the hour their visit arrived
    for day in range(days):
        visits = generate_day(seed + day, visits_per_hour)
        n_visits += len(visits)
        n_multi += sum(len(v.steps) > 1 for v in visits)
        n_priority += sum(v.priority for v in visits)
        for v in visits:
            per_hour[int(v.arrival // 3600)] += len(v.steps)
            service_minutes += sum(t for _, t in v.steps) / 60
        epoch = DAY0_OPEN + day * 86400
        for total, part in (
            (ours, simulate_pooled(visits, counters, epoch, policy)),
            (fifo, simulate_fifo(visits, fifo_alloc, lambda key: key)),
            (full, simulate_fifo(visits, {"all": COUNTERS}, lambda key: "all")),
        ):
            total.waits += part.waits
            total.priority_waits += part.priority_waits

    n_services = sum(per_hour.values())
    mean_service = service_minutes / n_services
    utilisation = service_minutes / (COUNTERS * OPEN_S / 60 * days)
    hourly = [
        erlang_c_wait(per_hour[h] / days / 60, mean_service, COUNTERS)
        for h in range(len(HOURLY_PROFILE))
    ]
    if all(math.isfinite(w) for w in hourly):
        erlang = sum(w * per_hour[h] for h, w in enumerate(hourly)) / n_services
        erlang_how = "hour by hour, arrival-weighted"
    else:
        hot = [f"{OPEN_HOUR + h:02d}h" for h, w in enumerate(hourly) if not math.isfinite(w)]
        erlang = erlang_c_wait(n_services / days / (OPEN_S / 60), mean_service, COUNTERS)
        erlang_how = f"daily-average rate; per hour rho >= 1 at {', '.join(hot)}"
    return {
        "ours": ours,
        "fifo": fifo,
        "full": full,
        "erlang": erlang,
        "erlang_how": erlang_how,
        "utilisation": utilisation,
        "mean_service": mean_service,
        "n_visits": n_visits,
        "n_services": n_services,
        "n_multi": n_multi,
        "n_priority": n_priority,
        "staffing": staffing,
        "fifo_alloc": fifo_alloc,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args()

    started = time.perf_counter()
    r = run(args.seed, args.days)
    elapsed = time.perf_counter() - started
    ours, fifo = r["ours"], r["fifo"]
    days = args.days

    print(
        f"Huduma dispatch simulation: seed {args.seed} ({days} days, seeds {args.seed}.."
        f"{args.seed + days - 1}), {COUNTERS} counters, {OPEN_HOUR:02d}:00-{CLOSE_HOUR:02d}:00"
    )
    print(
        f"  {r['n_visits'] / days:.0f} visits/day, {r['n_services'] / days:.0f} visit-services/day,"
        f" {r['n_multi'] / r['n_visits']:.1%} multi-service, {r['n_priority'] / r['n_visits']:.1%}"
        f" priority; mean service {r['mean_service']:.2f} min; utilisation {r['utilisation']:.3f}"
    )
    print(f"  (a) counters per MDA: {', '.join(r['staffing'])}")
    fifo_alloc = ", ".join(f"{BY_KEY[k].label} {n}" for k, n in r["fifo_alloc"].items())
    print(f"  (b) counters per service: {fifo_alloc}")
    print()
    print(
        f"{'waits in minutes':<44} {'mean':>7} {'p50':>6} {'p90':>7} {'max':>7}"
        f" {'prio':>7} {'prio90':>7} {'>30min':>6}"
    )
    print(row("(a) huduma rank(), MDA counters + 3 dual", ours))
    print(row("(b) FIFO per service, dedicated counters", fifo))
    print(f"{'(c) M/M/20 Erlang C, pooled lower bound':<44} {r['erlang']:>7.2f}")
    print(f"      ({r['erlang_how']})")
    print(row("(d) reference: one FIFO queue, all skills", r["full"]))
    print(f"  runtime {elapsed:.1f} s")
    print()

    mean_a, mean_b = statistics.fmean(ours.waits), statistics.fmean(fifo.waits)
    print(f"bench: dispatch.mean_wait_ratio_vs_fifo {mean_a / mean_b:.3f} ratio")
    print(f"bench: dispatch.mean_wait_ratio_vs_pooled_bound {mean_a / r['erlang']:.3f} ratio")
    print(f"bench: dispatch.priority_p90_min {p90(ours.priority_waits):.2f} min")
    print(f"bench: dispatch.mean_wait_min {mean_a:.2f} min")
    print(f"bench: dispatch.p90_wait_min {p90(ours.waits):.2f} min")
    print(f"bench: dispatch.fifo_mean_wait_min {mean_b:.2f} min")
    print(f"bench: dispatch.fifo_p90_wait_min {p90(fifo.waits):.2f} min")
    print(f"bench: dispatch.pooled_bound_mean_wait_min {r['erlang']:.2f} min")
    print(
        f"bench: dispatch.full_pool_fifo_mean_wait_min {statistics.fmean(r['full'].waits):.2f} min"
    )
    print(f"bench: dispatch.utilisation {r['utilisation']:.3f} ratio")

    started, cpu = time.perf_counter(), time.process_time()
    plan = run_planner(args.seed, days)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print()
    print(
        f"(e) cross-training planner, seed {args.seed}, {days} days, target <= {plan.target_ratio}"
    )
    print(f"  new skills: {', '.join(f'{o} -> {s}' for o, s in plan.new_skills) or 'none'}")
    print(
        f"  mean wait today {plan.today.mean_min:.2f}, planned (learning month, 30% slower at the"
        f" new service) {plan.planned.mean_min:.2f}, once learned {plan.settled.mean_min:.2f},"
        f" all skills {plan.pool_mean_min:.2f} min; {plan.evaluations} simulations in"
        f" {elapsed:.0f} s"
    )
    print(f"  target met: {'yes' if plan.target_met else 'no'}")
    print(f"bench: dispatch.planner_seed {args.seed} seed")
    print(f"bench: dispatch.today_vs_pool_ratio {plan.today_ratio:.3f} ratio")
    print(f"bench: dispatch.planned_vs_pool_ratio {plan.ratio:.3f} ratio")
    print(
        "bench: dispatch.planned_settled_vs_pool_ratio"
        f" {plan.settled.mean_min / plan.pool_mean_min:.3f} ratio"
    )
    print(f"bench: dispatch.planned_new_skills {len(plan.new_skills)} skills")
    print(f"bench: dispatch.planned_p90_min {plan.planned.p90_min:.2f} min")
    print(f"bench: dispatch.planner_cpu_s {cpu:.1f} s")
    limits = planner_limits(args.seed, days, plan)
    print(f"bench: dispatch.planned_no_learner_hold_vs_pool_ratio {limits['no_hold']:.3f} ratio")
    print(
        f"  every skill the MDAs allow ({limits['every_allowed']} new skills, no one-a-quarter"
        f" limit): {limits['every_allowed_settled']:.3f} of the pool once learned,"
        f" {limits['every_allowed_learning']:.3f} while learning"
    )
    print(
        "bench: dispatch.every_allowed_skill_settled_vs_pool_ratio"
        f" {limits['every_allowed_settled']:.3f} ratio"
    )


if __name__ == "__main__":
    main()

"""Every figure of the daily report, the standards, the appraisal and the savings, checked
against rows this test makes (one table of cases). The expected values are worked out by hand
from the scenario of tests/performance_rows.build_scene; docs/performance.md explains each
rule."""

import datetime as dt
from decimal import Decimal

import pytest

from huduma.performance import appraisal, daily, savings, standards
from huduma.performance.models import SavingsMethod
from huduma.queues.selectors import ServiceTime
from tests.performance_rows import (
    DAY,
    build_scene,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world, officers, clock):
    return build_scene(world, officers, clock)


def _daily(w):
    return daily.daily_figures(w.gpo, DAY)


def _by_name(rows, *keys):
    return [tuple(r[k] for k in keys) for r in rows]


def _compliance(kind, level):
    first, last = standards.quarter_of(DAY)
    return [
        (c.label, c.n, c.met, c.pct, c.target_pct)
        for c in standards.compliance(kind=kind, level=level, first=first, last=last, today=DAY)
    ]


def _appraisal(who):
    def figures(w):
        officer = w.alice if who == "alice" else w.charlie
        return appraisal.officer_figures(officer, DAY, DAY)

    return figures


def _savings(w):
    method = SavingsMethod.objects.order_by("-created_at").first()
    rows, total = savings.savings(method, first=DAY, last=DAY)
    return rows, total


def _national(t):
    return (t.trips_kes, t.time_kes, t.bribes_kes, t.total_kes)


CASES = [
    # (figure, how to read it from the rows, expected)
    (
        "served today/day before/last month",
        lambda w: _daily(w)["served"]["totals"],
        {"today": 3, "day_before": 2, "last_month": 1},
    ),
    (
        "served by service",
        lambda w: _by_name(
            _daily(w)["served"]["rows"], "code", "today", "day_before", "last_month"
        ),
        [("NRB-ID-DUPLICATE", 2, 2, 0), ("NHIF-REGISTRATION", 1, 0, 1)],
    ),
    (
        "waits within 30 min, total",
        lambda w: {k: _daily(w)["waits"][k] for k in ("n", "met", "pct")},
        {"n": 5, "met": 3, "pct": 60.0},
    ),
    (
        "waits by service, worst first",
        lambda w: _by_name(_daily(w)["waits"]["rows"], "code", "n", "met", "pct"),
        [
            ("KRA-PIN", 1, 0, 0.0),
            ("NRB-ID-DUPLICATE", 2, 1, 50.0),
            ("NHIF-REGISTRATION", 2, 2, 100.0),
        ],
    ),
    ("no-shows", lambda w: _daily(w)["no_shows"], 1),
    (
        "satisfaction",
        lambda w: {k: _daily(w)["satisfaction"][k] for k in ("ratings", "pct")},
        {"ratings": 3, "pct": 66.7},
    ),
    (
        "complaints received and overdue",
        lambda w: _daily(w)["complaints"],
        {"received": 2, "overdue": 1},
    ),
    ("applications breaching turnaround", lambda w: _daily(w)["breaches"]["count"], 1),
    (
        "revenue by channel",
        lambda w: _daily(w)["revenue"],
        {"mpesa": "300.00", "card": "500.00", "cash": "1050.00", "total": "1850.00"},
    ),
    (
        "cash-up of every officer",
        lambda w: _by_name(_daily(w)["cashups"], "officer", "cash_count", "cash_net", "card_taken"),
        [("Alice", 1, "1050.00", "500.00")],
    ),
    (
        "staff on duty",
        lambda w: _by_name(_daily(w)["staff"], "officer", "counters", "from", "to"),
        [
            ("Alice", [1], "08:55", "12:00"),
            ("Officer2", [2], "09:00", "10:00"),
            ("Officer3", [3], "09:00", "12:00"),
        ],
    ),
    (
        "counters idle while people waited",
        lambda w: _by_name(_daily(w)["idle"], "counter", "minutes"),
        [(3, 100), (2, 40), (1, 25)],
    ),
    (
        "wait standard per service (quarter)",
        lambda w: _compliance("wait", "service"),
        [
            ("KRA PIN registration", 2, 0, 0.0, 90.0),
            ("Replacement of a lost ID card", 6, 5, 83.3, 80.0),
            ("NHIF registration", 3, 3, 100.0, 90.0),
        ],
    ),
    (
        "wait standard per centre (weighted targets)",
        lambda w: _compliance("wait", "centre"),
        [("Huduma Centre Kisumu", 3, 2, 66.7, 83.3), ("Huduma Centre GPO", 8, 6, 75.0, 85.0)],
    ),
    (
        "wait standard per MDA",
        lambda w: [r[0] for r in _compliance("wait", "mda")],
        [
            "Kenya Revenue Authority",
            "National Registration Bureau",
            "National Hospital Insurance Fund",
        ],
    ),
    (
        "turnaround standard per service",
        lambda w: _compliance("turnaround", "service"),
        [("Replacement of a lost ID card", 2, 1, 50.0, 90.0)],
    ),
    ("appraisal: served", lambda w: _appraisal("alice")(w)["served"], 2),
    (
        "appraisal: time against peers, same services",
        lambda w: {
            k: _appraisal("alice")(w)["times"][k]
            for k in ("minutes", "expected_minutes", "index_pct")
        },
        {"minutes": 40.0, "expected_minutes": 20.0, "index_pct": 200.0},
    ),
    (
        "appraisal: a service nobody else served is left out",
        lambda w: {
            k: _appraisal("charlie")(w)["times"][k]
            for k in ("minutes", "expected_minutes", "index_pct")
        },
        {"minutes": 20.0, "expected_minutes": 40.0, "index_pct": 50.0},
    ),
    ("appraisal: satisfaction", lambda w: _appraisal("alice")(w)["satisfaction"]["pct"], 50.0),
    ("appraisal: complaints upheld", lambda w: _appraisal("alice")(w)["complaints_upheld"], 1),
    (
        "appraisal: no-shows declared",
        lambda w: appraisal.officer_figures(w.t4.officer, DAY, DAY)["no_shows"],
        1,
    ),
    (
        "appraisal: training held (staffing)",
        lambda w: {
            k: appraisal.officer_figures(w.alice, DAY - dt.timedelta(days=7), DAY)["training"][k]
            for k in ("sessions", "hours", "passed")
        },
        {"sessions": 1, "hours": "6.0", "passed": 1},
    ),
    (
        "savings per centre",
        lambda w: [
            (s.code, s.visits, s.services, s.trips_avoided, s.total_kes) for s in _savings(w)[0]
        ],
        [("gpo-nairobi", 2, 3, 1, Decimal("2625.00")), ("kisumu", 3, 3, 0, Decimal("2325.00"))],
    ),
    (
        "savings nationally",
        lambda w: _national(_savings(w)[1]),
        (Decimal("300.00"), Decimal("4050.00"), Decimal("600.00"), Decimal("4950.00")),
    ),
]


@pytest.mark.parametrize(("figure", "read", "expected"), CASES, ids=[c[0] for c in CASES])
def test_figure(scene, figure, read, expected):
    assert read(scene) == expected


MIX = [
    # (officer's rows, everyone's rows, index) - (service, served, mean minutes)
    (
        "hard services at the peers' pace is 100%, however slow they are",
        [(1, 10, 60.0)],
        [(1, 10, 60.0), (1, 30, 60.0)],
        100.0,
    ),
    (
        "quick services at the peers' pace is 100% too",
        [(2, 10, 5.0)],
        [(2, 10, 5.0), (2, 10, 5.0)],
        100.0,
    ),
    ("twice the peers' time on one service", [(1, 4, 20.0)], [(1, 4, 20.0), (1, 4, 10.0)], 200.0),
    (
        "weighted by the officer's own mix",
        [(1, 1, 30.0), (2, 3, 10.0)],
        [(1, 1, 30.0), (2, 3, 10.0), (1, 1, 60.0), (2, 1, 10.0)],
        66.7,
    ),
    ("no peers: no index", [(1, 5, 10.0)], [(1, 5, 10.0)], None),
]


@pytest.mark.parametrize(("case", "own", "everyone", "index"), MIX, ids=[m[0] for m in MIX])
def test_service_mix_adjustment(case, own, everyone, index):
    mine = [ServiceTime(officer_id=1, service_id=s, served=n, mean_minutes=m) for s, n, m in own]
    alls = mine + [
        ServiceTime(officer_id=2 + i, service_id=s, served=n, mean_minutes=m)
        for i, (s, n, m) in enumerate(everyone[len(own) :])
    ]
    # `everyone` lists the officer's own rows first, then the peers'.
    assert appraisal.mix_adjusted(mine, alls)["index_pct"] == index

"""Each figure of the national dashboard against rows the test makes: one table of cases.

Every case makes its rows through the ORM (so the database triggers mark the slices), runs the
rollup refresh, and reads the figure through the selectors the dashboard uses."""

import datetime as dt
from decimal import Decimal

import pytest

from huduma.insights import rollups
from huduma.insights.models import WaitTarget
from huduma.insights.selectors import (
    Cut,
    Period,
    complaints,
    outreach_reach,
    queue_breakdown,
    queue_totals,
    revenue_by,
    turnaround,
)
from huduma.places.models import SubCounty
from tests.insights_rows import DAY, Rows, at

PERIOD = Period(DAY, DAY)


def served_only_served(r, w):
    for status in ("served", "served", "served", "no_show", "cancelled"):
        r.ticket(status=status)
    r.ticket(status="waiting", wait_min=None)
    return lambda: _fields(queue_totals(PERIOD), "served", "tickets", "no_show", "cancelled")


def served_by_centre(r, w):
    r.ticket(centre=w.gpo)
    r.ticket(centre=w.gpo)
    r.ticket(centre=w.kisumu)
    return lambda: queue_totals(PERIOD, Cut(centre_id=w.gpo.pk)).served


def served_by_county(r, w):
    r.ticket(centre=w.gpo)
    r.ticket(centre=w.kisumu)
    r.ticket(centre=w.kisumu)
    return lambda: queue_totals(PERIOD, Cut(county_id=w.kisumu.county_id)).served


def served_by_mda_and_service(r, w):
    r.ticket(service=w.id_dup)
    r.ticket(service=w.nhif_reg)
    r.ticket(service=w.nhif_reg)
    return lambda: (
        queue_totals(PERIOD, Cut(mda_id=w.nhif.pk)).served,
        queue_totals(PERIOD, Cut(service_id=w.id_dup.pk)).served,
    )


def served_by_channel(r, w):
    r.ticket(channel="kiosk")
    r.ticket(channel="reception")
    r.ticket(channel="reception")
    return lambda: queue_totals(PERIOD, Cut(channel="kiosk")).served


def served_at_outreach(r, w):
    sub = SubCounty.objects.create(county=w.gpo.county, name="Westlands")
    r.outreach(sub_county=sub, prefix="Z")
    r.ticket(prefix="Z")
    r.ticket(prefix="Z", status="no_show")
    r.ticket(prefix="A")
    return lambda: (
        queue_totals(PERIOD, Cut(channel="outreach")).served,
        queue_totals(PERIOD, Cut(channel="reception")).served,
    )


def served_outside_period(r, w):
    r.ticket(day=DAY)
    r.ticket(day=DAY - dt.timedelta(days=1))
    r.ticket(day=DAY + dt.timedelta(days=1))
    return lambda: queue_totals(PERIOD).served


def wait_mean(r, w):
    for minutes in (10, 20, 30):
        r.ticket(wait_min=minutes)
    r.ticket(status="waiting", wait_min=None)  # not called yet: no wait counted
    return lambda: _fields(queue_totals(PERIOD), "wait_n", "wait_mean_min")


def wait_p90_in_first_bucket(r, w):
    for _ in range(9):
        r.ticket(wait_min=1)
    r.ticket(wait_min=50)
    return lambda: queue_totals(PERIOD).wait_p90_min  # the 9th of 10 waits: 1 minute


def wait_p90_in_its_bucket(r, w):
    for _ in range(8):
        r.ticket(wait_min=1)
    r.ticket(wait_min=100)
    r.ticket(wait_min=100)
    # The true p90 (100 min) lies in the bucket 90-120 min; half-way through it by rank.
    return lambda: queue_totals(PERIOD).wait_p90_min


def wait_within_charter(r, w):
    WaitTarget.objects.create(service=w.id_dup, minutes=10)
    for minutes in (5, 10, 15):
        r.ticket(service=w.id_dup, wait_min=minutes)
    for minutes in (20, 40):  # NHIF registration: the default charter of 30 minutes
        r.ticket(service=w.nhif_reg, wait_min=minutes)

    def read():
        t = queue_totals(PERIOD)
        by_service = {f.key: f.within_pct for f in queue_breakdown(PERIOD, Cut(), "service_id")}
        return (t.within, t.wait_n, by_service[w.id_dup.pk], by_service[w.nhif_reg.pk])

    return read


def service_time(r, w):
    r.ticket(service_min=4)
    r.ticket(service_min=6)
    r.ticket(status="no_show", service_min=50)
    return lambda: queue_totals(PERIOD).service_mean_min


def no_shows(r, w):
    for status in ("served", "served", "cancelled", "no_show"):
        r.ticket(status=status)
    return lambda: _fields(queue_totals(PERIOD), "no_show", "no_show_pct")


def csat(r, w):
    for score in (5, 4, 2):
        r.ticket(score=score)
    r.ticket()  # served, not rated
    return lambda: _fields(
        queue_totals(PERIOD).satisfaction, "csat_pct", "ratings", "ended", "response_pct"
    )


def turnaround_compliance(r, w):
    yesterday = DAY - dt.timedelta(days=1)
    r.application(due_on=yesterday)
    r.application(due_on=yesterday, status="ready")
    r.application(due_on=yesterday, breached=True)
    r.application(due_on=DAY)  # due today: not judged yet
    period = Period(yesterday - dt.timedelta(days=3), DAY)
    return lambda: _fields(
        *turnaround(period, today=DAY), "due", "breached", "compliance_pct", "still_open"
    )


def complaint_figures(r, w):
    r.complaint(category="service_quality")
    r.complaint(category="service_quality", overdue=True)
    r.complaint(category="bribery", status="closed", resolved_after=dt.timedelta(days=2, hours=12))
    r.complaint(received=at(DAY - dt.timedelta(days=2)))  # before the period
    return lambda: _fields(
        complaints(PERIOD), "received", "by_category", "still_open", "overdue", "resolve_mean_days"
    )


def complaint_late_in_the_nairobi_day(r, w):
    # 23:30 in Nairobi is 20:30 UTC the same day; 00:30 the next day is 21:30 UTC of DAY.
    r.complaint(received=at(DAY, 23, 30))
    r.complaint(received=at(DAY + dt.timedelta(days=1), 0, 30))
    return lambda: complaints(PERIOD).received


def revenue_net_of_refunds(r, w):
    paid = r.entry(amount="100.00", mda=w.nrb)
    r.entry(amount="100.00", mda=w.nrb)
    r.entry(kind="refund", amount="50.00", mda=w.nrb, refund_of=paid)
    r.entry(amount="300.00", mda=w.nhif, service=w.nhif_reg)
    r.entry(kind="held", amount="999.00", mda=w.nhif, service=w.nhif_reg)
    return lambda: (
        [(x.key, x.paid_kes, x.refunded_kes, x.net_kes) for x in revenue_by(PERIOD)]
        == [
            (w.nhif.pk, Decimal("300.00"), Decimal("0.00"), Decimal("300.00")),
            (w.nrb.pk, Decimal("200.00"), Decimal("50.00"), Decimal("150.00")),
        ]
    )


def outreach_share(r, w):
    subs = [
        SubCounty.objects.create(county=w.gpo.county, name=n)
        for n in ("Westlands", "Kibra", "Embakasi East")
    ]
    r.outreach(sub_county=subs[0], prefix="Z")
    r.outreach(sub_county=subs[1], prefix="Y", status="cancelled")
    r.ticket(prefix="Z")
    r.ticket(prefix="Z")
    return lambda: _fields(
        *outreach_reach(PERIOD, Cut(county_id=w.gpo.county_id)),
        "sub_counties",
        "visited",
        "share_pct",
        "citizens_served",
    )


CASES = [
    (served_only_served, (3, 6, 1, 1)),
    (served_by_centre, 2),
    (served_by_county, 2),
    (served_by_mda_and_service, (2, 1)),
    (served_by_channel, 1),
    (served_at_outreach, (1, 1)),
    (served_outside_period, 1),
    (wait_mean, (3, 20.0)),
    (wait_p90_in_first_bucket, 1.0),
    (wait_p90_in_its_bucket, 105.0),
    (wait_within_charter, (3, 5, 66.7, 50.0)),
    (service_time, 5.0),
    (no_shows, (1, 25.0)),
    (csat, (66.7, 3, 4, 75.0)),
    (turnaround_compliance, (3, 1, 66.7, 2)),
    (
        complaint_figures,
        (3, {"bribery": 1, "service_quality": 2}, 2, 1, 2.5),
    ),
    (complaint_late_in_the_nairobi_day, 1),
    (revenue_net_of_refunds, True),
    (outreach_share, (3, 1, 33.3, 2)),
]


def _fields(obj, *names):
    return tuple(getattr(obj, n) for n in names)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_figure(world, case, expected):
    read = case(Rows(world), world)
    rollups.refresh()  # what the triggers marked, as the task does every minute
    assert read() == expected
    # A rebuild from the apps' rows gives the same figure.
    rollups.rebuild(DAY - dt.timedelta(days=7), DAY + dt.timedelta(days=1))
    assert read() == expected


@pytest.mark.django_db
def test_figures_wait_for_the_refresh(world):
    Rows(world).ticket()
    assert queue_totals(PERIOD).served == 0
    rollups.refresh()
    assert queue_totals(PERIOD).served == 1

"""Reads of the national dashboard, the open data and other apps' reports (performance): every
figure for any period and cut, from the rollup tables only - never from raw tickets.

`Period` picks the grain: up to MAX_DAILY_DAYS days reads the day tables; a longer period is
widened to whole months and reads the month tables. `Cut` narrows to a county, centre, MDA,
service or channel ("outreach" for Huduma Mashinani). Figures come back as frozen dataclasses
whose properties do the arithmetic (means, p90 from the wait histogram, shares)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Q, Sum

from huduma.feedback.selectors import STANDARD_PCT, Figures
from huduma.insights.models import (
    LEVELS,
    WAIT_BUCKETS,
    WAIT_EDGES_S,
    ApplicationDay,
    ApplicationMonth,
    ComplaintDay,
    CounterDay,
    QueueCentreDay,
    QueueCentreMonth,
    QueueChannelDay,
    QueueChannelMonth,
    QueueDay,
    QueueMdaDay,
    QueueMdaMonth,
    QueueMonth,
    RevenueDay,
    RevenueMonth,
)

MAX_DAILY_DAYS = 62
OUTREACH = "outreach"
CSAT_STANDARD_PCT = STANDARD_PCT


# --- period and cut -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def monthly(self) -> bool:
        return (self.last - self.first).days + 1 > MAX_DAILY_DAYS

    def snapped(self) -> "Period":
        """The period the figures cover: as asked, or widened to whole months."""
        if not self.monthly:
            return self
        last = (self.last.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        return Period(self.first.replace(day=1), last - dt.timedelta(days=1))

    def months(self) -> list[dt.date]:
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Cut:
    county_id: int | None = None
    centre_id: int | None = None
    mda_id: int | None = None
    service_id: int | None = None
    channel: str | None = None

    def filters(self, *, has: tuple[str, ...]) -> dict:
        """The cut as ORM filters, on the dimensions a table `has`."""
        wanted = {
            "county_id": self.county_id,
            "centre_id": self.centre_id,
            "mda_id": self.mda_id,
            "service_id": self.service_id,
            "channel": self.channel,
        }
        return {k: v for k, v in wanted.items() if v not in (None, "") and k in has}

    def ignored(self, *, has: tuple[str, ...]) -> list[str]:
        """The parts of the cut a table cannot honour (shown on the page)."""
        return [k for k, v in self.filters(has=tuple(self.__dict__)).items() if k not in has]


def _window(model, period: Period) -> Q:
    column = "month" if model in _MONTH_TABLES else "day"
    return Q(**{f"{column}__gte": period.first, f"{column}__lte": period.last})


_MONTH_TABLES = (
    QueueMonth,
    QueueCentreMonth,
    QueueMdaMonth,
    QueueChannelMonth,
    RevenueMonth,
    ApplicationMonth,
)


def _dims(model) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields)


def _query(day_model, month_model, period: Period, cut: Cut):
    period = period.snapped()
    model = month_model if (period.monthly and month_model is not None) else day_model
    return model, model.objects.filter(_window(model, period), **cut.filters(has=_dims(model)))


# --- the wait histogram -------------------------------------------------------------------------


def percentile_s(buckets: tuple[int, ...], q: float) -> float | None:
    """The q-quantile (0 < q <= 1) of the waits counted in `buckets`, in seconds: linear within
    the bucket it falls in (so exact to within that bucket's width); the open last bucket
    returns its lower edge (at least that long)."""
    total = sum(buckets)
    if not total:
        return None
    rank = q * total
    seen, low = 0, 0
    for count, high in zip(buckets, (*WAIT_EDGES_S, None), strict=True):
        if count and seen + count >= rank:
            if high is None:
                return float(low)
            return low + (high - low) * (rank - seen) / count
        seen += count
        low = high if high is not None else low
    return float(low)


# --- queue figures -------------------------------------------------------------------------------

QUEUE_SUMS = (
    "tickets_n",
    "served_n",
    "no_show_n",
    "cancelled_n",
    "wait_n",
    "wait_sum_s",
    "service_n",
    "service_sum_s",
    "within_n",
    *WAIT_BUCKETS,
    *LEVELS,
)


@dataclass(frozen=True)
class QueueFigures:
    """Tickets of a group over a period: counts, waits against the charter, service times and
    satisfaction (CSAT computed by feedback's own Figures, over ratings; response rate over
    tickets ended)."""

    key: object = None
    label: str = ""
    tickets: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    wait_n: int = 0
    wait_sum_s: int = 0
    service_n: int = 0
    service_sum_s: int = 0
    buckets: tuple[int, ...] = (0,) * len(WAIT_BUCKETS)
    levels: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    within: int = 0  # waits within their service's charter target (as in force then)

    @property
    def wait_mean_min(self) -> float | None:
        return round(self.wait_sum_s / self.wait_n / 60, 1) if self.wait_n else None

    @property
    def wait_p90_min(self) -> float | None:
        p90 = percentile_s(self.buckets, 0.9)
        return None if p90 is None else round(p90 / 60, 1)

    @property
    def within_pct(self) -> float | None:
        return round(100 * self.within / self.wait_n, 1) if self.wait_n else None

    @property
    def service_mean_min(self) -> float | None:
        return round(self.service_sum_s / self.service_n / 60, 1) if self.service_n else None

    @property
    def ended(self) -> int:
        return self.served + self.no_show + self.cancelled

    @property
    def no_show_pct(self) -> float | None:
        return round(100 * self.no_show / self.ended, 1) if self.ended else None

    @property
    def satisfaction(self) -> Figures:
        return Figures(key=self.key, label=self.label, levels=self.levels, ended=self.ended)


def _grouped(queryset, by: tuple[str, ...], sums: tuple[str, ...]) -> list[dict]:
    return list(queryset.values(*by).annotate(**{s: Sum(s) for s in sums}).order_by(*by))


def _figures(row: dict, key=None, label="") -> QueueFigures:
    return QueueFigures(
        key=key,
        label=label,
        tickets=row["s_tickets_n"] or 0,
        served=row["s_served_n"] or 0,
        no_show=row["s_no_show_n"] or 0,
        cancelled=row["s_cancelled_n"] or 0,
        wait_n=row["s_wait_n"] or 0,
        wait_sum_s=row["s_wait_sum_s"] or 0,
        service_n=row["s_service_n"] or 0,
        service_sum_s=row["s_service_sum_s"] or 0,
        buckets=tuple(row[f"s_{b}"] or 0 for b in WAIT_BUCKETS),
        levels=tuple(row[f"s_{level}"] or 0 for level in LEVELS),
        within=row["s_within_n"] or 0,
    )


def _queue_rows(queryset, by: tuple[str, ...]) -> list[dict]:
    """The queue sums per value of the columns `by`, summed in the database."""
    aggregates = {f"s_{s}": Sum(s) for s in QUEUE_SUMS}
    if not by:
        return [queryset.aggregate(**aggregates)]
    return list(queryset.values(*by).annotate(**aggregates).order_by(*by))


def _queue_by(queryset, by: str | None) -> dict[object, QueueFigures]:
    """Figures per value of `by` (one group, key None, when None)."""
    rows = _queue_rows(queryset, (by,) if by else ())
    return {(row[by] if by else None): _figures(row, key=row[by] if by else None) for row in rows}


# The queue's tables, smallest first: (day model, month model). A view reads the first whose
# dimensions hold its cut and its grouping (rollups.QUEUE_DERIVED fills them).
QUEUE_TABLES = (
    (QueueCentreDay, QueueCentreMonth),
    (QueueChannelDay, QueueChannelMonth),
    (QueueMdaDay, QueueMdaMonth),
    (QueueDay, QueueMonth),
)


def _queue_query(period: Period, cut: Cut, group: str | None = None):
    needed = set(cut.filters(has=QUEUE_DIMS_ALL))
    if group is not None:
        needed.add(group)
    for day_model, month_model in QUEUE_TABLES:
        if needed <= set(_dims(day_model)):
            return _query(day_model, month_model, period, cut)
    raise ValueError(f"no queue table has {sorted(needed)}")


QUEUE_DIMS_ALL = ("county_id", "centre_id", "mda_id", "service_id", "channel")


def queue_totals(period: Period, cut: Cut = Cut()) -> QueueFigures:
    _model, rows = _queue_query(period, cut)
    return _queue_by(rows, None).get(None, QueueFigures())


@dataclass(frozen=True)
class TrendPoint:
    start: dt.date  # the day, or the first of the month
    figures: QueueFigures


def queue_trend(period: Period, cut: Cut = Cut()) -> list[TrendPoint]:
    """One point per day (or month) of the period, days without tickets included as zeros."""
    model, rows = _queue_query(period, cut)
    column = "month" if model in _MONTH_TABLES else "day"
    by = _queue_by(rows, column)
    snapped = period.snapped()
    if column == "month":
        starts = snapped.months()
    else:
        starts = [
            snapped.first + dt.timedelta(days=n)
            for n in range((snapped.last - snapped.first).days + 1)
        ]
    return [TrendPoint(start=s, figures=by.get(s, QueueFigures(key=s))) for s in starts]


BREAKDOWNS = ("county_id", "centre_id", "service_id", "mda_id", "channel")


def queue_breakdown(period: Period, cut: Cut, by: str) -> list[QueueFigures]:
    """Figures per county, centre, service, MDA or channel (largest first); per counter or
    officer (from the counter table: give a centre in the cut)."""
    if by in ("counter_id", "officer_id"):
        return counter_breakdown(period, cut, by)
    if by not in BREAKDOWNS:
        raise ValueError(by)
    _model, rows = _queue_query(period, cut, by)
    groups = _queue_by(rows, by)
    return sorted(groups.values(), key=lambda f: (-f.tickets, str(f.key)))


def counter_breakdown(period: Period, cut: Cut, by: str = "counter_id") -> list[QueueFigures]:
    """Per counter (or officer) of one centre: the drill-down below a service, and what an
    officer's appraisal reads. The period is read by day whatever its length (one centre's
    counters are few rows)."""
    if cut.centre_id is None:
        raise ValueError("a counter breakdown needs a centre")
    rows = CounterDay.objects.filter(
        day__gte=period.first, day__lte=period.last, **cut.filters(has=_dims(CounterDay))
    )
    groups = _queue_by(rows, by)
    return sorted(groups.values(), key=lambda f: (-f.tickets, str(f.key)))


# --- revenue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revenue:
    key: object = None
    paid_kes: Decimal = Decimal("0.00")
    refunded_kes: Decimal = Decimal("0.00")
    payments: int = 0
    refunds: int = 0

    @property
    def net_kes(self) -> Decimal:
        return self.paid_kes - self.refunded_kes


def revenue_by(period: Period, cut: Cut = Cut(), by: str = "mda_id") -> list[Revenue]:
    """Ledger payments less refunds, per MDA (or centre, service...), largest net first."""
    _model, rows = _query(RevenueDay, RevenueMonth, period, cut)
    sums = ("paid_kes", "refunded_kes", "payments_n", "refunds_n")
    out = [
        Revenue(
            key=row[by],
            paid_kes=row["paid_kes"] or Decimal("0.00"),
            refunded_kes=row["refunded_kes"] or Decimal("0.00"),
            payments=row["payments_n"] or 0,
            refunds=row["refunds_n"] or 0,
        )
        for row in _grouped(rows, (by,), sums)
    ]
    return sorted(out, key=lambda r: (-r.net_kes, str(r.key)))


def revenue_total(period: Period, cut: Cut = Cut()) -> Revenue:
    rows = revenue_by(period, cut, by="centre_id")
    return Revenue(
        paid_kes=sum((r.paid_kes for r in rows), Decimal("0.00")),
        refunded_kes=sum((r.refunded_kes for r in rows), Decimal("0.00")),
        payments=sum(r.payments for r in rows),
        refunds=sum(r.refunds for r in rows),
    )


# --- applications --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turnaround:
    key: object = None
    due: int = 0  # applications whose turnaround fell due in the period (up to yesterday)
    breached: int = 0
    still_open: int = 0

    @property
    def met(self) -> int:
        return self.due - self.breached

    @property
    def compliance_pct(self) -> float | None:
        return round(100 * self.met / self.due, 1) if self.due else None


def turnaround(
    period: Period, cut: Cut = Cut(), *, today: dt.date, by: str | None = None
) -> list[Turnaround]:
    """Turnaround compliance of applications due in the period: the share whose charter
    turnaround was not breached. Days from today on are left out (not yet judged)."""
    last = min(period.snapped().last, today - dt.timedelta(days=1))
    if last < period.first:
        return [Turnaround()] if by is None else []
    judged = Period(period.first, last)
    model, rows = _query(ApplicationDay, ApplicationMonth, judged, cut)
    if model is ApplicationMonth:  # whole months, but never days not yet judged
        rows = ApplicationDay.objects.filter(
            day__gte=judged.snapped().first, day__lte=last, **cut.filters(has=_dims(ApplicationDay))
        )
    keys = (by,) if by else ()
    grouped = (
        _grouped(rows, keys, ("due_n", "breached_n", "open_n"))
        if keys
        else [
            rows.aggregate(due_n=Sum("due_n"), breached_n=Sum("breached_n"), open_n=Sum("open_n"))
        ]
    )
    return [
        Turnaround(
            key=row.get(by) if by else None,
            due=row["due_n"] or 0,
            breached=row["breached_n"] or 0,
            still_open=row["open_n"] or 0,
        )
        for row in grouped
    ]


# --- complaints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Complaints:
    received: int = 0
    still_open: int = 0
    overdue: int = 0
    resolved: int = 0
    resolve_sum_s: int = 0
    by_category: dict = field(default_factory=dict)  # category -> received

    @property
    def resolve_mean_days(self) -> float | None:
        return round(self.resolve_sum_s / self.resolved / 86400, 1) if self.resolved else None


def complaints(period: Period, cut: Cut = Cut()) -> Complaints:
    """Complaints received in the period: how many, by category, how many are still open or
    flagged overdue now, and the mean time to resolve those resolved."""
    period = period.snapped()
    rows = ComplaintDay.objects.filter(
        day__gte=period.first, day__lte=period.last, **cut.filters(has=_dims(ComplaintDay))
    )
    sums = ("received_n", "open_n", "overdue_n", "resolved_n", "resolve_sum_s")
    by_category = {r["category"]: r for r in _grouped(rows, ("category",), sums)}

    def total(name: str) -> int:
        return sum(r[name] or 0 for r in by_category.values())

    return Complaints(
        received=total("received_n"),
        still_open=total("open_n"),
        overdue=total("overdue_n"),
        resolved=total("resolved_n"),
        resolve_sum_s=total("resolve_sum_s"),
        by_category={k: r["received_n"] for k, r in sorted(by_category.items())},
    )


def complaints_open_now(cut: Cut = Cut()) -> tuple[int, int]:
    """Complaints open and flagged overdue today, whenever they were received."""
    row = ComplaintDay.objects.filter(**cut.filters(has=_dims(ComplaintDay))).aggregate(
        o=Sum("open_n"), d=Sum("overdue_n")
    )
    return row["o"] or 0, row["d"] or 0


# --- outreach ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    month: dt.date
    sub_counties: int  # in the cut's counties
    visited: int  # of those, visited by an outreach held that month
    citizens_served: int  # tickets served at outreaches that month

    @property
    def share_pct(self) -> float | None:
        return round(100 * self.visited / self.sub_counties, 1) if self.sub_counties else None


def outreach_reach(period: Period, cut: Cut = Cut()) -> list[Reach]:
    """Each month of the period: the share of sub-counties visited by a Huduma Mashinani that
    was held (or closed after being held), and the tickets served at outreaches. Outreach
    plans are small tables (one row per centre, sub-county and month), read directly."""
    from huduma.outreach.plan_models import Outreach
    from huduma.places.models import Centre, SubCounty

    months = period.snapped().months()
    sub_counties = SubCounty.objects.all()
    outreaches = Outreach.objects.filter(
        month__in=months, status__in=[Outreach.Status.HELD, Outreach.Status.CLOSED]
    )
    if cut.county_id:
        sub_counties = sub_counties.filter(county_id=cut.county_id)
        outreaches = outreaches.filter(sub_county__county_id=cut.county_id)
    if cut.centre_id:
        county = Centre.objects.filter(pk=cut.centre_id).values("county_id")
        sub_counties = sub_counties.filter(county_id__in=county)
        outreaches = outreaches.filter(centre_id=cut.centre_id)
    visited = defaultdict(set)
    for month, sub in outreaches.values_list("month", "sub_county_id"):
        visited[month].add(sub)
    total = sub_counties.count()
    served = _served_at_outreach(period, cut)
    return [
        Reach(
            month=m, sub_counties=total, visited=len(visited[m]), citizens_served=served.get(m, 0)
        )
        for m in months
    ]


def _served_at_outreach(period: Period, cut: Cut) -> dict[dt.date, int]:
    period = period.snapped()
    rows = QueueChannelDay.objects.filter(
        day__gte=period.first.replace(day=1),
        day__lte=period.last,
        **replace(cut, channel=OUTREACH).filters(has=_dims(QueueChannelDay)),
    ).values_list("day", "served_n")
    out: dict[dt.date, int] = defaultdict(int)
    for day, served in rows:
        out[day.replace(day=1)] += served
    return out


# --- open data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDataRow:
    month: dt.date
    centre_id: int
    figures: QueueFigures
    complaints_received: int
    revenue_net_kes: Decimal


def open_data(*, first_month: dt.date, last_month: dt.date) -> list[OpenDataRow]:
    """Per centre and month: the published figures. No personal data exists in the rollups
    (no phone, name, officer or ticket), and none is read here."""
    # The last day of the last month (the complaints table is by day).
    last_day = (last_month.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(
        days=1
    )
    queue = {
        (row["month"], row["centre_id"]): _figures(row, key=(row["month"], row["centre_id"]))
        for row in _queue_rows(
            QueueCentreMonth.objects.filter(month__gte=first_month, month__lte=last_month),
            ("month", "centre_id"),
        )
    }
    complaints_by: dict[tuple, int] = defaultdict(int)
    for day, centre, n in ComplaintDay.objects.filter(
        day__gte=first_month, day__lte=last_day
    ).values_list("day", "centre_id", "received_n"):
        complaints_by[(day.replace(day=1), centre)] += n
    revenue: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in _grouped(
        RevenueMonth.objects.filter(month__gte=first_month, month__lte=last_month),
        ("month", "centre_id"),
        ("paid_kes", "refunded_kes"),
    ):
        revenue[(row["month"], row["centre_id"])] += row["paid_kes"] - row["refunded_kes"]
    keys = sorted(set(queue) | set(revenue) | {k for k in complaints_by if k[1]})
    return [
        OpenDataRow(
            month=month,
            centre_id=centre,
            figures=queue.get((month, centre), QueueFigures(key=(month, centre))),
            complaints_received=complaints_by.get((month, centre), 0),
            revenue_net_kes=revenue.get((month, centre), Decimal("0.00")),
        )
        for month, centre in keys
    ]

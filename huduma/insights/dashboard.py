"""The national dashboard for one period and cut: every figure, the trends as charts and the
drill-down table of the level below (nation -> centre -> service -> counter), with names."""

import datetime as dt
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from huduma.catalogue.models import MDA, Service
from huduma.complaints.models import Category
from huduma.insights import charts, selectors
from huduma.insights.forms import channel_choices
from huduma.insights.models import DEFAULT_WAIT_TARGET_MIN
from huduma.insights.selectors import Cut, Period, QueueFigures
from huduma.places.models import Centre, Counter, County


def labels(column: str, keys) -> dict:
    """Names for the keys of a dimension column, in the active language."""
    keys = [k for k in keys if k not in (None, 0, "")]
    if column == "centre_id":
        return dict(Centre.objects.filter(pk__in=keys).values_list("pk", "name"))
    if column == "county_id":
        return dict(County.objects.filter(pk__in=keys).values_list("pk", "name"))
    if column == "service_id":
        return {s.pk: s.name for s in Service.objects.filter(pk__in=keys)}
    if column == "mda_id":
        return {m.pk: m.name for m in MDA.objects.filter(pk__in=keys)}
    if column == "counter_id":
        return {
            c.pk: (_("Counter %(n)s") % {"n": c.number}) + (f" {c.name}" if c.name else "")
            for c in Counter.objects.filter(pk__in=keys)
        }
    if column == "channel":
        return {k: str(v) for k, v in channel_choices() if k}
    if column == "category":
        return {k: str(v) for k, v in Category.choices}
    return {}


# The drill-down: the column of the table below the current level, and the query parameter a
# row sets to go one level down (None: the bottom).
def drill(cut: Cut) -> tuple[str, str | None]:
    if cut.centre_id and cut.service_id:
        return "counter_id", None
    if cut.centre_id:
        return "service_id", "service"
    return "centre_id", "centre"


@dataclass(frozen=True)
class Row:
    key: object
    label: str
    figures: QueueFigures


@dataclass(frozen=True)
class Crumb:
    label: str
    drop: tuple[str, ...]  # query parameters removed to go back up to this level


@dataclass(frozen=True)
class Dashboard:
    period: Period  # as asked
    shown: Period  # as covered (whole months for a long period)
    cut: Cut
    today: dt.date
    totals: QueueFigures
    trend: list[selectors.TrendPoint]
    served_chart: charts.LineChart
    wait_chart: charts.LineChart
    csat_chart: charts.LineChart
    level_by: str
    level_param: str | None
    rows: list[Row]
    by_mda: list[Row]
    by_channel: list[Row]
    revenue: list[tuple[str, selectors.Revenue]]
    revenue_total: selectors.Revenue
    turnaround: selectors.Turnaround
    turnaround_by_mda: list[tuple[str, selectors.Turnaround]]
    complaints: selectors.Complaints
    complaint_categories: list[tuple[str, int]]
    complaints_chart: charts.BarChart
    open_now: int
    overdue_now: int
    reach: list[selectors.Reach]
    crumbs: list[Crumb]
    wait_target_min: int
    csat_standard: int


def _rows(figures: list[QueueFigures], column: str) -> list[Row]:
    names = labels(column, [f.key for f in figures])
    return [Row(key=f.key, label=names.get(f.key, str(f.key)), figures=f) for f in figures]


def _crumbs(cut: Cut) -> list[Crumb]:
    crumbs = [Crumb(_("Kenya"), ("county", "centre", "service"))]
    if cut.county_id:
        crumbs.append(
            Crumb(
                labels("county_id", [cut.county_id]).get(cut.county_id, ""), ("centre", "service")
            )
        )
    if cut.centre_id:
        crumbs.append(
            Crumb(labels("centre_id", [cut.centre_id]).get(cut.centre_id, ""), ("service",))
        )
    if cut.service_id:
        crumbs.append(Crumb(labels("service_id", [cut.service_id]).get(cut.service_id, ""), ()))
    return crumbs


def _label(point: selectors.TrendPoint, monthly: bool) -> str:
    return point.start.strftime("%Y-%m" if monthly else "%d %b")


def dashboard(period: Period, cut: Cut, *, today: dt.date) -> Dashboard:
    shown = period.snapped()
    totals = selectors.queue_totals(period, cut)
    trend = selectors.queue_trend(period, cut)
    monthly = shown.monthly
    level_by, level_param = drill(cut)
    if level_by == "counter_id":
        level = selectors.counter_breakdown(shown, cut)
    else:
        level = selectors.queue_breakdown(period, cut, level_by)
    revenue = selectors.revenue_by(period, cut, by="mda_id")
    mda_names = labels("mda_id", [r.key for r in revenue])
    turnaround_by_mda = selectors.turnaround(period, cut, today=today, by="mda_id")
    t_names = labels("mda_id", [t.key for t in turnaround_by_mda])
    [turnaround_total] = selectors.turnaround(period, cut, today=today)
    complaint_figures = selectors.complaints(period, cut)
    categories = labels("category", complaint_figures.by_category)
    category_rows = [(categories.get(k, k), n) for k, n in complaint_figures.by_category.items()]
    open_now, overdue_now = selectors.complaints_open_now(cut)
    return Dashboard(
        period=period,
        shown=shown,
        cut=cut,
        today=today,
        totals=totals,
        trend=trend,
        served_chart=charts.line_chart([(_label(p, monthly), p.figures.served) for p in trend]),
        wait_chart=charts.line_chart(
            [(_label(p, monthly), p.figures.wait_p90_min) for p in trend],
            target=DEFAULT_WAIT_TARGET_MIN,
            unit=" min",
        ),
        csat_chart=charts.line_chart(
            [(_label(p, monthly), p.figures.satisfaction.csat_pct) for p in trend],
            target=selectors.CSAT_STANDARD_PCT,
            unit="%",
        ),
        level_by=level_by,
        level_param=level_param,
        rows=_rows(level, level_by),
        by_mda=_rows(selectors.queue_breakdown(period, replace(cut), "mda_id"), "mda_id"),
        by_channel=_rows(selectors.queue_breakdown(period, cut, "channel"), "channel"),
        revenue=[(mda_names.get(r.key, str(r.key)), r) for r in revenue],
        revenue_total=selectors.revenue_total(period, cut),
        turnaround=turnaround_total,
        turnaround_by_mda=[(t_names.get(t.key, str(t.key)), t) for t in turnaround_by_mda],
        complaints=complaint_figures,
        complaint_categories=category_rows,
        complaints_chart=charts.bar_chart(category_rows),
        open_now=open_now,
        overdue_now=overdue_now,
        reach=selectors.outreach_reach(period, cut),
        crumbs=_crumbs(cut),
        wait_target_min=DEFAULT_WAIT_TARGET_MIN,
        csat_standard=selectors.CSAT_STANDARD_PCT,
    )

"""The dashboard's tables and the open data as rows: one source for CSV, JSON and the page."""

from django.utils.translation import gettext as _

from huduma.insights.dashboard import Dashboard, labels
from huduma.insights.selectors import OpenDataRow, QueueFigures


def _dash(value):
    return "" if value is None else value


def queue_header() -> list[str]:
    return [
        _("Tickets"),
        _("Served"),
        _("No-shows"),
        _("Mean wait (min)"),
        _("p90 wait (min)"),
        _("Waits within charter (%)"),
        _("Mean service time (min)"),
        _("Satisfied (4-5) (%)"),
        _("Ratings"),
        _("Response rate (%)"),
    ]


def queue_cells(f: QueueFigures) -> list:
    s = f.satisfaction
    return [
        f.tickets,
        f.served,
        f.no_show,
        _dash(f.wait_mean_min),
        _dash(f.wait_p90_min),
        _dash(f.within_pct),
        _dash(f.service_mean_min),
        _dash(s.csat_pct),
        s.ratings,
        _dash(s.response_pct),
    ]


TABLES = ("level", "trend", "mda", "channel", "revenue", "turnaround", "complaints", "outreach")


def table(dash: Dashboard, name: str) -> tuple[list[str], list[list]]:
    """(header, rows) of one of the dashboard's tables (TABLES)."""
    if name == "level":
        return [_("Name"), *queue_header()], [[r.label, *queue_cells(r.figures)] for r in dash.rows]
    if name == "trend":
        return [_("Period"), *queue_header()], [
            [p.start.isoformat(), *queue_cells(p.figures)] for p in dash.trend
        ]
    if name in ("mda", "channel"):
        rows = dash.by_mda if name == "mda" else dash.by_channel
        return [_("Name"), *queue_header()], [[r.label, *queue_cells(r.figures)] for r in rows]
    if name == "revenue":
        return [_("MDA"), _("Paid (KES)"), _("Refunded (KES)"), _("Net (KES)")], [
            [label, r.paid_kes, r.refunded_kes, r.net_kes] for label, r in dash.revenue
        ]
    if name == "turnaround":
        return [_("MDA"), _("Due"), _("Breached"), _("Compliance (%)"), _("Still open")], [
            [label, t.due, t.breached, _dash(t.compliance_pct), t.still_open]
            for label, t in dash.turnaround_by_mda
        ]
    if name == "complaints":
        return [_("Category"), _("Received")], [list(row) for row in dash.complaint_categories]
    if name == "outreach":
        return [
            _("Month"),
            _("Sub-counties"),
            _("Visited"),
            _("Share visited (%)"),
            _("Citizens served at outreaches"),
        ], [
            [
                r.month.strftime("%Y-%m"),
                r.sub_counties,
                r.visited,
                _dash(r.share_pct),
                r.citizens_served,
            ]
            for r in dash.reach
        ]
    raise KeyError(name)


OPEN_DATA_FIELDS = (
    "month",
    "centre_code",
    "centre",
    "county",
    "tickets",
    "served",
    "no_shows",
    "wait_mean_min",
    "wait_p90_min",
    "waits_within_charter_pct",
    "service_time_mean_min",
    "ratings",
    "ratings_satisfied",
    "csat_pct",
    "response_rate_pct",
    "complaints_received",
    "revenue_net_kes",
)


def open_data_records(rows: list[OpenDataRow]) -> list[dict]:
    """One dict per centre and month, keys OPEN_DATA_FIELDS; nothing about any person."""
    from huduma.places.models import Centre

    centres = {
        c.pk: c
        for c in Centre.objects.select_related("county").filter(pk__in={r.centre_id for r in rows})
    }
    records = []
    for r in rows:
        centre = centres.get(r.centre_id)
        f, s = r.figures, r.figures.satisfaction
        records.append(
            {
                "month": r.month.strftime("%Y-%m"),
                "centre_code": centre.code if centre else "",
                "centre": centre.name if centre else "",
                "county": centre.county.name if centre else "",
                "tickets": f.tickets,
                "served": f.served,
                "no_shows": f.no_show,
                "wait_mean_min": f.wait_mean_min,
                "wait_p90_min": f.wait_p90_min,
                "waits_within_charter_pct": f.within_pct,
                "service_time_mean_min": f.service_mean_min,
                "ratings": s.ratings,
                "ratings_satisfied": s.satisfied,
                "csat_pct": s.csat_pct,
                "response_rate_pct": s.response_pct,
                "complaints_received": r.complaints_received,
                "revenue_net_kes": str(r.revenue_net_kes),
            }
        )
    return records


__all__ = ["TABLES", "labels", "open_data_records", "table"]

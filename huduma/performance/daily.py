"""The Centre Manager's daily report: one centre's day in figures, read from each app's
selectors, kept as a JSON picture (DailyReport.figures) that the page, the PDF and the email
all render."""

import datetime as dt
from decimal import Decimal

from django.conf import settings

from huduma.applications import selectors as applications
from huduma.catalogue.models import Service
from huduma.complaints import selectors as complaints
from huduma.core import clock
from huduma.feedback import selectors as feedback
from huduma.payments import selectors as payments
from huduma.places import hours
from huduma.places.models import Centre
from huduma.queues import selectors as queues

# "The same weekday last month": four weeks before, so a Monday is compared with a Monday.
LAST_MONTH = dt.timedelta(days=28)
BREACHES_LISTED = 10


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    since = dt.datetime.combine(day, dt.time.min, tzinfo=clock.NAIROBI)
    return since, since + dt.timedelta(days=1)


def closing_time(centre: Centre, day: dt.date) -> dt.datetime | None:
    """When the centre closes that day (its charter's hours), or None when closed all day."""
    opening = hours.hours_on(centre, day)
    if opening is None:
        return None
    return dt.datetime.combine(day, opening[1], tzinfo=clock.NAIROBI)


def _names(service: Service) -> dict:
    return {"code": service.code, "name_en": service.name_en, "name_sw": service.name_sw}


def _pct(met: int, n: int) -> float | None:
    return round(100 * met / n, 1) if n else None


def daily_figures(centre: Centre, day: dt.date, now: dt.datetime | None = None) -> dict:
    """Everything the one-page report shows, JSON-able (money as strings of Decimal)."""
    now = now or clock.now()
    since, until = day_bounds(day)

    def served_on(other: dt.date) -> dict:
        first, last = day_bounds(other)
        return queues.served_counts(since=first, until=last, centre=centre)

    counts = {
        "today": served_on(day),
        "day_before": served_on(day - dt.timedelta(days=1)),
        "last_month": served_on(day - LAST_MONTH),
    }
    ids = set().union(*counts.values())
    services = Service.objects.in_bulk(ids)
    served = [
        {**_names(services[pk]), **{label: counts[label].get(pk, 0) for label in counts}}
        for pk in ids
    ]
    served.sort(key=lambda r: (-r["today"], r["name_en"]))

    minutes = settings.QMS_WAIT_STANDARD_MINUTES
    wait_rows = queues.wait_compliance(since=since, until=until, minutes=minutes, centre=centre)
    wait_services = Service.objects.in_bulk([r["service_id"] for r in wait_rows])
    waits = [
        {
            **_names(wait_services[r["service_id"]]),
            "n": r["n"],
            "met": r["met"],
            "pct": _pct(r["met"], r["n"]),
        }
        for r in wait_rows
    ]
    waits.sort(key=lambda r: (r["pct"] if r["pct"] is not None else 101, r["name_en"]))
    waited = sum(r["n"] for r in waits)
    waited_met = sum(r["met"] for r in waits)

    [csat] = feedback.satisfaction(since=since, until=until, centre=centre)
    takings = payments.revenue(centre=centre, since=since, until=until)
    breaches = applications.breached_at_centre(centre, day)
    return {
        "centre": {"code": centre.code, "name": centre.name, "county": centre.county.name},
        "day": day.isoformat(),
        "made_at": now.isoformat(),
        "served": {
            "rows": served,
            "totals": {label: sum(c.values()) for label, c in counts.items()},
            "day_before": (day - dt.timedelta(days=1)).isoformat(),
            "last_month": (day - LAST_MONTH).isoformat(),
        },
        "waits": {
            "standard_minutes": minutes,
            "rows": waits,
            "n": waited,
            "met": waited_met,
            "pct": _pct(waited_met, waited),
        },
        "no_shows": queues.no_show_counts(since=since, until=until, centre=centre),
        "satisfaction": {
            "ratings": csat.ratings,
            "satisfied": csat.satisfied,
            "pct": csat.csat_pct,
            "standard_pct": feedback.STANDARD_PCT,
        },
        "complaints": {
            "received": complaints.received_count(centre=centre, since=since, until=until),
            "overdue": complaints.overdue_count(centre=centre, now=now),
        },
        "breaches": {
            "count": applications.breached_count(centre=centre, today=day),
            "rows": [
                {
                    "tracking_number": a.tracking_number,
                    "name_en": a.service.name_en,
                    "name_sw": a.service.name_sw,
                    "due_on": a.due_on.isoformat(),
                }
                for a in breaches[:BREACHES_LISTED]
            ],
        },
        "revenue": {
            **{channel: str(amount) for channel, amount in takings.items()},
            "total": str(sum(takings.values(), Decimal("0.00"))),
        },
        "cashups": [
            {
                "officer": str(officer),
                "cash_count": report.cash.count,
                "cash_taken": str(report.cash.taken),
                "cash_refunded": str(report.cash.refunded),
                "cash_net": str(report.cash.net),
                "card_count": report.card.count,
                "card_taken": str(report.card.taken),
            }
            for officer, report in payments.cashups_at(centre=centre, day=day)
        ],
        "staff": [
            {
                "officer": str(duty.officer),
                "counters": list(duty.counters),
                "from": clock_text(duty.first_opened),
                "to": clock_text(duty.last_closed) if duty.last_closed else "",
            }
            for duty in queues.staff_on_duty(centre=centre, since=since, until=until)
        ],
        "idle": [
            {"counter": idle.counter.number, "name": idle.counter.name, "minutes": idle.minutes}
            for idle in queues.counters_idle_while_waiting(
                centre=centre, since=since, until=min(until, now)
            )
        ],
    }


def clock_text(moment: dt.datetime) -> str:
    return moment.astimezone(clock.NAIROBI).strftime("%H:%M")

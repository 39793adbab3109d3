"""An officer's figures for a period, as the Centre Manager appraises them and the officer
reads them: citizens served, service time against peers adjusted for the officer's own mix of
services, satisfaction, complaints upheld, no-shows declared and training held.

Service mix: the officer's total service time is compared with the time the same tickets would
have taken at their peers' pace, service by service. With n_s tickets of service s served at
the officer's mean time t_s, and the mean time p_s of every other officer who served s in the
period (any centre),

    time index = sum(n_s * t_s) / sum(n_s * p_s)

so 100% is the peers' pace for exactly this mix, 80% is a fifth faster, 125% a quarter slower.
Services nobody else served are left out of the index (there is nothing to compare with). An
officer on the long services is compared with others on those services, never with the quick
ones.
"""

import datetime as dt

from huduma.catalogue.models import Service
from huduma.complaints import selectors as complaints
from huduma.feedback import selectors as feedback
from huduma.queues import selectors as queues
from huduma.queues.selectors import ServiceTime
from huduma.staffing import selectors as staffing


def period_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return feedback.day_bounds(first, last)


def mix_adjusted(own: list[ServiceTime], everyone: list[ServiceTime]) -> dict:
    """The time index of one officer (see the module's docstring), with its rows.

    `own`: the officer's rows; `everyone`: every officer's rows for the same services (the
    officer's included, taken out here)."""
    totals: dict[int, tuple[int, float]] = {}
    for row in everyone:
        n, minutes = totals.get(row.service_id, (0, 0.0))
        totals[row.service_id] = (n + row.served, minutes + row.served * row.mean_minutes)
    rows = []
    own_minutes = expected = 0.0
    for row in own:
        n_all, minutes_all = totals.get(row.service_id, (0, 0.0))
        peers_n = n_all - row.served
        peer_mean = (minutes_all - row.served * row.mean_minutes) / peers_n if peers_n else None
        rows.append(
            {
                "service_id": row.service_id,
                "served": row.served,
                "mean_minutes": round(row.mean_minutes, 1),
                "peer_minutes": round(peer_mean, 1) if peer_mean is not None else None,
            }
        )
        if peer_mean:
            own_minutes += row.served * row.mean_minutes
            expected += row.served * peer_mean
    return {
        "rows": rows,
        "minutes": round(own_minutes, 1),
        "expected_minutes": round(expected, 1),
        "index_pct": round(100 * own_minutes / expected, 1) if expected else None,
    }


def officer_figures(officer, first: dt.date, last: dt.date) -> dict:
    """The figures beside an appraisal (JSON-able: an appraisal keeps what it was written on)."""
    since, until = period_bounds(first, last)
    own = queues.service_times(since=since, until=until, officer_ids=[officer.pk])
    everyone = queues.service_times(
        since=since, until=until, service_ids=[row.service_id for row in own]
    )
    times = mix_adjusted(own, everyone)
    names = Service.objects.in_bulk([r["service_id"] for r in times["rows"]])
    for row in times["rows"]:
        service = names[row["service_id"]]
        row.update(code=service.code, name_en=service.name_en, name_sw=service.name_sw)
    times["rows"].sort(key=lambda r: (-r["served"], r["name_en"]))
    ratings = {
        f.key: f
        for f in feedback.satisfaction(
            since=since, until=until, group_by="officer", centre=officer.centre
        )
    }
    csat = ratings.get(officer.pk)
    held = staffing.training_summary(officer, first, last)
    return {
        "officer": str(officer),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "served": queues.served_counts(
            since=since, until=until, key="officer_id", centre=officer.centre
        ).get(officer.pk, 0),
        "times": times,
        "satisfaction": {
            "ratings": csat.ratings if csat else 0,
            "satisfied": csat.satisfied if csat else 0,
            "pct": csat.csat_pct if csat else None,
            "standard_pct": feedback.STANDARD_PCT,
        },
        "complaints_upheld": complaints.upheld_counts(
            officer_ids=[officer.pk], since=since, until=until
        ).get(officer.pk, 0),
        "no_shows": queues.no_show_counts(
            since=since, until=until, key="actor_id", centre=officer.centre
        ).get(officer.pk, 0),
        "training": {
            "sessions": held.sessions_attended,
            "hours": str(held.hours),
            "passed": held.passed,
            "failed": held.failed,
            "absent": held.absent,
            "cse_valid": held.cse_valid,
            "expired_skills": list(held.expired_skills),
            "lines": [
                {
                    "course": line.course_name,
                    "ends_on": line.ends_on.isoformat(),
                    "result": line.result,
                }
                for line in held.lines
            ],
        },
    }

"""Feedback reads: what a counter's tablet should offer to rate right now, and the
satisfaction figures, computed from rating rows and ticket endings, never kept by hand."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from huduma.accounts.models import User
from huduma.catalogue.models import MDA, Service
from huduma.core import clock
from huduma.feedback.models import Channel, Misuse, Rating
from huduma.places.models import Centre, Counter
from huduma.queues.models import Ticket, TicketEvent


def tablet_ticket(counter: Counter, now: dt.datetime | None = None) -> Ticket | None:
    """The latest ticket finished at this counter within the tablet window, if not yet rated.

    Read from the served events (indexed by centre, kind and time), so finishing a ticket adds
    nothing to the counter's fast path: the tablet's poll does the looking. Only the latest
    counts: once the next citizen is served, the one before has left the counter.
    """
    now = now or clock.now()
    since = now - dt.timedelta(minutes=settings.FEEDBACK_TABLET_WINDOW_MINUTES)
    latest = (
        TicketEvent.objects.filter(
            centre_id=counter.centre_id, kind=TicketEvent.Kind.SERVED, at__gte=since
        )
        .filter(counter_id=counter.pk)
        .order_by("-at")
        .values_list("ticket_id", flat=True)
        .first()
    )
    if latest is None or Rating.objects.filter(ticket_id=latest).exists():
        return None
    return Ticket.objects.select_related("visit", "service").filter(pk=latest).first()


# --- figures, computed from rating rows and ticket ending events only -----------------------

STANDARD_PCT = 95  # the programme's customer-satisfaction target
ENDING_KINDS = (TicketEvent.Kind.SERVED, TicketEvent.Kind.NO_SHOW, TicketEvent.Kind.CANCELLED)
LOW_SCORE = 2


@dataclass(frozen=True)
class Figures:
    """Satisfaction of one group (a counter, an officer, a centre...) over a period."""

    key: object
    label: str
    levels: tuple[int, int, int, int, int]  # ratings at 1, 2, 3, 4, 5
    ended: int  # tickets that ended (served, no-show, cancelled): the response-rate denominator

    @property
    def ratings(self) -> int:
        return sum(self.levels)

    @property
    def satisfied(self) -> int:
        return self.levels[3] + self.levels[4]

    @property
    def csat_pct(self) -> float | None:
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else None

    @property
    def response_pct(self) -> float | None:
        return round(100 * self.ratings / self.ended, 1) if self.ended else None

    @property
    def meets_standard(self) -> bool:
        return self.csat_pct is not None and self.csat_pct >= STANDARD_PCT

    @property
    def level_rows(self) -> list[tuple[int, int]]:
        return list(zip(range(1, 6), self.levels, strict=True))


@dataclass(frozen=True)
class Group:
    rating_key: str  # the column of Rating
    ending_key: str | None  # the same thing on the ending TicketEvent (None: not per group)
    labels: Callable[[list], dict]


def _labels_of(model, name: Callable) -> Callable[[list], dict]:
    return lambda keys: {obj.pk: name(obj) for obj in model.objects.filter(pk__in=keys)}


GROUPS = {
    "centre": Group("centre_id", "centre_id", _labels_of(Centre, lambda c: c.name)),
    "counter": Group(
        "counter_id",
        "counter_id",
        _labels_of(Counter, lambda c: f"{c.centre.name} · {c.number} {c.name}".strip()),
    ),
    "officer": Group("officer_id", "actor_id", _labels_of(User, str)),
    "service": Group("service_id", "ticket__service_id", _labels_of(Service, lambda s: s.name)),
    "mda": Group("service__mda_id", "ticket__service__mda_id", _labels_of(MDA, lambda m: m.name)),
    # Every ending could have been rated on any channel: each channel's response rate is over
    # all endings.
    "channel": Group("channel", None, lambda keys: {k: str(Channel(k).label) for k in keys}),
}


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `first` to the end of `last`, Nairobi time."""
    since = dt.datetime.combine(first, dt.time(), tzinfo=clock.NAIROBI)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.NAIROBI)
    return since, until


def today() -> tuple[dt.datetime, dt.datetime]:
    day = clock.local_date()
    return day_bounds(day, day)


def _scope(queryset, centre: Centre | None, since, until, at: str = "at"):
    queryset = queryset.filter(**{f"{at}__gte": since, f"{at}__lt": until})
    return queryset.filter(centre=centre) if centre is not None else queryset


def _level_counts() -> dict:
    return {f"s{n}": Count("id", filter=Q(score=n)) for n in range(1, 6)}


def satisfaction(
    *, since: dt.datetime, until: dt.datetime, group_by: str | None = None, centre=None
) -> list[Figures]:
    """CSAT, count at each level and response rate, for each group (or one total row).

    Ratings and endings are counted from their own rows in the period; misuse presses are not
    ratings and never enter these figures (see misuse_count).
    """
    ratings = _scope(Rating.objects.all(), centre, since, until)
    endings = _scope(TicketEvent.objects.filter(kind__in=ENDING_KINDS), centre, since, until)
    if group_by is None:
        row = ratings.aggregate(**_level_counts())
        levels = tuple(row[f"s{n}"] for n in range(1, 6))
        return [Figures(key=None, label="", levels=levels, ended=endings.count())]
    group = GROUPS[group_by]
    rows = ratings.values(group.rating_key).annotate(**_level_counts())
    levels = {r[group.rating_key]: tuple(r[f"s{n}"] for n in range(1, 6)) for r in rows}
    if group.ending_key is None:
        total = endings.count()
        ended = dict.fromkeys(levels, total)
    else:
        ended = dict(endings.values_list(group.ending_key).annotate(n=Count("id")))
    keys = [k for k in set(levels) | set(ended) if k is not None]
    labels = group.labels(keys)
    figures = [
        Figures(
            key=k,
            label=labels.get(k, str(k)),
            levels=levels.get(k, (0, 0, 0, 0, 0)),
            ended=ended.get(k, 0),
        )
        for k in keys
    ]
    # Ranked: best satisfaction first, groups without ratings last.
    figures.sort(key=lambda f: (f.csat_pct is None, -(f.csat_pct or 0), -f.ratings, f.label))
    return figures


def misuse_count(*, since: dt.datetime, until: dt.datetime, centre=None) -> int:
    return _scope(Misuse.objects.all(), centre, since, until).count()


def latest_low_ratings(centre: Centre, *, since: dt.datetime, limit: int = 10) -> list[Rating]:
    return list(
        Rating.objects.filter(centre=centre, at__gte=since, score__lte=LOW_SCORE)
        .select_related("counter", "service", "ticket__visit")
        .order_by("-at")[:limit]
    )


@dataclass(frozen=True)
class WeekPoint:
    start: dt.date
    figures: Figures


def weekly_trend(*, weeks: int = 8, centre=None) -> list[WeekPoint]:
    """Satisfaction per week (Monday to Sunday, Nairobi), oldest first, this week last."""
    today_ = clock.local_date()
    monday = today_ - dt.timedelta(days=today_.weekday())
    points = []
    for n in range(weeks - 1, -1, -1):
        start = monday - dt.timedelta(weeks=n)
        since, until = day_bounds(start, start + dt.timedelta(days=6))
        [total] = satisfaction(since=since, until=until, centre=centre)
        points.append(WeekPoint(start=start, figures=total))
    return points


def trend_svg_points(points: list[WeekPoint], *, width=600, height=200, pad=30) -> dict:
    """Coordinates for a server-rendered SVG line of weekly CSAT (0-100 %), no library."""
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(pct: float) -> float:
        return round(height - pad - (height - 2 * pad) * pct / 100, 1)

    dots = [
        {
            "x": round(pad + i * step, 1),
            "y": y(p.figures.csat_pct),
            "pct": p.figures.csat_pct,
            "n": p.figures.ratings,
            "week": p.start,
        }
        for i, p in enumerate(points)
        if p.figures.csat_pct is not None
    ]
    return {
        "width": width,
        "height": height,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "labels": [{"x": round(pad + i * step, 1), "week": p.start} for i, p in enumerate(points)],
        "standard_y": y(STANDARD_PCT),
        "zero_y": y(0),
        "full_y": y(100),
        "pad": pad,
        "right": width - pad,
    }

"""Performance in the demo (`load_demo`): a Technical Committee member's login, and two weeks of
served tickets and ratings at the demo centres, so the daily report, the standards, appraisals
and the national dashboard open on figures rather than zeros. Written in bulk, once (a re-run
finds them and writes nothing); the visits use the prefix "Z" and only past days, so they never
meet the live queue's numbering."""

import datetime as dt
import random

from django.db import transaction

from huduma.accounts.models import Role, User
from huduma.catalogue.models import CounterService
from huduma.core import clock
from huduma.core.clock import NAIROBI
from huduma.feedback.models import Channel, Rating
from huduma.places.models import Centre, Counter
from huduma.queues.models import Ticket, Visit

DEMO_CENTRES = ("gpo-nairobi", "kisumu", "eldoret")
DAYS = 14
PER_DAY = 40
PREFIX = "Z"
SEED = 7


def _history(centre: Centre, rng: random.Random, today: dt.date) -> int:
    counters = []
    for counter in Counter.objects.filter(centre=centre).order_by("number"):
        officer = User.objects.filter(
            username=f"officer.{centre.code.split('-')[0]}.{counter.number}a"
        ).first()
        services = list(
            CounterService.objects.filter(counter=counter).values_list("service_id", flat=True)[:3]
        )
        if officer is not None and services:
            counters.append((counter, officer, services))
    if not counters:
        return 0
    visits, tickets, ratings = [], [], []
    for back in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        if day.weekday() == 6:  # closed on Sundays
            continue
        for seq in range(1, PER_DAY + 1):
            arrived = dt.datetime.combine(day, dt.time(8), tzinfo=NAIROBI) + dt.timedelta(
                minutes=rng.randrange(0, 480)
            )
            visit = Visit(
                centre=centre,
                service_day=day,
                prefix=PREFIX,
                sequence=seq,
                number=f"{PREFIX}{seq:03d}",
                arrived_at=arrived,
                channel="reception",
            )
            visits.append(visit)
            counter, officer, services = rng.choice(counters)
            wait = dt.timedelta(minutes=rng.expovariate(1 / 15))
            took = dt.timedelta(minutes=3 + rng.expovariate(1 / 6))
            served = rng.random() > 0.06
            ticket = Ticket(
                visit=visit,
                centre=centre,
                service_id=rng.choice(services),
                position=0,
                status=Ticket.Status.SERVED if served else Ticket.Status.NO_SHOW,
                counter=counter,
                officer=officer,
                waiting_since=arrived,
                called_at=arrived + wait,
                started_at=arrived + wait if served else None,
                finished_at=arrived + wait + took,
            )
            tickets.append(ticket)
            if served and rng.random() < 0.6:
                ratings.append(
                    Rating(
                        ticket=ticket,
                        centre=centre,
                        counter=counter,
                        officer=officer,
                        service_id=ticket.service_id,
                        ending=Ticket.Status.SERVED,
                        channel=rng.choice([Channel.TABLET, Channel.SMS]),
                        score=rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 12, 8, 5])[0],
                        at=ticket.finished_at + dt.timedelta(minutes=2),
                    )
                )
    Visit.objects.bulk_create(visits)
    for ticket in tickets:
        ticket.visit_id = ticket.visit.pk
    Ticket.objects.bulk_create(tickets)
    for rating in ratings:
        rating.ticket_id = rating.ticket.pk
    Rating.objects.bulk_create(ratings)
    return len(tickets)


@transaction.atomic
def demo_performance_lines() -> list[str]:
    secretariat = User.objects.filter(username="secretariat").first()
    if secretariat is None:
        return []
    User.objects.update_or_create(
        username="committee",
        defaults={
            "role": Role.TECHNICAL_COMMITTEE,
            "first_name": "Peter",
            "last_name": "Kamau",
            "password": secretariat.password,  # the demo's one password
        },
    )
    today = clock.local_date()
    rng = random.Random(SEED)  # noqa: S311 - demo figures, not secrets
    written = 0
    for centre in Centre.objects.filter(code__in=DEMO_CENTRES).order_by("code"):
        if not Visit.objects.filter(centre=centre, prefix=PREFIX).exists():
            written += _history(centre, rng, today)
    yesterday = today - dt.timedelta(days=1)
    if yesterday.weekday() == 6:  # no history on Sundays: show Saturday
        yesterday -= dt.timedelta(days=1)
    lines = [
        (
            "Technical Committee: committee (standards and evaluation at /staff/standards/, "
            "national dashboard at /insights/)"
        ),
        f"  {DAYS} days of served tickets and ratings at the demo centres"
        + (f" ({written} tickets written)" if written else "")
        + f"; daily report: /staff/centres/gpo-nairobi/daily-report/?day={yesterday}",
    ]
    return lines

"""Rows the performance tests make by hand (tickets with their times, sessions, ratings,
complaints, applications, payments, training), so each figure is checked against rows whose
answer is worked out on paper in the test."""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from huduma.applications.models import Application
from huduma.complaints.models import Complaint
from huduma.feedback.models import Rating
from huduma.payments.models import Invoice, Payment
from huduma.queues.models import CounterSession, Ticket, TicketEvent, Visit
from huduma.staffing.models import Attendance, Course, TrainingSession

NAIROBI = ZoneInfo("Africa/Nairobi")
# The day reported: a Tuesday (the `clock` fixture's day).
DAY = dt.date(2026, 11, 24)
_seq = itertools.count(1)


def at(day: dt.date, hhmm: str | None) -> dt.datetime | None:
    if hhmm is None:
        return None
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=NAIROBI)


def visit(centre, day: dt.date, arrived: str) -> Visit:
    n = next(_seq)
    return Visit.objects.create(
        centre=centre,
        service_day=day,
        prefix="A",
        sequence=n,
        number=f"A{n:03d}",
        arrived_at=at(day, arrived),
        channel="reception",
    )


def ticket(
    centre,
    service,
    *,
    day: dt.date = DAY,
    waiting: str,
    called: str | None = None,
    started: str | None = None,
    finished: str | None = None,
    status: str = Ticket.Status.SERVED,
    officer=None,
    counter=None,
    in_visit: Visit | None = None,
) -> Ticket:
    v = in_visit or visit(centre, day, waiting)
    return Ticket.objects.create(
        visit=v,
        centre=centre,
        service=service,
        position=v.tickets.count(),
        status=status,
        officer=officer,
        counter=counter,
        waiting_since=at(day, waiting),
        called_at=at(day, called),
        started_at=at(day, started),
        finished_at=at(day, finished),
    )


def no_show(t: Ticket, officer, when: dt.datetime) -> None:
    TicketEvent.objects.create(
        ticket=t, centre=t.centre, kind=TicketEvent.Kind.NO_SHOW, at=when, actor=officer
    )


def session(counter, officer, opened: dt.datetime, closed: dt.datetime | None) -> CounterSession:
    return CounterSession.objects.create(
        counter=counter,
        officer=officer,
        status=CounterSession.Status.CLOSED if closed else CounterSession.Status.OPEN,
        opened_at=opened,
        closed_at=closed,
    )


def rating(t: Ticket, score: int, when: dt.datetime) -> Rating:
    return Rating.objects.create(
        ticket=t,
        centre=t.centre,
        counter=t.counter,
        officer=t.officer,
        service=t.service,
        ending="served",
        channel="tablet",
        score=score,
        at=when,
    )


def complaint(
    centre,
    *,
    created: dt.datetime,
    status="received",
    due=None,
    ticket=None,
    resolved=None,
    category="service_quality",
) -> Complaint:
    n = next(_seq)
    return Complaint.objects.create(
        reference=f"HC-T{n:05d}",
        category=category,
        channel="web",
        status=status,
        level="centre",
        centre=centre,
        text="Test complaint",
        text_hash=f"{n:064d}",
        phone="+254700000001",
        ticket=ticket,
        due_at=due,
        resolved_at=resolved,
        created_at=created,
        updated_at=created,
    )


def application(
    centre,
    service,
    *,
    received: dt.datetime,
    due: dt.date,
    status,
    breached: dt.datetime | None = None,
) -> Application:
    n = next(_seq)
    return Application.objects.create(
        tracking_number=f"HT{n:06d}",
        service=service,
        mda=service.mda,
        centre=centre,
        phone="+254700000002",
        fee_kes=service.fee_kes,
        status=status,
        collection_centre=centre if status in ("ready", "collected") else None,
        turnaround_days=service.turnaround_days,
        received_at=received,
        due_on=due,
        breached_at=breached,
        updated_at=received,
    )


def payment(centre, service, *, channel: str, amount: str, when: dt.datetime, officer=None):
    invoice = Invoice.objects.create(
        service=service, centre=centre, amount_kes=Decimal(amount), raised_at=when
    )
    return Payment.objects.create(
        invoice=invoice,
        channel=channel,
        provider=channel,
        amount_kes=Decimal(amount),
        amount_paid_kes=Decimal(amount),
        status=Payment.Status.COMPLETED,
        officer=officer,
        started_at=when,
        settled_at=when,
    )


def training(officer, *, ends_on: dt.date, hours: str = "8.0", result="passed"):
    n = next(_seq)
    course = Course.objects.create(
        code=f"cse-{n}",
        kind=Course.Kind.CSE,
        name_en="Customer service",
        name_sw="Huduma kwa wateja",
        hours=Decimal(hours),
    )
    sess = TrainingSession.objects.create(
        course=course,
        centre=officer.centre,
        starts_on=ends_on,
        ends_on=ends_on,
        hours=Decimal(hours),
    )
    return Attendance.objects.create(session=sess, officer=officer, result=result)

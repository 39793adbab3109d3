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
from huduma.performance.models import SavingsMethod, StandardKind, StandardTarget
from huduma.queues.models import CounterSession, Ticket, TicketEvent, Visit
from huduma.staffing.models import Attendance, Course, TrainingSession

NAIROBI = ZoneInfo("Africa/Nairobi")
# The day reported: a Tuesday (the `clock` fixture's day).
DAY = dt.date(2026, 11, 24)
BEFORE = DAY - dt.timedelta(days=1)
LAST_MONTH = DAY - dt.timedelta(days=28)
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


def build_scene(world, officers, clock):
    """One Tuesday at GPO (and Kisumu), the day before and the same weekday last month.

    GPO, Tuesday (wait standard 30 minutes):
      T1 ID    alice c1  waits 09:00 called 09:10 served to 09:30   (met)     } one visit:
      T3 NHIF  gpo2  c2  waits 09:00 called 09:20 served to 09:26   (met)     } NRB + NHIF
      T2 ID    alice c1  waits 09:05 called 09:45 served to 10:05   (40 min: not met)
      T4 NHIF  gpo2  c2  waits 09:30 called 09:50, no-show at 09:55 (met)
      T5 KRA   -         waits 10:00, never called, cancelled 11:00 (not met)
    Sessions: c1 alice 08:55-12:00, c2 gpo2 09:00-10:00, c3 gpo3 (KRA, NHIF) 09:00-12:00.
    Kisumu, Tuesday: K1, K2 ID by charlie, 10 minutes each (waits 2 and 12); K3 KRA by charlie,
    waited 60 minutes, served 10.
    """
    w = world
    clock.set(at(DAY, "18:00"))
    gpo, ksm = w.gpo, w.kisumu
    c1, c2, c3 = (w.counters[("gpo-nairobi", n)] for n in (1, 2, 3))
    k1 = w.counters[("kisumu", 1)]
    gpo2, gpo3 = officers[2], officers[3]
    v1 = visit(gpo, DAY, "09:00")
    w.t1 = ticket(
        gpo,
        w.id_dup,
        waiting="09:00",
        called="09:10",
        started="09:10",
        finished="09:30",
        officer=w.alice,
        counter=c1,
        in_visit=v1,
    )
    w.t3 = ticket(
        gpo,
        w.nhif_reg,
        waiting="09:00",
        called="09:20",
        started="09:20",
        finished="09:26",
        officer=gpo2,
        counter=c2,
        in_visit=v1,
    )
    w.t2 = ticket(
        gpo,
        w.id_dup,
        waiting="09:05",
        called="09:45",
        started="09:45",
        finished="10:05",
        officer=w.alice,
        counter=c1,
    )
    w.t4 = ticket(
        gpo,
        w.nhif_reg,
        waiting="09:30",
        called="09:50",
        finished="09:55",
        status="no_show",
        officer=gpo2,
        counter=c2,
    )
    no_show(w.t4, gpo2, at(DAY, "09:55"))
    ticket(gpo, w.kra_pin, waiting="10:00", finished="11:00", status="cancelled")
    for waiting, called, finished in (("09:00", "09:05", "09:15"), ("09:10", "09:15", "09:25")):
        ticket(
            gpo,
            w.id_dup,
            day=BEFORE,
            waiting=waiting,
            called=called,
            started=called,
            finished=finished,
            officer=w.alice,
            counter=c1,
        )
    ticket(
        gpo,
        w.nhif_reg,
        day=LAST_MONTH,
        waiting="09:00",
        called="09:05",
        started="09:05",
        finished="09:10",
        officer=gpo2,
        counter=c2,
    )
    for waiting, called, finished in (("09:00", "09:02", "09:12"), ("09:00", "09:12", "09:22")):
        ticket(
            ksm,
            w.id_dup,
            waiting=waiting,
            called=called,
            started=called,
            finished=finished,
            officer=w.charlie,
            counter=k1,
        )
    ticket(
        ksm,
        w.kra_pin,
        waiting="09:30",
        called="10:30",
        started="10:30",
        finished="10:40",
        officer=w.charlie,
        counter=k1,
    )
    session(c1, w.alice, at(DAY, "08:55"), at(DAY, "12:00"))
    session(c2, gpo2, at(DAY, "09:00"), at(DAY, "10:00"))
    session(c3, gpo3, at(DAY, "09:00"), at(DAY, "12:00"))
    rating(w.t1, 5, at(DAY, "09:31"))
    rating(w.t2, 2, at(DAY, "10:06"))
    rating(w.t3, 4, at(DAY, "09:27"))
    complaint(gpo, created=at(DAY, "10:00"), due=at(DAY + dt.timedelta(days=2), "10:00"))
    complaint(
        gpo, created=at(DAY, "11:00"), status="resolved", ticket=w.t2, resolved=at(DAY, "12:00")
    )
    complaint(
        gpo,
        created=at(DAY - dt.timedelta(days=3), "10:00"),
        status="acknowledged",
        due=at(BEFORE, "10:00"),
    )
    complaint(ksm, created=at(DAY, "10:00"))
    application(
        gpo,
        w.id_dup,
        received=at(DAY - dt.timedelta(days=10), "10:00"),
        due=BEFORE,
        status="in_processing",
    )
    application(
        gpo,
        w.id_dup,
        received=at(DAY - dt.timedelta(days=10), "10:00"),
        due=DAY - dt.timedelta(days=2),
        status="ready",
    )
    application(
        gpo, w.id_dup, received=at(DAY, "10:00"), due=DAY + dt.timedelta(days=3), status="received"
    )
    payment(gpo, w.id_dup, channel="cash", amount="1050.00", when=at(DAY, "09:35"), officer=w.alice)
    payment(gpo, w.id_dup, channel="card", amount="500.00", when=at(DAY, "10:06"), officer=w.alice)
    payment(gpo, w.id_dup, channel="mpesa", amount="300.00", when=at(DAY, "11:00"))
    payment(
        ksm, w.id_dup, channel="cash", amount="200.00", when=at(DAY, "11:00"), officer=w.charlie
    )
    payment(
        gpo, w.id_dup, channel="cash", amount="999.00", when=at(BEFORE, "11:00"), officer=w.alice
    )
    StandardTarget.objects.create(
        service=w.id_dup,
        kind=StandardKind.WAIT,
        target_pct=Decimal("80.0"),
        updated_at=at(DAY, "08:00"),
    )
    training(w.alice, ends_on=DAY - dt.timedelta(days=3), hours="6.0")
    ensure_method()
    return w


def ensure_method() -> SavingsMethod:
    """The first method in force, as migration 0002 writes it (a transactional test flushes
    the tables, and a reused database keeps them flushed)."""
    method = SavingsMethod.objects.order_by("-created_at", "-id").first()
    if method is None:
        method = SavingsMethod.objects.create(
            trip_cost_kes=Decimal("300.00"),
            hour_value_kes=Decimal("150.00"),
            hours_saved_per_service=Decimal("4.50"),
            bribe_kes=Decimal("1000.00"),
            bribe_share_pct=Decimal("10.00"),
            source="Huduma Kenya",
            created_at=at(DAY - dt.timedelta(days=300), "08:00"),
        )
    return method

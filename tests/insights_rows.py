"""Rows the insights tests make directly (tickets with their times, ratings, applications,
complaints, ledger entries, outreaches): the figures are then checked against what was made."""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from huduma.applications.models import Application
from huduma.complaints.models import Complaint, Level
from huduma.feedback.models import Rating
from huduma.ledger.models import Entry
from huduma.outreach.plan_models import Outreach, OutreachDay
from huduma.places.models import SubCounty
from huduma.queues.models import Ticket, Visit

NAIROBI = ZoneInfo("Africa/Nairobi")
DAY = dt.date(2026, 11, 24)  # a Tuesday


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NAIROBI)


class Rows:
    def __init__(self, world):
        self.w = world
        self._seq = itertools.count(1)

    def ticket(
        self,
        *,
        centre=None,
        service=None,
        day: dt.date = DAY,
        channel: str = "reception",
        status: str = "served",
        wait_min: float | None = 5,
        service_min: float | None = 4,
        counter=None,
        officer=None,
        score: int | None = None,
        prefix: str = "A",
    ) -> Ticket:
        centre = centre or self.w.gpo
        service = service or self.w.id_dup
        n = next(self._seq)
        arrived = at(day, 8) + dt.timedelta(seconds=n)
        visit = Visit.objects.create(
            centre=centre,
            service_day=day,
            prefix=prefix,
            sequence=n,
            number=f"{prefix}{n:03d}",
            arrived_at=arrived,
            channel=channel,
        )
        if status == "waiting":
            wait_min = None  # not called yet
        elif status in ("served", "no_show") and wait_min is None:
            wait_min = 0
        called = arrived + dt.timedelta(minutes=wait_min) if wait_min is not None else None
        started = called if status == "served" else None
        finished = None
        if status == "served":
            finished = started + dt.timedelta(minutes=service_min or 0)
        if counter is None and called is not None:
            counter = self.w.counters[(centre.code, 1)]
        ticket = Ticket.objects.create(
            visit=visit,
            centre=centre,
            service=service,
            position=1,
            status=status,
            waiting_since=arrived,
            called_at=called,
            started_at=started,
            finished_at=finished,
            counter=counter if called else None,
            officer=officer,
        )
        if score is not None:
            Rating.objects.create(
                ticket=ticket,
                centre=centre,
                counter=ticket.counter,
                officer=officer,
                service=service,
                ending=status,
                channel="tablet",
                score=score,
                at=finished or arrived,
            )
        return ticket

    def application(
        self, *, due_on: dt.date, breached: bool = False, status="received", centre=None
    ):
        n = next(self._seq)
        return Application.objects.create(
            tracking_number=f"T{n:08d}",
            service=self.w.id_dup,
            mda=self.w.nrb,
            centre=centre or self.w.gpo,
            phone="+254700000001",
            fee_kes=Decimal("100.00"),
            turnaround_days=5,
            received_at=at(due_on - dt.timedelta(days=7)),
            due_on=due_on,
            status=status,
            collection_centre=(centre or self.w.gpo) if status in ("ready", "collected") else None,
            breached_at=at(due_on + dt.timedelta(days=1)) if breached else None,
            updated_at=at(due_on),
        )

    def complaint(
        self,
        *,
        category="service_quality",
        status="acknowledged",
        received: dt.datetime | None = None,
        resolved_after: dt.timedelta | None = None,
        overdue=False,
        centre=None,
    ):
        n = next(self._seq)
        received = received or at(DAY)
        return Complaint.objects.create(
            reference=f"C{n:07d}",
            category=category,
            channel="web",
            status=status,
            level=Level.CENTRE,
            centre=centre or self.w.gpo,
            service=self.w.id_dup,
            mda=self.w.nrb,
            text="x",
            text_hash=f"h{n}",
            phone="+254700000002",
            created_at=received,
            updated_at=received,
            resolved_at=received + resolved_after if resolved_after else None,
            overdue_since=received + dt.timedelta(days=30) if overdue else None,
        )

    def entry(
        self,
        *,
        kind="payment",
        amount="100.00",
        mda=None,
        service=None,
        when=None,
        refund_of=None,
        centre=None,
    ):
        n = next(self._seq)
        return Entry.objects.create(
            kind=kind,
            at=when or at(DAY, 10),
            payment_id=f"p{n}",
            amount=Decimal(amount),
            mda=mda or self.w.nrb,
            centre=centre or self.w.gpo,
            service=service or self.w.id_dup,
            method="mpesa",
            refund_of=refund_of,
            chain="test",
            seq=n,
            prev_hash="0" * 64,
            hash=f"{n:064d}",
        )

    def outreach(self, *, sub_county: SubCounty, day: dt.date = DAY, status="held", prefix="Z"):
        outreach = Outreach.objects.create(
            centre=self.w.gpo,
            sub_county=sub_county,
            month=day.replace(day=1),
            status=status,
            ticket_prefix=prefix,
            imprest_kes=Decimal("50000.00"),
        )
        OutreachDay.objects.create(
            outreach=outreach, centre=self.w.gpo, date=day, ticket_prefix=prefix
        )
        return outreach

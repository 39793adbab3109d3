"""An officer's cash-up for a (Nairobi) day: the cash they took less the refunds paid out of
those takings that day (what they hand over), and, on a line of its own, the card payments they
took (paid to the acquirer's account, not into the drawer, but the officer answers for them)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from huduma.core import clock
from huduma.ledger.selectors import RefundPaid, refunds_paid_between
from huduma.payments.models import Payment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Takings:
    """One channel's part of a cash-up."""

    payments: list[Payment]
    refunds: list[RefundPaid]

    @property
    def count(self) -> int:
        return len(self.payments)

    @property
    def taken(self) -> Decimal:
        return sum((p.amount_paid_kes or p.amount_kes for p in self.payments), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), ZERO)

    @property
    def net(self) -> Decimal:
        return self.taken - self.refunded


@dataclass(frozen=True)
class CashUp:
    officer_id: int
    day: dt.date
    cash: Takings
    card: Takings

    # The cash figures under their old names (the page and the API read them).
    @property
    def payments(self) -> list[Payment]:
        return self.cash.payments

    @property
    def count(self) -> int:
        return self.cash.count

    @property
    def total(self) -> Decimal:
        """The cash to hand over: taken less refunded."""
        return self.cash.net


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _refunds_of_officer(officer, since, until) -> list[RefundPaid]:
    """Refunds approved in the period of payments this officer took (on any day): the money
    goes back to the citizen out of the officer's takings."""
    refunds = [r for r in refunds_paid_between(since=since, until=until) if r.method != "mpesa"]
    ids = {_as_uuid(r.payment_id) for r in refunds} - {None}
    mine = {
        str(pk)
        for pk in Payment.objects.filter(pk__in=ids, officer=officer).values_list("pk", flat=True)
    }
    return [r for r in refunds if str(_as_uuid(r.payment_id)) in mine]


def cashup_for(*, officer, day: dt.date) -> CashUp:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=clock.NAIROBI)
    end = start + dt.timedelta(days=1)
    taken = list(
        Payment.objects.filter(
            channel__in=(Payment.Channel.CASH, Payment.Channel.CARD),
            status=Payment.Status.COMPLETED,
            officer=officer,
            settled_at__gte=start,
            settled_at__lt=end,
        )
        .select_related("invoice__service")
        .order_by("settled_at")
    )
    refunds = _refunds_of_officer(officer, start, end)

    def takings(channel: str) -> Takings:
        return Takings(
            payments=[p for p in taken if p.channel == channel],
            refunds=[r for r in refunds if r.method == channel],
        )

    return CashUp(
        officer_id=officer.pk,
        day=day,
        cash=takings(Payment.Channel.CASH),
        card=takings(Payment.Channel.CARD),
    )

"""Reads of payments shared by other faces: a phone's payments (the contact centre), a
centre's revenue and who took money (the daily report)."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.db.models.functions import Coalesce

from huduma.core import clock
from huduma.core.money import kes
from huduma.payments.cashup import CashUp, cashup_for
from huduma.payments.models import Payment

ZERO = Decimal("0.00")


def _completed(*, centre, since: dt.datetime, until: dt.datetime):
    return Payment.objects.filter(
        invoice__centre=centre,
        status=Payment.Status.COMPLETED,
        settled_at__gte=since,
        settled_at__lt=until,
    )


def revenue(*, centre, since: dt.datetime, until: dt.datetime) -> dict[str, Decimal]:
    """Money received for the centre's invoices in [since, until), per channel (mpesa, card,
    cash), as the payer paid it."""
    rows = (
        _completed(centre=centre, since=since, until=until)
        .values("channel")
        .annotate(total=Sum(Coalesce("amount_paid_kes", "amount_kes")))
        .order_by()
    )
    totals = {channel: ZERO for channel in Payment.Channel.values}
    for row in rows:
        # SQLite sums to Decimal("300"), PostgreSQL to Decimal("300.00"): the same money.
        totals[row["channel"]] = kes(row["total"] or ZERO)
    return totals


def cashups_at(*, centre, day: dt.date) -> list[tuple[object, CashUp]]:
    """(officer, cash-up) of every officer who took cash or card payments for the centre that day."""
    since = dt.datetime.combine(day, dt.time.min, tzinfo=clock.NAIROBI)
    until = since + dt.timedelta(days=1)
    officers = (
        _completed(centre=centre, since=since, until=until)
        .filter(channel__in=(Payment.Channel.CASH, Payment.Channel.CARD), officer__isnull=False)
        .values_list("officer", flat=True)
        .distinct()
    )
    users = get_user_model().objects.filter(pk__in=list(officers)).order_by("first_name", "pk")
    return [(user, cashup_for(officer=user, day=day)) for user in users]


def payments_for_phone(phone: str, *, limit: int = 20) -> list[Payment]:
    """The payments made from this phone number, newest first (the contact centre reads them
    during a call with that number)."""
    if not phone:
        return []
    return list(
        Payment.objects.filter(phone=phone)
        .select_related("invoice__service")
        .order_by("-started_at")[:limit]
    )

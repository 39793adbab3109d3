"""Reconciliation with a provider's statement, and revenue reports, read from the ledger."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huduma.core import clock, csv_safe
from huduma.core.money import csv_amount, kes
from huduma.ledger.errors import BadStatement
from huduma.ledger.models import Entry
from huduma.ledger.services import clearing_account

MAX_STATEMENT_ROWS = 50_000


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `first` to the end of `last`, Nairobi time."""
    since = dt.datetime.combine(first, dt.time(), tzinfo=clock.NAIROBI)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.NAIROBI)
    return since, until


# --- Reconciliation -----------------------------------------------------------------------

# The M-Pesa business portal's statement export: a few lines of preamble, then a header row
# with "Receipt No.", "Completion Time", "Initiation Time", "Details", "Transaction Status",
# "Paid In", "Withdrawn", "Balance", ... Only completed money paid in is a payment to us.
RECEIPT_COLUMNS = ("receipt no.", "receipt no", "receipt")
AMOUNT_COLUMNS = ("paid in",)
STATUS_COLUMNS = ("transaction status", "status")
TIME_COLUMNS = ("completion time", "date")


@dataclass(frozen=True)
class StatementLine:
    reference: str
    amount: Decimal
    completed_at: str


@dataclass(frozen=True)
class Difference:
    kind: str  # missing_in_ledger, missing_in_statement, amount_mismatch, duplicate_in_statement
    reference: str
    statement_amount: Decimal | None
    ledger_amount: Decimal | None

    @property
    def label(self) -> str:
        return str(DIFFERENCE_LABELS[self.kind])


DIFFERENCE_LABELS = {
    "missing_in_ledger": gettext_lazy("In the statement, not in the ledger"),
    "missing_in_statement": gettext_lazy("In the ledger, not in the statement"),
    "amount_mismatch": gettext_lazy("Amounts differ"),
    "duplicate_in_statement": gettext_lazy("Twice in the statement"),
}


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def parse_mpesa_statement(text: str) -> list[StatementLine]:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # a cell over the csv module's 128 KiB limit, a NUL
        raise BadStatement(
            _("The statement is not a CSV file the ledger can read: %(reason)s") % {"reason": exc},
            field="statement",
        ) from exc
    if len(rows) > MAX_STATEMENT_ROWS:
        raise BadStatement(_("The statement has too many rows."), field="statement")
    for start, header in enumerate(rows):
        receipt_col = _column(header, RECEIPT_COLUMNS)
        amount_col = _column(header, AMOUNT_COLUMNS)
        if receipt_col is not None and amount_col is not None:
            header_at = start
            break
    else:
        raise BadStatement(
            _("No 'Receipt No.' and 'Paid In' columns: is this an M-Pesa statement?"),
            field="statement",
        )
    status_col = _column(header, STATUS_COLUMNS)
    time_col = _column(header, TIME_COLUMNS)
    lines = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if len(row) <= max(receipt_col, amount_col) or not row[receipt_col].strip():
            continue
        if status_col is not None and row[status_col].strip().lower() != "completed":
            continue
        raw = row[amount_col].replace(",", "").strip()
        if not raw:
            continue  # money paid out, not in
        try:
            amount = kes(raw)
        except ValueError as exc:
            raise BadStatement(
                _("Row %(row)s: the amount is not a number.") % {"row": number},
                field="statement",
            ) from exc
        if amount <= 0:
            continue
        when = row[time_col].strip() if time_col is not None and time_col < len(row) else ""
        lines.append(StatementLine(row[receipt_col].strip().upper(), amount, when))
    return lines


def reconcile(*, statement: str, day: dt.date, method: str = "mpesa") -> list[Difference]:
    """Every difference between the provider's statement for `day` and the ledger's payments."""
    return reconcile_lines(lines=parse_mpesa_statement(statement), day=day, method=method)


# Where a provider's own account of a day comes from when it is fetched, not uploaded (card:
# the acquirer's status of each order). Registered by payments in its AppConfig.ready: the
# ledger imports no payments (payments writes to the ledger).
_statement_sources: dict = {}


def register_statement_source(method: str, source) -> None:
    """`source(day=date) -> list[StatementLine]`, raising a DomainError it cannot fetch."""
    _statement_sources[method] = source


def statement_fetch(*, method: str, day: dt.date) -> list[StatementLine]:
    source = _statement_sources.get(method)
    if source is None:
        raise BadStatement(_("This installation cannot fetch that statement."))
    return source(day=day)


def reconcile_lines(*, lines: list[StatementLine], day: dt.date, method: str) -> list[Difference]:
    """Every difference between a provider's account of `day` (an M-Pesa statement, or the
    card acquirer's status of each order) and the ledger's payments by that method."""
    since, until = day_bounds(day, day)
    ledger: dict[str, Decimal] = {}
    # Money received: the entries that debit the method's clearing account (a payment, or
    # money held for review in suspense; held money applied later moves from suspense, not
    # from the provider, and is not received twice).
    for reference, amount in Entry.objects.filter(
        kind__in=[Entry.Kind.PAYMENT, Entry.Kind.HELD],
        method=method,
        at__gte=since,
        at__lt=until,
        postings__account=clearing_account(method),
        postings__debit__gt=0,
    ).values_list("reference", "amount"):
        key = reference.strip().upper()
        ledger[key] = ledger.get(key, Decimal("0.00")) + amount
    differences = []
    seen: set[str] = set()
    for line in lines:
        if line.reference in seen:
            differences.append(
                Difference("duplicate_in_statement", line.reference, line.amount, None)
            )
            continue
        seen.add(line.reference)
        if line.reference not in ledger:
            differences.append(Difference("missing_in_ledger", line.reference, line.amount, None))
        elif ledger[line.reference] != line.amount:
            differences.append(
                Difference("amount_mismatch", line.reference, line.amount, ledger[line.reference])
            )
    for reference, amount in sorted(ledger.items()):
        if reference not in seen:
            differences.append(Difference("missing_in_statement", reference, None, amount))
    return differences


# --- Revenue ----------------------------------------------------------------------------------

GROUPS = ("mda", "centre", "service", "day")


def revenue(*, first: dt.date, last: dt.date, centre=None) -> list[dict]:
    """Net revenue (payments less refunds) by MDA, centre, service and day, Nairobi time."""
    since, until = day_bounds(first, last)
    entries = Entry.objects.filter(at__gte=since, at__lt=until)
    if centre is not None:
        entries = entries.filter(centre=centre)
    money = DecimalField(max_digits=16, decimal_places=2)
    rows = (
        entries.annotate(day=TruncDate("at", tzinfo=clock.NAIROBI))
        .values("day", "mda__code", "centre__code", "centre__name", "service__code")
        .annotate(
            paid=Sum(
                Case(
                    When(kind=Entry.Kind.PAYMENT, then=F("amount")),
                    default=Value(Decimal("0.00")),
                    output_field=money,
                ),
            ),
            refunded=Sum(
                Case(
                    When(kind=Entry.Kind.REFUND, then=F("amount")),
                    default=Value(Decimal("0.00")),
                    output_field=money,
                ),
            ),
        )
        .order_by("day", "mda__code", "centre__code", "service__code")
    )
    result = []
    for row in rows:
        paid, refunded = kes(row["paid"] or 0), kes(row["refunded"] or 0)
        result.append(
            {
                "day": row["day"],
                "mda": row["mda__code"],
                "centre": row["centre__code"],
                "centre_name": row["centre__name"],
                "service": row["service__code"],
                "paid": paid,
                "refunded": refunded,
                "net": paid - refunded,
            }
        )
    return result


METHOD_LABELS = {
    "mpesa": gettext_lazy("M-Pesa"),
    "card": gettext_lazy("Card"),
    "cash": gettext_lazy("Cash"),
}


def revenue_by_method(*, first: dt.date, last: dt.date, centre=None) -> list[tuple[str, Decimal]]:
    """Net revenue by payment method (M-Pesa, card, cash), each always listed."""
    since, until = day_bounds(first, last)
    # Revenue as revenue() counts it: payments less refunds (held money is not revenue).
    entries = Entry.objects.filter(
        at__gte=since, at__lt=until, kind__in=(Entry.Kind.PAYMENT, Entry.Kind.REFUND)
    )
    if centre is not None:
        entries = entries.filter(centre=centre)
    sums = {method: Decimal("0.00") for method in METHOD_LABELS}
    for method, kind, amount in (
        entries.order_by().values_list("method", "kind").annotate(s=Sum("amount"))
    ):
        sign = -1 if kind == Entry.Kind.REFUND else 1
        sums[method] = sums.get(method, Decimal("0.00")) + sign * kes(amount)
    return [(str(METHOD_LABELS.get(m, m)), total) for m, total in sums.items()]


def totals_by(rows: list[dict], key: str) -> list[tuple[str, Decimal]]:
    sums: dict[str, Decimal] = {}
    for row in rows:
        label = str(row[key])
        sums[label] = sums.get(label, Decimal("0.00")) + row["net"]
    return sorted(sums.items())


def revenue_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(["day", "mda", "centre", "service", "paid", "refunded", "net"])
    for row in rows:
        writer.writerow(
            [
                row["day"].isoformat(),
                row["mda"],
                row["centre"],
                row["service"],
                csv_amount(row["paid"]),
                csv_amount(row["refunded"]),
                csv_amount(row["net"]),
            ]
        )
    return out.getvalue()

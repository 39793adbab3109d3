"""Logistics and money of an outreach: borrowed or hired items, the standing imprest, its
expenses and the reimbursement claim."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role, require_centre
from huduma.core import audit, clock
from huduma.core.approvals import second_person
from huduma.core.errors import Conflict
from huduma.core.money import format_amount, parse_kes
from huduma.outreach.plan_base import (
    OutreachError,
    Status,
    clean_text,
    lock_outreach,
)
from huduma.outreach.plan_models import (
    Expense,
    LogisticsItem,
    Outreach,
    Reimbursement,
)

# --- logistics and money ------------------------------------------------------------------


def parse_amount(value, *, field: str = "amount_kes") -> Decimal:
    """Shillings written as digits (thousands commas allowed), two decimals at most. Checked as
    text first: Decimal would take "1e400" or "NaN", and quantizing those fails."""
    return parse_kes(
        "" if value is None else value,
        field=field,
        positive=False,
        whole_digits=8,  # the columns hold 10 digits, 2 after the point
        message=_("Enter an amount in shillings, like 2500."),
    )


# What the audit log shows as before and after of a venue or a logistics item changed.
LOGISTICS_FIELDS = ("source", "supplier", "cost_kes")
EXPENSE_FIELDS = ("description", "amount_kes", "receipt_number", "spent_on")


def logistics_set(
    *, outreach: Outreach, kind: str, source: str, supplier: str, cost, actor
) -> LogisticsItem:
    if kind not in LogisticsItem.Kind.values:
        raise OutreachError(_("Unknown item."), field="kind")
    if source not in LogisticsItem.Source.values:
        raise OutreachError(_("Choose borrowed or hired."), field="source")
    supplier = clean_text(supplier, field="supplier", max_length=120)
    cost = parse_amount(cost or "0", field="cost_kes")
    if source == LogisticsItem.Source.HIRED and cost <= 0:
        raise OutreachError(_("Enter what hiring it costs."), field="cost_kes")
    if source != LogisticsItem.Source.HIRED:
        cost = Decimal("0.00")
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        if outreach.status in (Status.CLOSED, Status.CANCELLED):
            raise Conflict(_("This outreach is closed."), field="status")
        was = LogisticsItem.objects.filter(outreach=outreach, kind=kind).first()
        item, _created = LogisticsItem.objects.update_or_create(
            outreach=outreach,
            kind=kind,
            defaults={"source": source, "supplier": supplier, "cost_kes": cost},
        )
        audit.record(
            action="outreach.logistics_set",
            instance=item,
            actor=actor,
            before={f: getattr(was, f) for f in LOGISTICS_FIELDS} if was else None,
            after={f: getattr(item, f) for f in LOGISTICS_FIELDS},
        )
    return item


def imprest_spent(outreach: Outreach) -> Decimal:
    total = Expense.objects.filter(outreach=outreach).aggregate(total=Sum("amount_kes"))["total"]
    return total or Decimal("0.00")


def imprest_balance(outreach: Outreach) -> Decimal:
    return outreach.imprest_kes - imprest_spent(outreach)


def expense_record(
    *,
    outreach: Outreach,
    description: str,
    amount,
    receipt_number: str,
    receipt_photo: str = "",
    spent_on: dt.date | None = None,
    actor,
) -> Expense:
    """Spend from the imprest, with a receipt. Refused beyond the balance: the outreach row is
    locked while the balance is read and the expense written, so two at once cannot overspend."""
    description = clean_text(description, field="description", max_length=200, required=True)
    receipt_number = clean_text(
        receipt_number, field="receipt_number", max_length=40, required=True
    )
    receipt_photo = clean_text(receipt_photo, field="receipt_photo", max_length=200)
    amount = parse_amount(amount)
    if amount <= 0:
        raise OutreachError(_("Enter an amount in shillings, like 2500."), field="amount_kes")
    spent_on = spent_on or clock.local_date()
    if spent_on > clock.local_date():
        raise OutreachError(_("An expense cannot be dated in the future."), field="spent_on")
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        if outreach.status == Status.CLOSED:
            raise Conflict(_("This outreach is closed."), field="status")
        balance = imprest_balance(outreach)
        if amount > balance:
            raise OutreachError(
                _("KES %(amount)s is more than the imprest's balance of KES %(balance)s.")
                % {"amount": format_amount(amount), "balance": format_amount(balance)},
                field="amount_kes",
            )
        if Expense.objects.filter(outreach=outreach, receipt_number=receipt_number).exists():
            raise Conflict(_("This receipt is already recorded."), field="receipt_number")
        expense = Expense.objects.create(
            outreach=outreach,
            description=description,
            amount_kes=amount,
            receipt_number=receipt_number,
            receipt_photo=receipt_photo,
            spent_on=spent_on,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        audit.record(
            action="outreach.expense_recorded",
            instance=expense,
            actor=actor,
            after={f: getattr(expense, f) for f in EXPENSE_FIELDS},
        )
    return expense


def reimbursement_request(*, outreach: Outreach, actor) -> Reimbursement:
    """Claim back every expense not yet claimed."""
    with transaction.atomic():
        outreach = lock_outreach(outreach)
        expenses = Expense.objects.filter(outreach=outreach, reimbursement__isnull=True)
        total = expenses.aggregate(total=Sum("amount_kes"))["total"] or Decimal(0)
        if total <= 0:
            raise OutreachError(_("There is no expense to claim back."), field="expenses")
        claim = Reimbursement.objects.create(
            outreach=outreach, amount_kes=total, requested_by=actor, requested_at=clock.now()
        )
        expenses.update(reimbursement=claim)
        audit.record(action="outreach.reimbursement_requested", instance=claim, actor=actor)
    return claim


def reimbursement_approve(*, reimbursement: Reimbursement, actor) -> Reimbursement:
    """A second person approves: the centre's manager or the Secretariat, never the one who
    asked (core.approvals; a database constraint too)."""
    with transaction.atomic():
        claim = (
            Reimbursement.objects.select_for_update()
            .select_related("outreach__centre")
            .get(pk=reimbursement.pk)
        )
        if not has_role(actor, Role.SECRETARIAT):
            require_centre(actor, claim.outreach.centre, Role.CENTRE_MANAGER)
        second_person(
            maker_id=claim.requested_by_id,
            checker=actor,
            message=_("A second person must approve: you asked for this reimbursement."),
            field="approved_by",
        )
        if claim.status == Reimbursement.Status.APPROVED:
            return claim
        claim.status = Reimbursement.Status.APPROVED
        claim.approved_by = actor
        claim.approved_at = clock.now()
        claim.save()
        audit.record(action="outreach.reimbursement_approved", instance=claim, actor=actor)
    return claim

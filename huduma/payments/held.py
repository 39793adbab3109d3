"""Held payments and the way out of them: money a payer paid that no fee took (a second
payment of one fee, a success after the request had ended...) waits in the centre's suspense
account in the ledger until two people decide it: one proposes "apply to the invoice" or
"refund to the payer", another approves (maker-checker, as ledger refunds). Each outcome is a
ledger entry out of suspense. The Centre Manager decides for their centre, the Secretariat for
any."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role, works_at
from huduma.core import audit, clock
from huduma.core.approvals import SameOfficer, second_person  # noqa: F401 (held.SameOfficer)
from huduma.core.errors import Conflict, DomainError, Forbidden
from huduma.ledger import held as ledger_held
from huduma.payments import providers
from huduma.payments.errors import AlreadyPaid
from huduma.payments.models import HeldDecision, Payment
from huduma.payments.paybill import OFFLINE_CODE_PROVIDER
from huduma.payments.settling import _completed_sms, _event, _on_payment_held
from huduma.payments.stk import _ask_provider

Status = Payment.Status
Outcome = HeldDecision.Outcome


class NotHeld(Conflict):
    code = "not_held"


class NothingHeld(Conflict):
    code = "no_money_held"


class ProposalOpen(Conflict):
    code = "proposal_open"


class ProposalNotPending(Conflict):
    code = "proposal_not_pending"


def can_decide(user, centre) -> bool:
    return has_role(user, Role.SECRETARIAT) or (
        has_role(user, Role.CENTRE_MANAGER) and works_at(user, centre)
    )


def _require_decider(user, centre) -> None:
    if not can_decide(user, centre):
        raise Forbidden(_("Only the Centre Manager or the Secretariat decides held payments."))


def held_payments(*, user) -> QuerySet:
    """The worklist: held payments of the manager's centre, or of every centre for the
    Secretariat, oldest first, with their open proposal."""
    rows = Payment.objects.filter(status=Status.HELD)
    if not has_role(user, Role.SECRETARIAT):
        rows = rows.filter(invoice__centre_id=user.centre_id)
    return rows.select_related("invoice__centre", "invoice__service").order_by("settled_at")


def _check_applicable(payment: Payment) -> None:
    if payment.amount_paid_kes != payment.invoice.amount_kes:
        raise Conflict(
            _("The money held is not the invoice's fee: refund it to the payer."), field="outcome"
        )
    others = Payment.objects.exclude(pk=payment.pk).filter(status=Status.COMPLETED)
    if others.filter(invoice_id=payment.invoice_id).exists() or (
        payment.application_id and others.filter(application_id=payment.application_id).exists()
    ):
        raise AlreadyPaid(
            _("This fee is already paid: refund the money held to the payer."), field="outcome"
        )


def held_propose(*, payment: Payment, outcome: str, reason: str, by) -> HeldDecision:
    """The maker: proposes what becomes of the money held. Nothing moves until approved."""
    if outcome not in Outcome.values:
        raise DomainError(
            _("Choose: apply to the invoice, or refund to the payer."), field="outcome"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for this decision."), field="reason")
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().select_related("invoice__centre").get(pk=payment.pk)
        )
        _require_decider(by, payment.invoice.centre)
        if payment.status != Status.HELD:
            raise NotHeld(_("This payment is not held any more."))
        if payment.amount_paid_kes is None:
            raise NothingHeld(
                _("M-Pesa has not confirmed money for this payment: nothing to apply or refund.")
            )
        if outcome == Outcome.APPLY:
            _check_applicable(payment)
        try:
            with transaction.atomic():
                decision = HeldDecision.objects.create(
                    payment=payment,
                    outcome=outcome,
                    reason=reason[:300],
                    proposed_by=by,
                    proposed_at=clock.now(),
                )
        except IntegrityError:
            raise ProposalOpen(
                _("A decision on this payment is already waiting for approval.")
            ) from None
        _event(payment, "held_proposed", status=Status.HELD, actor=by, outcome=outcome)
        audit.record(action="payments.held_proposed", instance=decision, actor=by)
    return decision


def held_approve(*, decision_id: int, by) -> HeldDecision:
    """The checker: another person approves, and the money leaves suspense: applied (the
    invoice is paid, with its signed receipt) or refunded (to the payer, outside)."""
    with transaction.atomic():
        decision = HeldDecision.objects.select_for_update().get(pk=decision_id)
        payment = (
            Payment.objects.select_for_update()
            .select_related("invoice__centre", "invoice__service")
            .get(pk=decision.payment_id)
        )
        _require_decider(by, payment.invoice.centre)
        second_person(
            maker_id=decision.proposed_by_id,
            checker=by,
            message=_("Another person than the one who proposed it must approve."),
        )
        if decision.status != HeldDecision.Status.PENDING:
            raise ProposalNotPending(_("This decision was already taken."))
        if payment.status != Status.HELD:
            raise NotHeld(_("This payment is not held any more."))
        now = clock.now()
        if decision.outcome == Outcome.APPLY:
            _check_applicable(payment)
            try:
                with transaction.atomic():
                    Payment.objects.filter(pk=payment.pk, status=Status.HELD).update(
                        status=Status.COMPLETED, hold_reason="", settled_at=now
                    )
            except IntegrityError:
                raise AlreadyPaid(
                    _("This fee is already paid: refund the money held to the payer."),
                    field="outcome",
                ) from None
            receipt = ledger_held.held_apply(payment_id=payment.pk, at=now)
            payment.refresh_from_db()
            _event(payment, "held_applied", status=Status.COMPLETED, actor=by, now=now)
            _completed_sms(payment, receipt)
        else:
            Payment.objects.filter(pk=payment.pk, status=Status.HELD).update(
                status=Status.REFUNDED, settled_at=now
            )
            ledger_held.held_return(payment_id=payment.pk, at=now)
            _event(payment, "held_refunded", status=Status.REFUNDED, actor=by, now=now)
        decision.status = HeldDecision.Status.APPROVED
        decision.decided_by = by
        decision.decided_at = now
        decision.save()
        audit.record(action="payments.held_approved", instance=decision, actor=by)
    return decision


def held_reject(*, decision_id: int, by) -> HeldDecision:
    """The checker refuses the proposal: the money stays held, and a new one can be made."""
    with transaction.atomic():
        decision = (
            HeldDecision.objects.select_for_update()
            .select_related("payment__invoice__centre")
            .get(pk=decision_id)
        )
        _require_decider(by, decision.payment.invoice.centre)
        if decision.status != HeldDecision.Status.PENDING:
            raise ProposalNotPending(_("This decision was already taken."))
        second_person(
            maker_id=decision.proposed_by_id,
            checker=by,
            message=_("Another person than the one who proposed it must decide."),
        )
        decision.status = HeldDecision.Status.REJECTED
        decision.decided_by = by
        decision.decided_at = clock.now()
        decision.save()
        audit.record(action="payments.held_rejected", instance=decision, actor=by)
    return decision


def held_recheck(*, payment: Payment, by) -> str:
    """A success reported after its request had ended that M-Pesa did not confirm then: ask
    Daraja's STK Query again. Confirmed, the money is held in suspense (and can be decided);
    refused for good, the payment ends as failed; still unknown, it stays as it is."""
    _require_decider(by, payment.invoice.centre)
    if payment.status != Status.HELD or payment.amount_paid_kes is not None:
        raise NotHeld(_("Only a payment M-Pesa has not confirmed can be checked again."))
    if payment.provider == OFFLINE_CODE_PROVIDER or not payment.checkout_request_id:
        raise NotHeld(_("Only a payment M-Pesa has not confirmed can be checked again."))
    answer = _ask_provider(payment)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("invoice")
            .get(pk=payment.pk, status=Status.HELD, amount_paid_kes__isnull=True)
        )
        if answer.pending:
            _event(payment, "held_recheck", status=Status.HELD, actor=by, pending=True)
            return "pending"
        if answer.result_code == providers.RESULT_SUCCESS:
            payment.amount_paid_kes = payment.amount_kes
            payment.save(update_fields=["amount_paid_kes"])
            _event(payment, "held_recheck", status=Status.HELD, actor=by, confirmed=True)
            _on_payment_held(payment)
            return "confirmed"
        Payment.objects.filter(pk=payment.pk).update(
            status=Status.FAILED, hold_reason="M-Pesa confirms no payment"
        )
        _event(
            payment,
            "held_recheck",
            status=Status.FAILED,
            actor=by,
            result_code=answer.result_code,
            result_desc=answer.result_desc,
        )
        return "not_paid"

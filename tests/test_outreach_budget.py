"""The imprest: expenses with receipts, the balance, an expense beyond it refused, and the
reimbursement approved by a second person only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from huduma.core.errors import DomainError
from huduma.core.models import AuditEntry
from huduma.outreach import imprest, planning
from huduma.outreach.plan_models import Expense, LogisticsItem, Outreach, Reimbursement
from tests.outreach_world import add_mashinani, planned


@pytest.fixture
def mashinani(world):
    return add_mashinani(world)


def spend(world, outreach, amount, receipt):
    return imprest.expense_record(
        outreach=outreach,
        description="Tent hire",
        amount=amount,
        receipt_number=receipt,
        receipt_photo="photos/receipt-" + receipt + ".jpg",
        actor=world.bob,
    )


def test_the_imprest_balance_and_an_expense_beyond_it_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    assert imprest.imprest_balance(outreach) == Decimal("50000.00")
    spend(mashinani, outreach, "30000", "R-001")
    assert imprest.imprest_balance(outreach) == Decimal("20000.00")
    with pytest.raises(DomainError) as error:
        spend(mashinani, outreach, "20000.01", "R-002")
    assert error.value.field == "amount_kes"
    assert "more than the imprest's balance of KES 20,000.00" in error.value.message
    assert Expense.objects.count() == 1
    spend(mashinani, outreach, "20,000", "R-002")
    assert imprest.imprest_balance(outreach) == Decimal("0.00")
    # The audit log names the expense with the money in the one format of the refusals.
    entry = AuditEntry.objects.filter(action="outreach.expense_recorded").order_by("-id").first()
    assert entry.object_repr == "Tent hire KES 20,000.00"


def test_bad_amounts_and_a_receipt_twice_are_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    for amount in ("", "abc", "-5", "0", "1e400", "NaN"):
        with pytest.raises(DomainError) as error:
            spend(mashinani, outreach, amount, "R-9")
        assert error.value.field == "amount_kes"
    spend(mashinani, outreach, "100", "R-1")
    with pytest.raises(DomainError) as error:
        spend(mashinani, outreach, "100", "R-1")
    assert error.value.field == "receipt_number"


def test_reimbursement_is_approved_by_a_second_person_only(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    spend(mashinani, outreach, "12000", "R-1")
    spend(mashinani, outreach, "3500.50", "R-2")
    claim = imprest.reimbursement_request(outreach=outreach, actor=mashinani.bob)
    assert claim.amount_kes == Decimal("15500.50")
    with pytest.raises(DomainError) as error:
        imprest.reimbursement_approve(reimbursement=claim, actor=mashinani.bob)
    assert error.value.status == 403 and error.value.field == "approved_by"
    claim.refresh_from_db()
    assert claim.status == Reimbursement.Status.REQUESTED
    claim = imprest.reimbursement_approve(reimbursement=claim, actor=mashinani.sam)
    assert (claim.status, claim.approved_by) == (Reimbursement.Status.APPROVED, mashinani.sam)
    # Nothing left to claim.
    with pytest.raises(DomainError):
        imprest.reimbursement_request(outreach=outreach, actor=mashinani.bob)


def test_the_database_refuses_approval_by_the_requester(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    claim = Reimbursement.objects.create(
        outreach=outreach, amount_kes=10, requested_by=mashinani.bob, requested_at=clock.current
    )
    claim.approved_by = mashinani.bob
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


def test_logistics_are_borrowed_or_hired_with_a_cost(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    assert outreach.logistics.count() == 5
    item = imprest.logistics_set(
        outreach=outreach,
        kind="tents",
        source="hired",
        supplier="Tents Ltd",
        cost="8000",
        actor=mashinani.bob,
    )
    assert item.cost_kes == Decimal("8000.00")
    with pytest.raises(DomainError) as error:
        imprest.logistics_set(
            outreach=outreach,
            kind="chairs",
            source="hired",
            supplier="",
            cost="",
            actor=mashinani.bob,
        )
    assert error.value.field == "cost_kes"
    item = imprest.logistics_set(
        outreach=outreach,
        kind="transport",
        source="borrowed",
        supplier="County Commissioner",
        cost="500",
        actor=mashinani.bob,
    )
    assert item.cost_kes == 0  # borrowed costs nothing
    with pytest.raises(IntegrityError), transaction.atomic():
        LogisticsItem.objects.filter(pk=item.pk).update(cost_kes=10)


def test_an_outreach_closes_only_once_accounted_for(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 11, 25)])
    planning.outreach_assign_officer(
        outreach=outreach, service=mashinani.id_dup, officer=mashinani.dave, actor=mashinani.bob
    )
    planning.outreach_assign_officer(
        outreach=outreach, service=mashinani.nhif_reg, officer=mashinani.erin, actor=mashinani.bob
    )
    planning.outreach_agree(
        outreach=outreach,
        name="A",
        office="Chief",
        agreed_on=dt.date(2026, 11, 24),
        actor=mashinani.bob,
    )
    with pytest.raises(DomainError):  # not started yet
        planning.outreach_move(outreach=outreach, to="held", actor=mashinani.bob)
    clock.advance(days=1)
    planning.outreach_move(outreach=outreach, to="held", actor=mashinani.bob)
    spend(mashinani, outreach, "5000", "R-1")
    with pytest.raises(DomainError) as error:
        planning.outreach_move(outreach=outreach, to="closed", actor=mashinani.bob)
    assert "Account for the imprest first" in error.value.message
    claim = imprest.reimbursement_request(outreach=outreach, actor=mashinani.bob)
    with pytest.raises(DomainError):
        planning.outreach_move(outreach=outreach, to="closed", actor=mashinani.bob)
    imprest.reimbursement_approve(reimbursement=claim, actor=mashinani.sam)
    outreach = planning.outreach_move(outreach=outreach, to="closed", actor=mashinani.bob)
    assert outreach.status == "closed"
    with pytest.raises(DomainError):  # closed is closed
        spend(mashinani, outreach, "10", "R-2")


def test_the_audit_log_shows_what_a_venue_logistics_or_expense_change_did(mashinani, clock):
    """The audit log's difference names the fields that changed, money in one format: a venue
    moved, a tent hired, an expense recorded (each showed no change at all)."""
    from huduma.core.audit_diff import changes

    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    planning.outreach_set_venue(
        outreach=outreach,
        name="Social hall",
        ward="Parklands",
        lat=outreach.venue_lat,
        lon=outreach.venue_lon,
        actor=mashinani.bob,
    )
    imprest.logistics_set(
        outreach=outreach,
        kind=LogisticsItem.Kind.TENTS,
        source=LogisticsItem.Source.HIRED,
        supplier="Tents Ltd",
        cost="12000",
        actor=mashinani.bob,
    )
    spend(mashinani, outreach, "1500", "R-9")

    def shown(action):
        entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
        return {(c.field, c.before, c.after) for c in changes(entry)}

    assert {field for field, _b, _a in shown("outreach.venue_set")} == {"Venue"}
    assert ("Venue", "Chief's camp", "Social hall") in shown("outreach.venue_set")
    assert any("KES 12,000.00" in after for _f, _b, after in shown("outreach.logistics_set"))
    assert any("KES 1,500.00" in after for _f, _b, after in shown("outreach.expense_recorded"))


@pytest.mark.parametrize(
    "status, moves",
    [
        ("proposed", {"cancelled"}),
        ("agreed", {"held", "cancelled"}),
        ("announced", {"held", "cancelled"}),
        ("held", {"closed"}),
        ("closed", set()),
        ("cancelled", set()),
    ],
)
def test_the_page_offers_the_moves_outreach_move_allows(status, moves):
    assert planning.moves_from(Outreach(status=status)) == moves

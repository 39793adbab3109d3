"""One maker-checker rule (core.approvals) for refunds, money held and imprest reimbursements,
and every checker's role checked in the service, not only in a view."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from huduma.accounts.models import Role, User
from huduma.core.approvals import SameOfficer, second_person
from huduma.ledger import errors as ledger_errors
from huduma.outreach import imprest
from huduma.outreach.plan_models import Reimbursement
from huduma.payments import held
from tests.outreach_world import add_mashinani, planned
from tests.test_outreach_budget import spend


def test_one_rule_one_refusal(world):
    assert ledger_errors.SameOfficer is held.SameOfficer is SameOfficer
    with pytest.raises(SameOfficer) as refused:
        second_person(maker_id=world.bob.pk, checker=world.bob)
    assert refused.value.status == 403 and refused.value.code == "maker_checker"
    with pytest.raises(SameOfficer):
        second_person(maker_id=world.bob.pk, checker=None)
    second_person(maker_id=world.bob.pk, checker=world.sam)


def test_a_reimbursement_is_approved_only_by_the_centres_manager_or_the_secretariat(world, clock):
    mashinani = add_mashinani(world)
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    spend(mashinani, outreach, "1200", "R-1")
    claim = imprest.reimbursement_request(outreach=outreach, actor=mashinani.bob)
    other_manager = User.objects.create_user(
        username="kisumu-manager", password="pw", role=Role.CENTRE_MANAGER, centre=world.kisumu
    )
    # Called from anywhere (a view, the API, a task), the service itself refuses them.
    for actor in (world.alice, other_manager):
        with pytest.raises(PermissionDenied):
            imprest.reimbursement_approve(reimbursement=claim, actor=actor)
    claim.refresh_from_db()
    assert claim.status == Reimbursement.Status.REQUESTED
    claim = imprest.reimbursement_approve(reimbursement=claim, actor=world.sam)
    assert claim.status == Reimbursement.Status.APPROVED

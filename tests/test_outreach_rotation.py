"""Staff rotation: one officer per chosen service goes, never emptying a service at the centre,
never on two outreaches in a day, and the proposal is fair over months."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from huduma.core.errors import DomainError
from huduma.outreach import planning, rotation
from huduma.outreach.plan_models import OfficerDay
from tests.outreach_world import add_mashinani, planned


@pytest.fixture
def mashinani(world):
    return add_mashinani(world)


def test_a_rotation_that_empties_a_service_is_refused(mashinani, clock):
    mashinani.dave.is_active = False  # alice is then GPO's only NRB officer
    mashinani.dave.save()
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    with pytest.raises(DomainError) as error:
        planning.outreach_assign_officer(
            outreach=outreach,
            service=mashinani.id_dup,
            officer=mashinani.alice,
            actor=mashinani.bob,
        )
    assert error.value.field == "officer"
    assert "no officer at the centre for Replacement of a lost ID card" in error.value.message
    assert not outreach.officers.exists() and not OfficerDay.objects.exists()
    assert rotation.rotation_propose(outreach, mashinani.id_dup) is None


def test_a_rotation_refused_because_other_outreaches_took_the_rest(mashinani, clock):
    day = dt.date(2026, 12, 2)
    first = planned(mashinani, mashinani.westlands, [day], services_=[mashinani.nhif_reg])
    planning.outreach_assign_officer(
        outreach=first, service=mashinani.nhif_reg, officer=mashinani.erin, actor=mashinani.bob
    )
    second = planned(mashinani, mashinani.kibra, [day], services_=[mashinani.nhif_reg])
    with pytest.raises(DomainError) as error:
        planning.outreach_assign_officer(
            outreach=second,
            service=mashinani.nhif_reg,
            officer=mashinani.frank,
            actor=mashinani.bob,
        )
    assert "NHIF registration" in error.value.message
    # Another day is fine: erin is back at the centre.
    planning.outreach_set_days(outreach=second, dates=[dt.date(2026, 12, 3)], actor=mashinani.bob)
    planning.outreach_assign_officer(
        outreach=second, service=mashinani.nhif_reg, officer=mashinani.frank, actor=mashinani.bob
    )


def test_an_officer_double_booked_is_refused(mashinani, clock):
    day = dt.date(2026, 12, 2)
    first = planned(mashinani, mashinani.westlands, [day], services_=[mashinani.id_dup])
    planning.outreach_assign_officer(
        outreach=first, service=mashinani.id_dup, officer=mashinani.dave, actor=mashinani.bob
    )
    second = planned(
        mashinani, mashinani.kibra, [day, dt.date(2026, 12, 3)], services_=[mashinani.id_dup]
    )
    with pytest.raises(DomainError) as error:
        planning.outreach_assign_officer(
            outreach=second, service=mashinani.id_dup, officer=mashinani.dave, actor=mashinani.bob
        )
    assert "already on another outreach on 2026-12-02" in error.value.message
    # Moving the first outreach onto a day the officer is already away is refused too.
    planning.outreach_set_days(outreach=second, dates=[dt.date(2026, 12, 3)], actor=mashinani.bob)
    planning.outreach_assign_officer(
        outreach=second, service=mashinani.id_dup, officer=mashinani.dave, actor=mashinani.bob
    )
    with pytest.raises(DomainError):
        planning.outreach_set_days(
            outreach=first, dates=[dt.date(2026, 12, 3)], actor=mashinani.bob
        )


def test_the_database_refuses_an_officer_on_two_outreaches_in_a_day(mashinani, clock):
    day = dt.date(2026, 12, 2)
    first = planned(mashinani, mashinani.westlands, [day], services_=[mashinani.id_dup])
    second = planned(mashinani, mashinani.kibra, [day], services_=[mashinani.id_dup])
    OfficerDay.objects.create(outreach=first, officer=mashinani.dave, date=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficerDay.objects.create(outreach=second, officer=mashinani.dave, date=day)


def test_an_officer_who_does_not_serve_the_service_is_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    with pytest.raises(DomainError) as error:
        planning.outreach_assign_officer(
            outreach=outreach, service=mashinani.id_dup, officer=mashinani.erin, actor=mashinani.bob
        )
    assert "does not serve" in error.value.message


def test_rotation_is_fair_over_months(mashinani, clock):
    nhif = mashinani.nhif_reg
    december = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)], services_=[nhif])
    # Nobody has gone yet: the oldest account first.
    assert rotation.rotation_propose(december, nhif) == mashinani.erin
    planning.outreach_assign_officer(
        outreach=december, service=nhif, officer=mashinani.erin, actor=mashinani.bob
    )
    january = planned(mashinani, mashinani.westlands, [dt.date(2027, 1, 6)], services_=[nhif])
    # erin has a day away in the last months, frank none: frank goes.
    assert rotation.rotation_propose(january, nhif) == mashinani.frank
    planning.outreach_assign_officer(
        outreach=january, service=nhif, officer=mashinani.frank, actor=mashinani.bob
    )
    february = planned(mashinani, mashinani.westlands, [dt.date(2027, 2, 3)], services_=[nhif])
    # One day each: the one who went longest ago goes.
    assert rotation.rotation_candidates(february, nhif) == [mashinani.erin, mashinani.frank]
    # Fewest days comes before longest since: two days for erin in December make it frank.
    planning.outreach_set_days(
        outreach=december, dates=[dt.date(2026, 12, 2), dt.date(2026, 12, 3)], actor=mashinani.bob
    )
    assert rotation.rotation_propose(february, nhif) == mashinani.frank

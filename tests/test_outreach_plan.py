"""Planning an outreach: the month's calendar, venue, days, portable services, and the refusals
(no portable service, past dates, a venue outside the county)."""

import datetime as dt

import pytest

from huduma.core.errors import DomainError
from huduma.outreach import planning
from huduma.outreach.plan_models import Outreach
from huduma.outreach.selectors import county_calendar
from tests.outreach_world import DECEMBER, IN_KISUMU, add_mashinani, planned


@pytest.fixture
def mashinani(world):
    return add_mashinani(world)


def test_calendar_proposes_one_outreach_per_sub_county_on_working_days(mashinani, clock):
    created = planning.calendar_propose(centre=mashinani.gpo, month=DECEMBER, actor=mashinani.bob)

    assert sorted(o.sub_county.name for o in created) == ["Embakasi East", "Kibra", "Westlands"]
    days = [o.days.get().date for o in created]
    for day in days:
        assert day.month == 12 and day.weekday() < 5
        assert day not in (dt.date(2026, 12, 12), dt.date(2026, 12, 25))
    assert len(set(days)) == 3  # spread over the month
    # One ticket letter each, never a service group's; on different days they may be the same
    # (a number is unique per centre and day). test_outreach_kit has the same-day case.
    assert all(len(o.ticket_prefix) == 1 for o in created)
    assert not {o.ticket_prefix for o in created} & {"A", "B", "C"}
    assert all(o.status == Outreach.Status.PROPOSED for o in created)
    assert all(o.imprest_kes == 50_000 for o in created)
    # Asked again, nothing more: one per sub-county per month.
    assert (
        planning.calendar_propose(centre=mashinani.gpo, month=DECEMBER, actor=mashinani.bob) == []
    )


def test_calendar_of_this_month_starts_after_today(mashinani, clock):
    created = planning.calendar_propose(
        centre=mashinani.gpo, month=dt.date(2026, 11, 1), actor=mashinani.bob
    )
    assert all(o.days.get().date > dt.date(2026, 11, 24) for o in created)


def test_calendar_of_a_past_month_is_refused(mashinani, clock):
    with pytest.raises(DomainError) as error:
        planning.calendar_propose(
            centre=mashinani.gpo, month=dt.date(2026, 10, 1), actor=mashinani.bob
        )
    assert error.value.field == "month"


def test_dates_in_the_past_are_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 11, 26)])
    with pytest.raises(DomainError) as error:
        planning.outreach_set_days(
            outreach=outreach, dates=[dt.date(2026, 11, 20)], actor=mashinani.bob
        )
    assert error.value.field == "dates"
    assert "in the past" in error.value.message
    assert outreach.days.get().date == dt.date(2026, 11, 26)


def test_more_than_two_days_or_a_sunday_is_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    with pytest.raises(DomainError):
        planning.outreach_set_days(
            outreach=outreach,
            dates=[dt.date(2026, 12, 2), dt.date(2026, 12, 3), dt.date(2026, 12, 4)],
            actor=mashinani.bob,
        )
    with pytest.raises(DomainError):
        planning.outreach_set_days(
            outreach=outreach, dates=[dt.date(2026, 12, 6)], actor=mashinani.bob
        )
    planning.outreach_set_days(
        outreach=outreach, dates=[dt.date(2026, 12, 3), dt.date(2026, 12, 4)], actor=mashinani.bob
    )
    assert [d.date for d in outreach.days.all()] == [dt.date(2026, 12, 3), dt.date(2026, 12, 4)]


def test_a_venue_outside_the_county_is_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    with pytest.raises(DomainError) as error:
        planning.outreach_set_venue(
            outreach=outreach,
            name="Kisumu stadium",
            ward="Kondele",
            lat=IN_KISUMU[0],
            lon=IN_KISUMU[1],
            actor=mashinani.bob,
        )
    assert error.value.field == "venue_lat"
    assert "outside Nairobi County" in error.value.message
    outreach.refresh_from_db()
    assert outreach.venue_name == "Chief's camp"


def test_coordinates_that_are_not_numbers_are_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    for lat, lon, field in (("abc", "36.8", "venue_lat"), ("-1.26", "NaN", "venue_lon")):
        with pytest.raises(DomainError) as error:
            planning.outreach_set_venue(
                outreach=outreach, name="X", ward="Y", lat=lat, lon=lon, actor=mashinani.bob
            )
        assert error.value.field == field


def test_point_in_polygon_respects_holes():
    from huduma.outreach.geo import point_in_boundary

    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    boundary = {"type": "Polygon", "coordinates": [square, hole]}
    assert point_in_boundary(1, 1, boundary)
    assert not point_in_boundary(5, 5, boundary)
    assert not point_in_boundary(11, 5, boundary)
    feature = {"type": "Feature", "geometry": boundary}
    assert point_in_boundary(8, 2, feature)


def test_a_plan_with_no_portable_service_is_refused(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    with pytest.raises(DomainError) as error:
        planning.outreach_set_services(outreach=outreach, chosen={}, actor=mashinani.bob)
    assert error.value.field == "services"
    with pytest.raises(DomainError) as error:
        planning.outreach_set_services(
            outreach=outreach, chosen={mashinani.kra_pin.pk: ""}, actor=mashinani.bob
        )
    assert "only portable services" in error.value.message
    assert outreach.services.count() == 2  # unchanged


def test_agreement_records_who_agreed_once_the_plan_is_whole(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2)])
    with pytest.raises(DomainError) as error:  # no officers yet
        planning.outreach_agree(
            outreach=outreach,
            name="J. Otieno",
            office="Assistant Chief, Parklands",
            agreed_on=dt.date(2026, 11, 23),
            actor=mashinani.bob,
        )
    assert error.value.field == "officer"
    planning.outreach_assign_officer(
        outreach=outreach, service=mashinani.id_dup, officer=mashinani.dave, actor=mashinani.bob
    )
    planning.outreach_assign_officer(
        outreach=outreach, service=mashinani.nhif_reg, officer=mashinani.erin, actor=mashinani.bob
    )
    outreach = planning.outreach_agree(
        outreach=outreach,
        name="J. Otieno",
        office="Assistant Chief, Parklands",
        agreed_on=dt.date(2026, 11, 23),
        actor=mashinani.bob,
    )
    assert outreach.status == Outreach.Status.AGREED
    assert (outreach.agreed_by_name, outreach.agreed_on) == ("J. Otieno", dt.date(2026, 11, 23))
    outreach = planning.outreach_communicate(
        outreach=outreach,
        stakeholders="County Commissioner, village elders, NRB",
        actor=mashinani.bob,
    )
    assert outreach.communicated_at is not None
    with pytest.raises(DomainError):  # the plan no longer changes
        planning.outreach_set_days(
            outreach=outreach, dates=[dt.date(2026, 12, 3)], actor=mashinani.bob
        )


def test_the_county_calendar_lists_a_two_day_outreach_once(mashinani, clock):
    outreach = planned(mashinani, mashinani.westlands, [dt.date(2026, 12, 2), dt.date(2026, 12, 3)])
    calendar = county_calendar(mashinani.gpo.county, DECEMBER)
    assert calendar.outreaches == [outreach]
    cells = {cell.date: cell.outreaches for week in calendar.weeks for cell in week if cell}
    assert cells[dt.date(2026, 12, 2)] == [outreach] == cells[dt.date(2026, 12, 3)]
    assert cells[dt.date(2026, 12, 4)] == []
    assert [sub.name for sub in calendar.missing] == ["Embakasi East", "Kibra"]
    assert len(calendar.weeks) == 5 and all(len(week) == 7 for week in calendar.weeks)

"""Appraisal reads an officer's training through staffing.selectors.training_summary."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from huduma.staffing.models import Attendance, Course, TrainingSession
from huduma.staffing.selectors import training_summary

D = dt.date


def course(code, kind=Course.Kind.CSE, service=None, hours="16", months=24):
    return Course.objects.create(
        code=code,
        kind=kind,
        service=service,
        name_en=code.title(),
        name_sw=code.title(),
        hours=Decimal(hours),
        valid_months=months,
    )


def attend(course_, officer, ends, result, hours=None, valid_until=None, score=None):
    session = TrainingSession.objects.create(
        course=course_, starts_on=ends, ends_on=ends, hours=Decimal(hours or course_.hours)
    )
    return Attendance.objects.create(
        session=session, officer=officer, result=result, valid_until=valid_until, score=score
    )


@pytest.fixture
def record(world):
    cse = course("huduma-dna")
    nrb = course("nrb-id", Course.Kind.SERVICE, world.id_dup, hours="8", months=12)
    attend(cse, world.alice, D(2026, 2, 10), "passed", valid_until=D(2028, 2, 10), score=81)
    attend(nrb, world.alice, D(2025, 1, 5), "passed", valid_until=D(2026, 1, 5))
    attend(nrb, world.alice, D(2026, 6, 1), "failed", hours="6", score=40)
    attend(nrb, world.alice, D(2026, 9, 1), "absent")
    attend(cse, world.charlie, D(2026, 3, 1), "passed", valid_until=D(2028, 3, 1))
    return world


def test_summary_counts_sessions_hours_and_results_in_the_period(record):
    s = training_summary(record.alice, D(2026, 1, 1), D(2026, 12, 31))
    assert [line.result for line in s.lines] == ["passed", "failed", "absent"]
    assert s.sessions_attended == 2  # the absence is not attendance
    assert s.courses_attended == 2
    assert s.hours == Decimal("22.0")  # 16 + 6, not the absent session's 8
    assert (s.passed, s.failed, s.absent) == (1, 1, 1)
    assert s.lines[0].score == 81
    assert s.cse_valid is True
    # The NRB skill lapsed on 5 January 2026 and the June retake failed.
    assert s.expired_skills == ("NRB-ID-DUPLICATE",)


def test_summary_is_the_officers_own_and_bounded_by_dates(record):
    early = training_summary(record.alice, D(2025, 1, 1), D(2025, 12, 31))
    assert [line.course_code for line in early.lines] == ["nrb-id"]
    assert early.cse_valid is False  # the CSE pass came in 2026
    assert early.expired_skills == ()
    other = training_summary(record.charlie, D(2026, 1, 1), D(2026, 12, 31))
    assert other.sessions_attended == 1 and other.hours == Decimal("16.0")
    nobody = training_summary(record.bob, D(2026, 1, 1), D(2026, 12, 31))
    assert nobody.lines == () and nobody.hours == 0 and nobody.cse_valid is False


def test_a_service_course_must_name_its_service_and_one_per_service(world):
    with pytest.raises(IntegrityError):
        course("no-service", Course.Kind.SERVICE)


def test_one_skill_course_per_service(world):
    course("a", Course.Kind.SERVICE, world.kra_pin)
    with pytest.raises(IntegrityError):
        course("b", Course.Kind.SERVICE, world.kra_pin)

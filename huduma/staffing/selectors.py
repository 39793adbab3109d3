"""Reads of the staffing app shared by its pages, the API and other apps (appraisal reads
`training_summary`; the skill guard reads `qualification`)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Q

from huduma.core import clock
from huduma.staffing.models import Attendance, Course, SupervisedPractice


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return clock.local_date(value)
    return value


@dataclass(frozen=True)
class TrainingLine:
    """One session an officer was enrolled in."""

    attendance_id: int
    course_code: str
    course_name: str
    kind: str  # Course.Kind
    service_code: str | None
    starts_on: dt.date
    ends_on: dt.date
    hours: Decimal
    result: str  # Attendance.Result
    score: int | None
    valid_until: dt.date | None

    @property
    def result_label(self) -> str:
        return Attendance.Result(self.result).label

    @property
    def attended(self) -> bool:
        return self.result in (Attendance.Result.PASSED, Attendance.Result.FAILED)


@dataclass(frozen=True)
class TrainingSummary:
    """An officer's training between two dates (sessions ending in [start, end]), as
    appraisal reads it. Hours count only sessions attended (passed or failed)."""

    officer_id: int
    start: dt.date
    end: dt.date
    lines: tuple[TrainingLine, ...]
    courses_attended: int
    sessions_attended: int
    hours: Decimal
    passed: int
    failed: int
    absent: int
    # Customer Service Excellence valid on `end` (a pass whose validity covers that day).
    cse_valid: bool
    # Skills (service codes) whose training had lapsed by `end` without a newer pass.
    expired_skills: tuple[str, ...]


def _line(a: Attendance) -> TrainingLine:
    course = a.session.course
    return TrainingLine(
        attendance_id=a.pk,
        course_code=course.code,
        course_name=course.name,
        kind=course.kind,
        service_code=course.service.code if course.service_id else None,
        starts_on=a.session.starts_on,
        ends_on=a.session.ends_on,
        hours=a.session.hours,
        result=a.result,
        score=a.score,
        valid_until=a.valid_until,
    )


def _passes(officer_id: int, on: dt.date):
    """Passes of an officer obtained by `on`."""
    return Attendance.objects.filter(
        officer_id=officer_id, result=Attendance.Result.PASSED, session__ends_on__lte=on
    )


def _valid_on(on: dt.date) -> Q:
    return Q(valid_until__isnull=True) | Q(valid_until__gte=on)


def training_summary(officer, start: dt.date | dt.datetime, end: dt.date | dt.datetime):
    """Courses and sessions attended, hours and results of `officer` for sessions that ended
    between `start` and `end` (inclusive, Nairobi dates)."""
    start, end = _as_date(start), _as_date(end)
    rows = list(
        Attendance.objects.filter(
            officer=officer, session__ends_on__gte=start, session__ends_on__lte=end
        )
        .select_related("session__course__service")
        .order_by("session__ends_on", "pk")
    )
    lines = tuple(_line(a) for a in rows)
    attended = [line for line in lines if line.attended]
    passes = _passes(officer.pk, end)
    cse_valid = passes.filter(_valid_on(end), session__course__kind=Course.Kind.CSE).exists()
    ever = set(
        passes.filter(session__course__kind=Course.Kind.SERVICE).values_list(
            "session__course__service__code", flat=True
        )
    )
    current = set(
        passes.filter(_valid_on(end), session__course__kind=Course.Kind.SERVICE).values_list(
            "session__course__service__code", flat=True
        )
    )
    return TrainingSummary(
        officer_id=officer.pk,
        start=start,
        end=end,
        lines=lines,
        courses_attended=len({line.course_code for line in attended}),
        sessions_attended=len(attended),
        hours=sum((line.hours for line in attended), Decimal(0)),
        passed=sum(line.result == Attendance.Result.PASSED for line in lines),
        failed=sum(line.result == Attendance.Result.FAILED for line in lines),
        absent=sum(line.result == Attendance.Result.ABSENT for line in lines),
        cse_valid=cse_valid,
        expired_skills=tuple(sorted(ever - current)),
    )


@dataclass(frozen=True)
class Qualification:
    """Whether an officer may be given `service` on a day, and why (or why not)."""

    ok: bool
    how: str  # "trained", "practice", "no_course" (the service needs no record yet), or ""
    reason: str = ""


def course_for_service(service_id: int) -> Course | None:
    return Course.objects.filter(
        kind=Course.Kind.SERVICE, service_id=service_id, is_active=True
    ).first()


def cse_course_exists() -> bool:
    return Course.objects.filter(kind=Course.Kind.CSE, is_active=True).exists()


def has_valid_cse(officer_id: int, on: dt.date) -> bool:
    return (
        _passes(officer_id, on)
        .filter(_valid_on(on), session__course__kind=Course.Kind.CSE)
        .exists()
    )


def trained_service_ids(officer_id: int, on: dt.date) -> set[int]:
    """Services whose skill course the officer passed, still valid on `on`."""
    return set(
        _passes(officer_id, on)
        .filter(_valid_on(on), session__course__kind=Course.Kind.SERVICE)
        .values_list("session__course__service_id", flat=True)
    )


def practice_service_ids(officer_id: int, on: dt.date) -> set[int]:
    """Services the officer is in an open supervised-practice period for on `on`."""
    return set(
        SupervisedPractice.objects.filter(
            officer_id=officer_id, starts_on__lte=on, ends_on__gte=on, closed_at__isnull=True
        ).values_list("service_id", flat=True)
    )


def learning_service_ids(officer_id: int, on: dt.date, *, weeks: int) -> set[int]:
    """Services the officer is still learning on `on`: their first pass of the service's skill
    course ended within the last `weeks` weeks (a refresher is not learning), or they are in an
    open supervised-practice period for it."""
    since = on - dt.timedelta(weeks=weeks)
    first_passes = (
        _passes(officer_id, on)
        .filter(session__course__kind=Course.Kind.SERVICE)
        .values("session__course__service_id")
        .annotate(first=Min("session__ends_on"))
        .filter(first__gt=since)
    )
    return {row["session__course__service_id"] for row in first_passes} | practice_service_ids(
        officer_id, on
    )

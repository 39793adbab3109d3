"""The verbs of staffing: training sessions and results, supervised practice, redeployment
requests and training plans. Each checks the actor's scope, writes the audit row, and is the
only writer of its tables."""

import calendar
import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huduma.accounts.models import Role
from huduma.accounts.permissions import watches_every_centre, works_at
from huduma.core import audit, clock
from huduma.core.errors import Conflict, DomainError, Forbidden
from huduma.queues import services as queues
from huduma.staffing import planner, tasks
from huduma.staffing.establishment import HISTORY_WEEKS
from huduma.staffing.models import (
    Attendance,
    Course,
    PlanItem,
    RedeploymentRequest,
    SupervisedPractice,
    TrainingPlan,
    TrainingSession,
)

# Longest supervised-practice period: long enough for a course to be scheduled, short enough
# that practice does not become a way around training.
MAX_PRACTICE_DAYS = 28
# A proposal still computing after this is taken for lost (its worker died).
STALE_COMPUTING = dt.timedelta(minutes=30)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _may_train(actor, centre) -> None:
    """Sessions and results: the Secretariat anywhere, a Centre Manager at their centre."""
    if watches_every_centre(actor):
        return
    if centre is not None and works_at(actor, centre) and actor.role == Role.CENTRE_MANAGER:
        return
    raise Forbidden(_("Only the Secretariat or this centre's manager records training."))


def session_create(
    *,
    course: Course,
    centre,
    starts_on: dt.date,
    ends_on: dt.date,
    hours: Decimal | None = None,
    trainer: str = "",
    actor,
) -> TrainingSession:
    _may_train(actor, centre)
    if ends_on < starts_on:
        raise DomainError(_("A session cannot end before it starts."), field="ends_on")
    if not course.is_active:
        raise DomainError(_("This course is no longer given."), field="course")
    with transaction.atomic():
        session = TrainingSession.objects.create(
            course=course,
            centre=centre,
            starts_on=starts_on,
            ends_on=ends_on,
            hours=hours if hours is not None else course.hours,
            trainer=trainer,
            created_by=actor,
        )
        audit.record(
            action="staffing.session_created",
            instance=session,
            actor=actor,
            after={"course": course.code, "starts_on": starts_on, "ends_on": ends_on},
        )
    return session


def attendance_record(
    *, session: TrainingSession, officer, result: str, score: int | None = None, actor
) -> Attendance:
    """Enrol an officer or record their result (idempotent: the same result again changes
    nothing). A pass is valid for the course's months from the session's last day."""
    _may_train(actor, session.centre if session.centre_id else actor.centre)
    if session.centre_id and officer.centre_id != session.centre_id:
        raise DomainError(_("This officer works at another centre."), field="officer")
    if not watches_every_centre(actor) and officer.centre_id != actor.centre_id:
        # A national session: a manager records only their own centre's officers.
        raise Forbidden(_("Only the Secretariat or this centre's manager records training."))
    if result not in Attendance.Result.values:
        raise DomainError(_("Choose a result."), field="result")
    if score is not None and not 0 <= score <= 100:
        raise DomainError(_("A score is between 0 and 100."), field="score")
    if result == Attendance.Result.PASSED and session.ends_on > clock.local_date():
        raise DomainError(_("A pass is recorded once the session has ended."), field="result")
    course = session.course
    valid_until = None
    if result == Attendance.Result.PASSED and course.valid_months:
        valid_until = add_months(session.ends_on, course.valid_months)
    with transaction.atomic():
        row = (
            Attendance.objects.select_for_update().filter(session=session, officer=officer).first()
        )
        before = None
        if row is None:
            try:
                with transaction.atomic():
                    row = Attendance.objects.create(session=session, officer=officer)
            except IntegrityError as exc:
                raise Conflict(
                    _("Recorded by someone else just now; reload."), field="officer"
                ) from exc
        else:
            before = {"result": row.result, "score": row.score}
            if row.result == result and row.score == score:
                return row
        row.result, row.score, row.valid_until = result, score, valid_until
        row.recorded_by, row.recorded_at = actor, clock.now()
        row.save()
        audit.record(
            action="staffing.attendance_recorded",
            instance=row,
            actor=actor,
            before=before,
            after={
                "officer": officer.get_username(),
                "course": course.code,
                "result": result,
                "score": score,
                "valid_until": valid_until,
            },
        )
        if result == Attendance.Result.PASSED and course.service_id:
            plan_item_trained(officer=officer, service_id=course.service_id, actor=actor)
    return row


def practice_open(
    *,
    officer,
    service,
    starts_on: dt.date,
    ends_on: dt.date,
    supervisor: str,
    reason: str,
    actor,
) -> SupervisedPractice:
    """The Centre Manager lets an officer of the centre serve a service under supervision
    before their training, on purpose: named supervisor, reason, at most four weeks."""
    if not (actor.role == Role.CENTRE_MANAGER and actor.centre_id == officer.centre_id):
        raise Forbidden(_("Only the manager of this officer's centre opens supervised practice."))
    if ends_on < starts_on:
        raise DomainError(_("The period cannot end before it starts."), field="ends_on")
    if (ends_on - starts_on).days + 1 > MAX_PRACTICE_DAYS:
        raise DomainError(
            _("Supervised practice lasts at most %(days)s days.") % {"days": MAX_PRACTICE_DAYS},
            field="ends_on",
        )
    if not supervisor.strip():
        raise DomainError(_("Name the supervisor."), field="supervisor")
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        practice = SupervisedPractice.objects.create(
            officer=officer,
            service=service,
            centre_id=officer.centre_id,
            starts_on=starts_on,
            ends_on=ends_on,
            supervisor=supervisor.strip(),
            reason=reason.strip(),
            opened_by=actor,
            opened_at=clock.now(),
        )
        audit.record(
            action="staffing.practice_opened",
            instance=practice,
            actor=actor,
            after={
                "officer": officer.get_username(),
                "service": service.code,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
    return practice


def plan_item_trained(*, officer, service_id: int, actor) -> None:
    """Training recorded for a skill in an accepted plan: the item is trained and the officer
    is given the skill (queues.officer_skill_grant, through the training rule, which now
    passes), so dispatch offers them that service at any counter."""
    items = list(
        PlanItem.objects.select_for_update()
        .filter(officer=officer, service_id=service_id, status=PlanItem.Status.PLANNED)
        .select_related("service")
    )
    for item in items:
        queues.officer_skill_grant(officer=officer, service=item.service, actor=actor)
        item.status, item.trained_at = PlanItem.Status.TRAINED, clock.now()
        item.save(update_fields=["status", "trained_at"])
        audit.record(
            action="staffing.plan_item_trained",
            instance=item,
            actor=actor,
            after={"officer": officer.get_username(), "service": item.service.code},
        )


# --- establishment: redeployment requests --------------------------------------------------


def liaison_mda_id(user) -> int | None:
    """The MDA a user answers for: an MDA's liaison is a back-office officer of that MDA who
    works for no single centre (a back-office officer at a centre is not the MDA's voice)."""
    if (
        user.is_authenticated
        and user.is_active
        and user.role == Role.BACK_OFFICE
        and user.centre_id is None
        and user.mda_id is not None
    ):
        return user.mda_id
    return None


def is_mda_liaison(user, mda) -> bool:
    return liaison_mda_id(user) == mda.pk


def redeployment_request(*, centre, mda, change: int, reason: str, actor) -> RedeploymentRequest:
    if not (actor.role == Role.CENTRE_MANAGER and works_at(actor, centre)):
        raise Forbidden(_("Only this centre's manager asks an MDA for officers."))
    if not change:
        raise DomainError(
            _("Ask for at least one officer, or release at least one."), field="change"
        )
    if abs(change) > 50:
        raise DomainError(_("Ask for at most 50 officers at a time."), field="change")
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = RedeploymentRequest.objects.create(
                    centre=centre,
                    mda=mda,
                    change=change,
                    reason=reason.strip()[:500],
                    requested_by=actor,
                    requested_at=clock.now(),
                )
        except IntegrityError as exc:
            raise Conflict(
                _("%(mda)s has not yet answered this centre's last request.") % {"mda": mda},
                field="mda",
            ) from exc
        audit.record(
            action="staffing.redeployment_requested",
            instance=row,
            actor=actor,
            after={"centre": centre.code, "mda": mda.code, "change": change},
        )
    return row


def redeployment_answer(
    *, request: RedeploymentRequest, agreed: bool, answer: str, actor
) -> RedeploymentRequest:
    """The MDA's liaison or the Secretariat agrees or refuses, once."""
    if not (watches_every_centre(actor) or is_mda_liaison(actor, request.mda)):
        raise Forbidden(_("Only the MDA's liaison or the Secretariat answers this request."))
    if not agreed and not answer.strip():
        raise DomainError(_("Say why the request is refused."), field="answer")
    status = RedeploymentRequest.Status.AGREED if agreed else RedeploymentRequest.Status.REFUSED
    with transaction.atomic():
        changed = RedeploymentRequest.objects.filter(
            pk=request.pk, status=RedeploymentRequest.Status.PENDING
        ).update(
            status=status,
            answer=answer.strip()[:500],
            answered_by=actor,
            answered_at=clock.now(),
        )
        if changed != 1:
            raise Conflict(_("This request has already been answered."), field="answer")
        request.refresh_from_db()
        audit.record(
            action="staffing.redeployment_answered",
            instance=request,
            actor=actor,
            after={"status": status, "answer": request.answer},
        )
    return request


# --- the cross-training planner -------------------------------------------------------------


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def plan_propose(*, centre, actor, today: dt.date | None = None) -> TrainingPlan:
    """The Centre Manager asks for a proposal; the planner runs in the background."""
    if not (actor.role == Role.CENTRE_MANAGER and works_at(actor, centre)):
        raise Forbidden(_("Only this centre's manager runs the planner for it."))
    today = today or clock.local_date()
    with transaction.atomic():
        running = (
            TrainingPlan.objects.select_for_update()
            .filter(centre=centre, status=TrainingPlan.Status.COMPUTING)
            .first()
        )
        if running is not None and running.created_at > clock.now() - STALE_COMPUTING:
            return running  # one at a time per centre
        if running is not None:
            # Its worker died (a planner run takes minutes, not half an hour).
            running.status = TrainingPlan.Status.FAILED
            running.note = _("The planner stopped before it finished; run it again.")
            running.save(update_fields=["status", "note"])
        plan = TrainingPlan.objects.create(
            centre=centre,
            quarter=quarter_start(today),
            history_from=today - dt.timedelta(weeks=HISTORY_WEEKS),
            history_to=today - dt.timedelta(days=1),
            target_ratio=Decimal(str(planner.TARGET_RATIO)),
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(action="staffing.plan_requested", instance=plan, actor=actor)
        transaction.on_commit(lambda: tasks.plan_compute_task(plan.pk))
    return plan


def plan_accept(*, plan: TrainingPlan, actor) -> TrainingPlan:
    """The manager accepts the proposal as the quarter's training plan."""
    if not (actor.role == Role.CENTRE_MANAGER and works_at(actor, plan.centre)):
        raise Forbidden(_("Only this centre's manager accepts its training plan."))
    with transaction.atomic():
        changed = TrainingPlan.objects.filter(
            pk=plan.pk, status=TrainingPlan.Status.PROPOSED
        ).update(status=TrainingPlan.Status.ACCEPTED, accepted_by=actor, accepted_at=clock.now())
        if changed != 1:
            raise Conflict(_("This proposal is not waiting to be accepted."), field="plan")
        try:
            with transaction.atomic():
                for item in plan.items.all():
                    item.status = PlanItem.Status.PLANNED
                    item.save(update_fields=["status"])
        except IntegrityError as exc:
            raise Conflict(
                _("An officer of this plan already has a new skill planned this quarter."),
                field="plan",
            ) from exc
        plan.refresh_from_db()
        audit.record(
            action="staffing.plan_accepted",
            instance=plan,
            actor=actor,
            after={"skills": [f"{i.officer.username}:{i.service.code}" for i in plan.items.all()]},
        )
    return plan

"""Pages of staffing: the establishment (Centre Manager, the MDA's liaison, the Secretariat),
training records (the centre's, and each officer's own) and the cross-training planner."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role, is_staff_member, watches_every_centre, works_at
from huduma.catalogue.models import MDA, Service
from huduma.core import audit, clock
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.places.models import Centre
from huduma.staffing import establishment, selectors, services
from huduma.staffing.models import (
    Attendance,
    Course,
    RedeploymentRequest,
    SupervisedPractice,
    TrainingPlan,
    TrainingSession,
)

MAX_ID = 2**62
PRACTICE_FIELDS = {"officer", "starts_on", "ends_on"}


def _manages(user, centre) -> bool:
    return has_role(user, Role.CENTRE_MANAGER) and works_at(user, centre)


def _liaison_mda(user):
    """The MDA a liaison answers for (None for anyone else): see services.liaison_mda_id."""
    return user.mda if services.liaison_mda_id(user) else None


def _posted(request, name, queryset):
    pk = ascii_int(request.POST.get(name), minimum=1, maximum=MAX_ID)
    return queryset.filter(pk=pk).first() if pk is not None else None


def _date(request, name) -> dt.date | None:
    try:
        return dt.date.fromisoformat((request.POST.get(name) or "").strip())
    except ValueError:
        return None


# --- establishment ------------------------------------------------------------------------


@login_required
def index(request):
    """Where each role starts: the manager at their centre; the Secretariat and an MDA's
    liaison choose a centre."""
    user = request.user
    if not is_staff_member(user):
        raise PermissionDenied
    if has_role(user, Role.CENTRE_MANAGER):
        return redirect("staffing:establishment", user.centre.code)
    if not (watches_every_centre(user) or _liaison_mda(user)):
        return redirect("staffing:my_training")
    centres = Centre.objects.order_by("name")
    pending = establishment.requests_for(mda=_liaison_mda(user)).filter(
        status=RedeploymentRequest.Status.PENDING
    )
    return render(request, "staffing/index.html", {"centres": centres, "pending": pending})


def _establishment_viewer(user, centre):
    """(may act as manager, the MDA the viewer is limited to or None)."""
    if _manages(user, centre):
        return True, None
    if watches_every_centre(user):
        return False, None
    mda = _liaison_mda(user)
    if mda is not None:
        return False, mda
    raise PermissionDenied


@login_required
def establishment_page(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    manager, only_mda = _establishment_viewer(request.user, centre)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        mda = _posted(request, "mda", MDA.objects.all())
        count = ascii_int((request.POST.get("change") or "").strip(), minimum=1, maximum=50)
        direction = request.POST.get("direction")
        try:
            if mda is None:
                raise DomainError(_("Choose the MDA."), field="mda")
            if direction not in ("more", "release"):
                raise DomainError(_("Choose more officers or a release."), field="direction")
            if count is None:
                raise DomainError(
                    _("Enter how many officers, a whole number from 1 to 50."), field="change"
                )
            change = count if direction == "more" else -count
            services.redeployment_request(
                centre=centre,
                mda=mda,
                change=change,
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except DomainError as exc:
            errors[exc.field or "mda"] = exc.message
            status = exc.status
        else:
            messages.success(request, _("Your request was sent to %(mda)s.") % {"mda": mda})
            return redirect("staffing:establishment", centre.code)
    rows = establishment.centre_establishment(centre, mda=only_mda)
    requests_ = establishment.requests_for(centre=centre, mda=only_mda)[:30]
    audit.record(
        action="staffing.establishment_viewed",
        instance=centre,
        actor=request.user,
    )
    return render(
        request,
        "staffing/establishment.html",
        {
            "centre": centre,
            "rows": rows,
            "requests": requests_,
            "manager": manager,
            "may_answer": watches_every_centre(request.user) or only_mda is not None,
            "mdas": MDA.objects.filter(services__offered_at__centre=centre).distinct(),
            "errors": errors,
            "posted": request.POST if errors else {},
            "wait_target": establishment.WAIT_TARGET_MIN,
            "weeks": establishment.HISTORY_WEEKS,
        },
        status=status,
    )


@login_required
@require_POST
def redeployment_answer(request, pk: int):
    row = get_object_or_404(RedeploymentRequest.objects.select_related("centre", "mda"), pk=pk)
    choice = request.POST.get("decision")
    try:
        if choice not in ("agree", "refuse"):
            raise DomainError(_("Choose agree or refuse."), field="decision")
        services.redeployment_answer(
            request=row,
            agreed=choice == "agree",
            answer=request.POST.get("answer", ""),
            actor=request.user,
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your answer was recorded."))
    return redirect("staffing:establishment", row.centre.code)


# --- training -----------------------------------------------------------------------------


@login_required
def my_training(request):
    """An officer's own record: every session, result and expiry, and practice periods."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    summary = selectors.training_summary(request.user, dt.date(2000, 1, 1), clock.local_date())
    practice = SupervisedPractice.objects.filter(officer=request.user).select_related("service")
    return render(
        request,
        "staffing/my_training.html",
        {"summary": summary, "practice": practice, "today": clock.local_date()},
    )


def _training_viewer(user, centre) -> bool:
    """True if the user may record training at the centre; raises if they may not look."""
    if _manages(user, centre) or watches_every_centre(user):
        return True
    raise PermissionDenied


@login_required
def training_page(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    _training_viewer(request.user, centre)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "session":
                _post_session(request, centre)
                messages.success(request, _("The session was added."))
            elif action == "result":
                _post_result(request, centre)
                messages.success(request, _("The result was recorded."))
            elif action == "practice":
                _post_practice(request, centre)
                messages.success(request, _("Supervised practice was opened."))
            else:
                raise DomainError(_("Choose what to record."), field="action")
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied from exc
            field = exc.field or "action"
            if action == "practice" and field in PRACTICE_FIELDS:
                field = f"p-{field}"  # the practice form's own inputs (ids differ on the page)
            errors[field] = exc.message
            status = exc.status
        else:
            return redirect("staffing:training", centre.code)
    audit.record(action="staffing.training_viewed", instance=centre, actor=request.user)
    officers = get_user_model().objects.filter(
        centre=centre, role=Role.COUNTER_OFFICER, is_active=True
    )
    sessions = (
        TrainingSession.objects.filter(Q(centre=centre) | Q(centre__isnull=True))
        .select_related("course")
        .prefetch_related("attendees__officer")[:40]
    )
    return render(
        request,
        "staffing/training.html",
        {
            "centre": centre,
            "courses": Course.objects.filter(is_active=True),
            "sessions": sessions,
            "officers": officers.order_by("first_name", "username"),
            "services": Service.objects.filter(offered_at__centre=centre, is_active=True),
            "practice": SupervisedPractice.objects.filter(centre=centre).select_related(
                "officer", "service"
            )[:40],
            "results": Attendance.Result.choices,
            "errors": errors,
            "posted": request.POST if errors else {},
            "manager": _manages(request.user, centre),
        },
        status=status,
    )


def _post_session(request, centre):
    course = _posted(request, "course", Course.objects.filter(is_active=True))
    if course is None:
        raise DomainError(_("Choose the course."), field="course")
    starts, ends = _date(request, "starts_on"), _date(request, "ends_on")
    if starts is None:
        raise DomainError(_("Enter the first day as YYYY-MM-DD."), field="starts_on")
    if ends is None:
        raise DomainError(_("Enter the last day as YYYY-MM-DD."), field="ends_on")
    services.session_create(
        course=course,
        centre=centre,
        starts_on=starts,
        ends_on=ends,
        trainer=request.POST.get("trainer", "")[:120],
        actor=request.user,
    )


def _post_result(request, centre):
    session = _posted(
        request,
        "session",
        TrainingSession.objects.filter(Q(centre=centre) | Q(centre__isnull=True)),
    )
    if session is None:
        raise DomainError(_("Choose the session."), field="session")
    officer = _posted(request, "officer", get_user_model().objects.filter(centre=centre))
    if officer is None:
        raise DomainError(_("Choose the officer."), field="officer")
    raw = (request.POST.get("score") or "").strip()
    score = ascii_int(raw, minimum=0, maximum=100) if raw else None
    if raw and score is None:
        raise DomainError(_("A score is a whole number from 0 to 100."), field="score")
    services.attendance_record(
        session=session,
        officer=officer,
        result=request.POST.get("result", ""),
        score=score,
        actor=request.user,
    )


def _post_practice(request, centre):
    officer = _posted(request, "officer", get_user_model().objects.filter(centre=centre))
    if officer is None:
        raise DomainError(_("Choose the officer."), field="officer")
    service = _posted(request, "service", Service.objects.filter(offered_at__centre=centre))
    if service is None:
        raise DomainError(_("Choose the service."), field="service")
    starts, ends = _date(request, "starts_on"), _date(request, "ends_on")
    if starts is None or ends is None:
        raise DomainError(_("Enter both days as YYYY-MM-DD."), field="starts_on")
    services.practice_open(
        officer=officer,
        service=service,
        starts_on=starts,
        ends_on=ends,
        supervisor=request.POST.get("supervisor", "")[:120],
        reason=request.POST.get("reason", "")[:300],
        actor=request.user,
    )


# --- the cross-training planner --------------------------------------------------------------


@login_required
def planner_page(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    manager = _manages(request.user, centre)
    if not (manager or watches_every_centre(request.user)):
        raise PermissionDenied
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "accept":
                plan = _posted(request, "plan", TrainingPlan.objects.filter(centre=centre))
                if plan is None:
                    raise DomainError(_("Choose the proposal."), field="plan")
                services.plan_accept(plan=plan, actor=request.user)
                messages.success(request, _("The proposal is now this quarter's training plan."))
            else:
                services.plan_propose(centre=centre, actor=request.user)
                messages.success(request, _("The planner is running on this centre's history."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("staffing:planner", centre.code)
    plans = list(
        TrainingPlan.objects.filter(centre=centre).prefetch_related(
            "items__officer", "items__service"
        )[:5]
    )
    names = dict(Service.objects.values_list("code", "name_en"))
    return render(
        request,
        "staffing/planner.html",
        {"centre": centre, "plans": plans, "manager": manager, "names": names},
    )

"""Pages of performance: the daily report (page and PDF), standards and the quarterly
evaluation (PDF), appraisals with rewards and sanctions, and what Huduma saves citizens."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role
from huduma.catalogue.models import Service
from huduma.core import audit, clock
from huduma.core.errors import DomainError
from huduma.performance import daily, pdf, permissions, savings, services, standards
from huduma.performance import selectors as perf
from huduma.performance.models import Appraisal, DailyReport, Recognition, SavingsMethod
from huduma.places.models import Centre


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day") or "")
    except ValueError:
        return clock.local_date()


def _report(centre: Centre, day: dt.date) -> tuple[dict, DailyReport | None]:
    """The report made at closing, or (before then) the figures so far, not kept."""
    report = DailyReport.objects.filter(centre=centre, day=day).first()
    if report is not None:
        return report.figures, report
    return daily.daily_figures(centre, day), None


@login_required
def daily_report(request, code: str):
    centre = get_object_or_404(Centre.objects.select_related("county"), code=code)
    permissions.require_report(request.user, centre)
    day = min(_day(request), clock.local_date())
    figures, report = _report(centre, day)
    audit.record(
        action="performance.daily_report_viewed",
        object_type="places.centre",
        object_id=str(centre.pk),
        object_repr=f"{centre.code} {day.isoformat()}",
        actor=request.user,
    )
    return render(
        request,
        "performance/daily_report.html",
        {
            "centre": centre,
            "day": day,
            "f": figures,
            "report": report,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < clock.local_date() else None,
        },
    )


@login_required
def daily_report_pdf(request, code: str):
    centre = get_object_or_404(Centre.objects.select_related("county"), code=code)
    permissions.require_report(request.user, centre)
    day = min(_day(request), clock.local_date())
    figures, _report_row = _report(centre, day)
    body = pdf.daily_report_pdf(figures)
    audit.record(
        action="performance.daily_report_downloaded",
        object_type="places.centre",
        object_id=str(centre.pk),
        object_repr=f"{centre.code} {day.isoformat()}",
        actor=request.user,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="huduma-daily-{centre.code}-{day.isoformat()}.pdf"'
    )
    return response


# --- standards ----------------------------------------------------------------------------


def _quarter(request) -> tuple[str, dt.date, dt.date]:
    chosen = standards.parse_quarter(request.GET.get("quarter", ""))
    first, last = chosen or standards.quarter_of(clock.local_date())
    return standards.quarter_label(first), first, last


def _compliance_sections(first: dt.date, last: dt.date) -> list[tuple[str, str, list]]:
    titles = {
        ("wait", "mda"): _("Maximum wait, per MDA"),
        ("wait", "centre"): _("Maximum wait, per centre"),
        ("wait", "service"): _("Maximum wait, per service"),
        ("turnaround", "mda"): _("Turnaround, per MDA"),
        ("turnaround", "centre"): _("Turnaround, per centre"),
        ("turnaround", "service"): _("Turnaround, per service"),
    }
    return [
        (
            f"{kind}-{level}",
            title,
            standards.compliance(kind=kind, level=level, first=first, last=last),
        )
        for (kind, level), title in titles.items()
    ]


@login_required
def standards_page(request, errors: dict | None = None, status: int = 200):
    permissions.require_standards(request.user)
    quarter, first, last = _quarter(request)
    today = clock.local_date()
    quarters = []
    start = standards.quarter_of(today)[0]
    for _n in range(6):
        quarters.append(standards.quarter_label(start))
        start = standards.quarter_of(start - dt.timedelta(days=1))[0]
    context = {
        "quarter": quarter,
        "quarters": quarters,
        "first": first,
        "last": last,
        "sections": _compliance_sections(first, last),
        "lines": standards.standards_list(
            Service.objects.filter(is_active=True).select_related("mda").order_by("name_en")
        ),
        "can_edit": has_role(request.user, Role.SECRETARIAT),
        "can_evaluate": has_role(request.user, *permissions.EVALUATION_READERS),
        "errors": errors or {},
    }
    return render(request, "performance/standards.html", context, status=status)


@login_required
@require_POST
def standard_target(request, service_id: int):
    permissions.require_secretariat(request.user)
    service = get_object_or_404(Service, pk=service_id)
    try:
        services.standard_target_set(
            service=service,
            kind=request.POST.get("kind", ""),
            target_pct=request.POST.get("target_pct", ""),
            by=request.user,
        )
    except DomainError as exc:
        field = f"target-{service.pk}-{request.POST.get('kind', '')}"
        return standards_page(request, errors={field: exc.message}, status=400)
    return redirect(reverse("performance:standards") + f"#service-{service.pk}")


@login_required
def evaluation_pdf(request, quarter: str):
    permissions.require_evaluation(request.user)
    chosen = standards.parse_quarter(quarter)
    if chosen is None:
        return HttpResponse(_("Not a quarter: write it as 2026-Q3."), status=400)
    first, last = chosen
    sections = [(title, rows) for _key, title, rows in _compliance_sections(first, last)]
    body = pdf.evaluation_pdf(
        quarter=standards.quarter_label(first),
        first=first,
        last=last,
        sections=sections,
        made=clock.now().astimezone(clock.NAIROBI).strftime("%Y-%m-%d %H:%M"),
    )
    audit.record(
        action="performance.evaluation_downloaded",
        object_type="performance.evaluation",
        object_id=quarter,
        actor=request.user,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="huduma-evaluation-{quarter}.pdf"'
    return response


# --- appraisal ----------------------------------------------------------------------------


def _period(request) -> tuple[dt.date, dt.date]:
    """The period asked for (since, until), the last full month by default."""
    first_of_month = clock.local_date().replace(day=1)
    default_last = first_of_month - dt.timedelta(days=1)
    # A form sent back with an error keeps the period it was written for.
    since = request.GET.get("since") or request.POST.get("first_day") or ""
    until = request.GET.get("until") or request.POST.get("last_day") or ""
    try:
        first = dt.date.fromisoformat(since)
        last = dt.date.fromisoformat(until)
    except ValueError:
        return default_last.replace(day=1), default_last
    return (first, last) if first <= last else (last, first)


@login_required
def appraisals(request):
    """Whom the reader may appraise: a manager's centre, or a chosen centre (Secretariat);
    an officer goes straight to their own."""
    user = request.user
    if has_role(user, Role.SECRETARIAT):
        centres = Centre.objects.order_by("name")
        centre = centres.filter(code=request.GET.get("centre", "")).first()
    elif has_role(user, Role.CENTRE_MANAGER):
        centres, centre = None, user.centre
    elif has_role(user, *permissions.APPRAISED_ROLES):
        return redirect("performance:appraisal", officer_id=user.pk)
    else:
        raise PermissionDenied("Appraisals are for managers and the Secretariat")
    officers = perf.appraised_officers(centre) if centre else []
    return render(
        request,
        "performance/appraisals.html",
        {"centres": centres, "centre": centre, "officers": officers},
    )


def _appraisal_context(request, officer, errors=None, form=None) -> dict:
    first, last = _period(request)
    manager = permissions.manages(request.user, officer)
    rows = perf.appraisals_of(officer)
    return {
        "officer": officer,
        "first": first,
        "last": last,
        "f": perf.officer_figures_with_names(officer, first, last),
        "appraisals": rows,
        "recognitions": perf.recognitions_of(officer),
        "is_manager": manager,
        "is_self": request.user.pk == officer.pk,
        "ratings": Appraisal.Rating.choices,
        "kinds": Recognition.Kind.choices,
        "errors": errors or {},
        "form": form or {},
        "me": request.user,
    }


@login_required
def appraisal(request, officer_id: int, errors=None, form=None, status: int = 200):
    officer = get_object_or_404(get_user_model().objects.select_related("centre"), pk=officer_id)
    permissions.require_see_appraisals(request.user, officer)
    if request.user.pk != officer.pk:
        audit.record(
            action="performance.appraisal_viewed",
            instance=officer,
            object_repr=str(officer),
            actor=request.user,
        )
    context = _appraisal_context(request, officer, errors, form)
    return render(request, "performance/appraisal.html", context, status=status)


def _refused(request, officer_id: int, exc: DomainError, form: dict):
    return appraisal(
        request, officer_id, errors={exc.field or "main": exc.message}, form=form, status=400
    )


@login_required
@require_POST
def appraise(request, officer_id: int):
    officer = get_object_or_404(get_user_model(), pk=officer_id)
    permissions.require_manages(request.user, officer)
    try:
        first = dt.date.fromisoformat(request.POST.get("first_day", ""))
    except ValueError:
        exc = DomainError(_("Enter the first day of the period."), field="first_day")
        return _refused(request, officer_id, exc, request.POST)
    try:
        last = dt.date.fromisoformat(request.POST.get("last_day", ""))
    except ValueError:
        exc = DomainError(_("Enter the last day of the period."), field="last_day")
        return _refused(request, officer_id, exc, request.POST)
    try:
        services.appraisal_record(
            officer=officer,
            first_day=first,
            last_day=last,
            rating=request.POST.get("rating"),
            comment=request.POST.get("comment", ""),
            by=request.user,
        )
    except DomainError as exc:
        return _refused(request, officer_id, exc, request.POST)
    return redirect(
        reverse("performance:appraisal", args=[officer.pk])
        + f"?since={first.isoformat()}&until={last.isoformat()}#appraisals"
    )


@login_required
@require_POST
def appraisal_comment(request, appraisal_id: int):
    row = get_object_or_404(Appraisal, pk=appraisal_id)
    permissions.require_see_appraisals(request.user, row.officer)
    try:
        services.appraisal_comment(
            appraisal=row, comment=request.POST.get("officer_comment", ""), by=request.user
        )
    except DomainError as exc:
        exc.field = f"officer_comment-{row.pk}" if exc.field == "officer_comment" else exc.field
        return _refused(request, row.officer_id, exc, request.POST)
    return redirect(reverse("performance:appraisal", args=[row.officer_id]) + "#appraisals")


@login_required
@require_POST
def recognition_propose(request, officer_id: int):
    officer = get_object_or_404(get_user_model(), pk=officer_id)
    permissions.require_manages(request.user, officer)
    try:
        services.recognition_propose(
            officer=officer,
            kind=request.POST.get("kind", ""),
            what=request.POST.get("what", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except DomainError as exc:
        return _refused(request, officer_id, exc, request.POST)
    return redirect(reverse("performance:appraisal", args=[officer.pk]) + "#recognitions")


@login_required
@require_POST
def recognition_decide(request, recognition_id: int):
    row = get_object_or_404(Recognition, pk=recognition_id)
    permissions.require_manages(request.user, row.officer)
    try:
        services.recognition_decide(
            recognition_id=row.pk,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("decision_note", ""),
            by=request.user,
        )
    except DomainError as exc:
        exc.field = f"decision_note-{row.pk}" if exc.field == "decision_note" else exc.field
        return _refused(request, row.officer_id, exc, request.POST)
    return redirect(reverse("performance:appraisal", args=[row.officer_id]) + "#recognitions")


# --- savings ------------------------------------------------------------------------------


def _savings_period(request) -> tuple[dt.date, dt.date]:
    today = clock.local_date()
    try:
        first = dt.date.fromisoformat(request.GET.get("since") or "")
        last = dt.date.fromisoformat(request.GET.get("until") or "")
    except ValueError:
        return today.replace(month=1, day=1), today
    return (first, last) if first <= last else (last, first)


def savings_page(request, errors: dict | None = None, form: dict | None = None, status=200):
    """Public: the method, its inputs and what it gives per centre and nationally."""
    first, last = _savings_period(request)
    errors = dict(errors or {})
    if last - first > savings.LONGEST_PERIOD:
        errors["since"] = _("Choose a period of a year at most.")
        first, status = last - savings.LONGEST_PERIOD, 400
    method = savings.current_method()
    rows, total = savings.savings_cached(method, first=first, last=last) if method else ([], None)
    context = {
        "first": first,
        "last": last,
        "method": method,
        "rows": rows,
        "total": total,
        "history": perf.savings_history() if has_role(request.user, Role.SECRETARIAT) else [],
        "can_edit": has_role(request.user, Role.SECRETARIAT),
        "errors": errors,
        "form": form or {},
        "method_fields": [
            (
                field,
                SavingsMethod._meta.get_field(field).verbose_name,
                (form or {}).get(field, getattr(method, field, "")),
            )
            for field in services.SAVINGS_FIELDS
        ],
    }
    return render(request, "performance/savings.html", context, status=status)


@login_required
@require_POST
def savings_method(request):
    permissions.require_secretariat(request.user)
    inputs = {field: request.POST.get(field, "") for field in services.SAVINGS_FIELDS}
    try:
        services.savings_method_set(
            by=request.user, source=request.POST.get("source", ""), **inputs
        )
    except DomainError as exc:
        return savings_page(
            request, errors={exc.field or "main": exc.message}, form=request.POST, status=400
        )
    return redirect(reverse("performance:savings") + "#method")

"""Huduma Mashinani pages: the Centre Manager's calendar and plan, budget and publicity, the
Secretariat's view of every county, the poster, the reports, and the public opt-in and
suggestion forms. Each view checks permission, reads the form, calls one service, renders."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from huduma.accounts.models import Role, User
from huduma.accounts.permissions import (
    has_role,
    require_centre,
    require_centre_view,
    require_staff,
    watches_every_centre,
    works_at,
)
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int, has_forbidden_characters
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.core.throttle import throttle_writes
from huduma.outreach import imprest, planning, publicity, selectors
from huduma.outreach.plan_models import Announcement, LogisticsItem, OptIn, Outreach, Reimbursement
from huduma.places.models import Centre, County, SubCounty

MAX_ID = 2**63 - 1
# Where on the plan page a refused field's message is shown (the error summary links there).
ANCHORS = {
    "kind": "logistics",
    "source": "logistics",
    "supplier": "logistics",
    "cost_kes": "logistics",
    "service": "officer",
    "equipment": "services",
    "approved_by": "budget",
    "expenses": "budget",
}


def _parse_month(text: str) -> dt.date | None:
    """YYYY-MM (years 2000 to 2100) as the first day of that month, else None."""
    text = (text or "")[:7]
    if not text.isascii():
        return None
    try:
        year, month = text.split("-")
        value = dt.date(int(year), int(month), 1)
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None


def _month(request) -> dt.date:
    """?month=YYYY-MM, else this month (Nairobi)."""
    return _parse_month(request.GET.get("month")) or clock.local_date().replace(day=1)


def _shift(month: dt.date, by: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)


def _post(request, name: str, max_length: int = 400) -> str:
    value = request.POST.get(name) or ""
    if len(value) > max_length * 2 or has_forbidden_characters(value):
        raise DomainError(_("This field holds characters that are not allowed."), field=name)
    return value


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError as exc:
        raise DomainError(_("Enter a date like 2026-12-03."), field=field) from exc


def _time(text: str, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat((text or "").strip()[:5])
    except ValueError as exc:
        raise DomainError(_("Enter a time like 08:00."), field=field) from exc


# --- the calendar -----------------------------------------------------------------------------


@login_required
def index(request):
    """The Centre Manager goes to the centre's calendar; national watchers see every county."""
    user = request.user
    if has_role(user, Role.CENTRE_MANAGER) and user.centre_id:
        return redirect("outreach:calendar", user.centre.code)
    if not watches_every_centre(user):
        raise PermissionDenied("Your role has no outreach pages")
    month = _month(request)
    counties = County.objects.filter(centres__isnull=False).distinct().order_by("name")
    calendars = [selectors.county_calendar(county, month) for county in counties]
    return render(
        request,
        "outreach/index.html",
        {
            "month": month,
            "previous": _shift(month, -1),
            "next": _shift(month, 1),
            "calendars": calendars,
        },
    )


@login_required
def calendar(request, code: str):
    centre = get_object_or_404(Centre.objects.select_related("county"), code=code)
    require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    month = _month(request)
    return render(
        request,
        "outreach/calendar.html",
        {
            "centre": centre,
            "month": month,
            "previous": _shift(month, -1),
            "next": _shift(month, 1),
            "calendar": selectors.county_calendar(centre.county, month, [centre]),
            "suggestions": selectors.suggestions_for(centre.county),
            "can_operate": works_at(request.user, centre)
            and has_role(request.user, Role.CENTRE_MANAGER),
        },
    )


@login_required
@require_POST
def propose(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    require_centre(request.user, centre, Role.CENTRE_MANAGER)
    month = _month_from_post(request)
    try:
        created = planning.calendar_propose(centre=centre, month=month, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.info(
                request,
                ngettext("%(n)s outreach proposed.", "%(n)s outreaches proposed.", len(created))
                % {"n": len(created)},
            )
        else:
            messages.info(request, _("Every sub-county already has an outreach this month."))
    return redirect(f"{reverse('outreach:calendar', args=[centre.code])}?month={month:%Y-%m}")


def _month_from_post(request) -> dt.date:
    return _parse_month(request.POST.get("month")) or clock.local_date().replace(day=1)


# --- one outreach -----------------------------------------------------------------------------


def _outreach(request, outreach_id: int, *, operate: bool) -> Outreach:
    outreach = get_object_or_404(
        Outreach.objects.select_related("centre__county", "sub_county"), pk=outreach_id
    )
    if operate:
        require_centre(request.user, outreach.centre, Role.CENTRE_MANAGER)
    else:
        require_centre_view(request.user, outreach.centre, Role.CENTRE_MANAGER)
    return outreach


def _detail(
    request,
    outreach: Outreach,
    *,
    errors: dict | None = None,
    status: int = 200,
    confirm_cancel: bool = False,
):
    can_operate = works_at(request.user, outreach.centre) and has_role(
        request.user, Role.CENTRE_MANAGER
    )
    claims = list(outreach.reimbursements.select_related("requested_by", "approved_by"))
    return render(
        request,
        "outreach/detail.html",
        {
            "outreach": outreach,
            "days": outreach.days.all(),
            "kits": outreach.kits.select_related("device").order_by("device__created_at"),
            "service_rows": selectors.plan_service_rows(outreach),
            "logistics": outreach.logistics.all(),
            "sources": LogisticsItem.Source.choices,
            "expenses": outreach.expenses.select_related("recorded_by"),
            "spent": imprest.imprest_spent(outreach),
            "balance": imprest.imprest_balance(outreach),
            "claims": claims,
            "can_approve": [
                claim.pk
                for claim in claims
                if claim.status == Reimbursement.Status.REQUESTED
                and claim.requested_by_id != request.user.pk
                and (can_operate or has_role(request.user, Role.SECRETARIAT))
            ],
            "announcement": Announcement.objects.filter(outreach=outreach).first(),
            "opted_in": OptIn.objects.filter(
                sub_county=outreach.sub_county, opted_out_at__isnull=True
            ).count(),
            "can_operate": can_operate,
            "moves": planning.moves_from(outreach),
            "confirm_cancel": confirm_cancel,
            "errors": errors or {},
            # What was typed, shown again beside the message when a step is refused.
            "values": request.POST if errors else {},
            "today": clock.local_date(),
        },
        status=status,
    )


@login_required
def detail(request, outreach_id: int):
    return _detail(request, _outreach(request, outreach_id, operate=False))


def _act(request, outreach_id: int, action, done: str):
    """Run one plan step from a form; on refusal show the plan again with the message at the
    top, naming the field."""
    outreach = _outreach(request, outreach_id, operate=True)
    try:
        action(outreach)
    except DomainError as exc:
        return _detail(
            request,
            outreach,
            errors={ANCHORS.get(exc.field, exc.field or "plan"): exc.message},
            status=exc.status,
        )
    messages.info(request, done)
    return redirect("outreach:detail", outreach.pk)


@login_required
@require_POST
def set_days(request, outreach_id: int):
    def action(outreach):
        dates = planning.parse_dates([_post(request, "day1", 10), _post(request, "day2", 10)])
        planning.outreach_set_days(outreach=outreach, dates=dates, actor=request.user)

    return _act(request, outreach_id, action, _("Days saved."))


@login_required
@require_POST
def set_venue(request, outreach_id: int):
    def action(outreach):
        planning.outreach_set_venue(
            outreach=outreach,
            name=_post(request, "venue_name", 120),
            ward=_post(request, "venue_ward", 80),
            lat=_post(request, "venue_lat", 20),
            lon=_post(request, "venue_lon", 20),
            opens_at=_time(_post(request, "opens_at", 8), "opens_at"),
            closes_at=_time(_post(request, "closes_at", 8), "closes_at"),
            actor=request.user,
        )

    return _act(request, outreach_id, action, _("Venue saved."))


@login_required
@require_POST
def set_services(request, outreach_id: int):
    def action(outreach):
        chosen = {}
        for value in request.POST.getlist("services")[:100]:
            pk = ascii_int(value, minimum=1, maximum=MAX_ID)
            if pk is not None:
                chosen[pk] = _post(request, f"equipment-{pk}", 300)
        planning.outreach_set_services(outreach=outreach, chosen=chosen, actor=request.user)

    return _act(request, outreach_id, action, _("Services saved."))


@login_required
@require_POST
def assign_officer(request, outreach_id: int):
    def action(outreach):
        service = Service.objects.filter(
            pk=ascii_int(request.POST.get("service"), minimum=1, maximum=MAX_ID) or 0
        ).first()
        officer = User.objects.filter(
            pk=ascii_int(request.POST.get("officer"), minimum=1, maximum=MAX_ID) or 0
        ).first()
        if service is None:
            raise DomainError(_("Choose a service."), field="service")
        if officer is None:
            raise DomainError(_("Choose an officer."), field="officer")
        planning.outreach_assign_officer(
            outreach=outreach, service=service, officer=officer, actor=request.user
        )

    return _act(request, outreach_id, action, _("Officer saved."))


@login_required
@require_POST
def agree(request, outreach_id: int):
    def action(outreach):
        planning.outreach_agree(
            outreach=outreach,
            name=_post(request, "agreed_by_name", 120),
            office=_post(request, "agreed_by_office", 120),
            agreed_on=_date(_post(request, "agreed_on", 10), "agreed_on"),
            actor=request.user,
        )

    return _act(request, outreach_id, action, _("Agreement recorded."))


@login_required
@require_POST
def communicate(request, outreach_id: int):
    def action(outreach):
        planning.outreach_communicate(
            outreach=outreach,
            stakeholders=_post(request, "communicated_to"),
            actor=request.user,
        )

    return _act(request, outreach_id, action, _("Stakeholders recorded."))


@login_required
@require_POST
def move(request, outreach_id: int):
    if request.POST.get("to") == "cancelled" and request.POST.get("confirm") != "yes":
        # Cancelling frees the officers and cannot be undone: one careless click must not do it.
        outreach = _outreach(request, outreach_id, operate=True)
        return _detail(request, outreach, confirm_cancel=True)

    def action(outreach):
        planning.outreach_move(outreach=outreach, to=_post(request, "to", 20), actor=request.user)

    return _act(request, outreach_id, action, _("Status changed."))


@login_required
@require_POST
def logistics(request, outreach_id: int):
    def action(outreach):
        imprest.logistics_set(
            outreach=outreach,
            kind=_post(request, "kind", 20),
            source=_post(request, "source", 20),
            supplier=_post(request, "supplier", 120),
            cost=_post(request, "cost_kes", 20),
            actor=request.user,
        )

    return _act(request, outreach_id, action, _("Logistics saved."))


@login_required
@require_POST
def expense(request, outreach_id: int):
    def action(outreach):
        spent_on = _post(request, "spent_on", 10)
        imprest.expense_record(
            outreach=outreach,
            description=_post(request, "description", 200),
            amount=_post(request, "amount_kes", 20),
            receipt_number=_post(request, "receipt_number", 40),
            receipt_photo=_post(request, "receipt_photo", 200),
            spent_on=_date(spent_on, "spent_on") if spent_on.strip() else None,
            actor=request.user,
        )

    return _act(request, outreach_id, action, _("Expense recorded."))


@login_required
@require_POST
def reimbursement_request(request, outreach_id: int):
    def action(outreach):
        imprest.reimbursement_request(outreach=outreach, actor=request.user)

    return _act(request, outreach_id, action, _("Reimbursement requested."))


@login_required
@require_POST
def reimbursement_approve(request, claim_id: int):
    claim = get_object_or_404(Reimbursement.objects.select_related("outreach__centre"), pk=claim_id)
    outreach = claim.outreach
    try:  # the service checks who may approve (the centre's manager, the Secretariat)
        imprest.reimbursement_approve(reimbursement=claim, actor=request.user)
    except DomainError as exc:
        return _detail(
            request,
            outreach,
            errors={ANCHORS.get(exc.field, exc.field or "plan"): exc.message},
            status=exc.status,
        )
    messages.info(request, _("Reimbursement approved."))
    return redirect("outreach:detail", outreach.pk)


@login_required
@require_POST
def announce(request, outreach_id: int):
    def action(outreach):
        publicity.outreach_announce(outreach=outreach, actor=request.user)

    return _act(request, outreach_id, action, _("Announcement sent."))


@login_required
def poster(request, outreach_id: int):
    outreach = _outreach(request, outreach_id, operate=False)
    return render(
        request,
        "outreach/poster.html",
        {
            "outreach": outreach,
            "days": outreach.days.all(),
            "services": [row.service for row in outreach.services.select_related("service")],
        },
    )


@login_required
def report(request, outreach_id: int):
    outreach = _outreach(request, outreach_id, operate=False)
    return render(request, "outreach/report.html", {"report": selectors.outreach_report(outreach)})


@login_required
def month_report(request):
    """Per month and county across outreaches. A Centre Manager sees their county; the
    Secretariat every county or one (?county=<code>)."""
    require_staff(request.user)
    user = request.user
    if has_role(user, Role.CENTRE_MANAGER) and user.centre_id:
        county = user.centre.county
    elif watches_every_centre(user):
        code = ascii_int(request.GET.get("county"), minimum=1, maximum=47)
        county = County.objects.filter(code=code).first() if code else None
    else:
        raise PermissionDenied("Your role has no outreach reports")
    month = _month(request)
    return render(
        request,
        "outreach/month_report.html",
        {
            "data": selectors.month_report(month, county),
            "previous": _shift(month, -1),
            "next": _shift(month, 1),
            "counties": County.objects.order_by("name") if watches_every_centre(user) else [],
        },
    )


# --- public pages -----------------------------------------------------------------------------


def _sub_counties():
    return SubCounty.objects.select_related("county").order_by("county__name", "name")


def _sub_county(request) -> SubCounty:
    pk = ascii_int(request.POST.get("sub_county"), minimum=1, maximum=MAX_ID)
    sub_county = SubCounty.objects.filter(pk=pk).first() if pk else None
    if sub_county is None:
        raise DomainError(_("Choose your sub-county."), field="sub_county")
    return sub_county


@throttle_writes("outreach-opt-in", limit=10, window_s=600)
def opt_in(request):
    """A citizen asks for an SMS when Huduma Mashinani comes to their sub-county."""
    errors, values = {}, {}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "")[:40] for k in ("sub_county", "phone", "language")}
        try:
            publicity.opt_in(
                phone=_post(request, "phone", 32),
                sub_county=_sub_county(request),
                language=_post(request, "language", 2),
                source=OptIn.Source.WEB,
            )
        except DomainError as exc:
            errors = {exc.field or "phone": exc.message}
            if "sub_county" in errors:
                # Name a bad number in the same answer, not on the next try.
                try:
                    normalise_phone(_post(request, "phone", 32))
                except InvalidPhoneNumber as phone_exc:
                    errors["phone"] = str(phone_exc)
        else:
            messages.info(request, _("Done. We will text you when an outreach comes."))
            return redirect("outreach:opt_in")
    return render(
        request,
        "outreach/opt_in.html",
        {"sub_counties": _sub_counties(), "errors": errors, "values": values},
        status=400 if errors else 200,
    )


@throttle_writes("outreach-suggest", limit=10, window_s=600)
def suggest(request):
    """A citizen suggests a venue or services for the outreach in their sub-county."""
    errors, values = {}, {}
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "")[:400] for k in ("sub_county", "venue", "services")}
        try:
            publicity.suggestion_submit(
                sub_county=_sub_county(request),
                venue=_post(request, "venue", 120),
                services=_post(request, "services", 400),
            )
        except DomainError as exc:
            errors = {exc.field or "venue": exc.message}
            if "sub_county" in errors and not (
                values["venue"].strip() or values["services"].strip()
            ):
                # Both at once, not one per try.
                errors["venue"] = _("Suggest a venue, a service, or both.")
        else:
            messages.info(request, _("Thank you. The Centre Manager will see your suggestion."))
            return redirect("outreach:suggest")
    return render(
        request,
        "outreach/suggest.html",
        {"sub_counties": _sub_counties(), "errors": errors, "values": values},
        status=400 if errors else 200,
    )

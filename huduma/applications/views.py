"""Application pages: open one from the counter console, the application screen, the back
office worklist (one or a batch), referrals, and the citizen's tracking page."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role, require_centre, require_centre_view, works_at
from huduma.applications import selectors, services
from huduma.applications.models import Application, Referral, Status
from huduma.applications.templatetags.applications import DRAFT_KEY
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.core.throttle import hit, per_address, per_browser
from huduma.places.models import Centre, Counter
from huduma.queues.models import Ticket

MAX_ID = 2**63 - 1
TRACK_LIMIT = 10  # tries per device per 10 minutes: a number cannot be guessed by trying
TRACK_WINDOW_S = 600
# Many citizens share one address (a cyber café, a centre's Wi-Fi): the address only has a
# ceiling; each number's own wrong tries are limited in services.application_for_citizen.
TRACK_ADDRESS_LIMIT = 200


def _ints(values, maximum=MAX_ID) -> list[int]:
    out = []
    for value in values[:100]:
        number = ascii_int(value, minimum=1, maximum=maximum)
        if number is not None:
            out.append(number)
    return out


def _uuid(text: str | None):
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


@login_required
@require_POST
def open_from_console(request, counter_id: int):
    """The officer serving a ticket opens its application (checklist ticked on the console)."""
    counter = get_object_or_404(Counter.objects.select_related("centre"), pk=counter_id)
    require_centre(request.user, counter.centre, *services.FRONT_OFFICE)
    ticket = get_object_or_404(
        Ticket.objects.select_related("visit", "service", "centre"),
        pk=_uuid(request.POST.get("ticket")),
        centre=counter.centre,
    )
    confirmed = _ints(request.POST.getlist("confirmed"))
    phone = (request.POST.get("phone") or "")[:40]
    try:
        application, created = services.application_open(
            ticket=ticket, officer=request.user, confirmed=confirmed, phone=phone
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        # The console shows the form again as the officer left it (its ticks, the number typed)
        # with the error at its field: see templatetags/applications.py.
        request.session[DRAFT_KEY] = {
            "ticket": str(ticket.pk),
            "confirmed": confirmed[:100],
            "phone": phone,
            "field": exc.field or "",
            "error": str(exc.message),
        }
        return redirect("queues:console", counter.pk)
    if not created:
        messages.info(request, _("This ticket's application was already open."))
    return redirect("applications:detail", application.pk)


def _application_for(request, application_id) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("service", "mda", "centre", "collection_centre"),
        pk=application_id,
    )
    user = request.user
    allowed = (
        services.can_process(user, application)
        or has_role(user, Role.CENTRE_MANAGER, Role.COUNTER_OFFICER)
        and (
            works_at(user, application.centre)
            or application.collection_centre is not None
            and works_at(user, application.collection_centre)
        )
    )
    if not allowed:
        # National watchers read; anyone else is refused.
        require_centre_view(request.user, application.centre, Role.CENTRE_MANAGER)
    return application


@login_required
def detail(request, application_id):
    application = _application_for(request, application_id)
    user = request.user
    fee_due = services.application_fee_due(application)
    fee_paid = services.application_fee_paid(application)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "events": application.events.select_related("actor").order_by("at"),
            "steps": selectors.next_steps(application, user),
            "centres": Centre.objects.order_by(Lower("name")),
            "fee_due": fee_due,
            "fee_paid": fee_paid,
            # Counter staff of the receiving centre take the fee (the payments app's page).
            "can_collect_fee": fee_due > 0
            and not fee_paid
            and works_at(user, application.centre)
            and has_role(user, Role.COUNTER_OFFICER, Role.CENTRE_MANAGER),
            "days_left": services.working_days_left(application),
            "breached": services.is_breached(application),
        },
    )


@login_required
@require_POST
def move(request, application_id):
    application = _application_for(request, application_id)
    to = request.POST.get("to", "")
    centre_id = ascii_int(request.POST.get("collection_centre"), minimum=1, maximum=MAX_ID)
    try:
        if to not in Status.values:
            raise DomainError(_("Choose a status"), field="to")
        services.application_move(
            application=application,
            to=to,
            actor=request.user,
            reason=(request.POST.get("reason") or "")[:1000],
            collection_centre=Centre.objects.filter(pk=centre_id).first() if centre_id else None,
        )
        messages.success(request, _("Saved; the citizen is told by SMS."))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("applications:detail", application.pk)


@login_required
def worklist(request):
    """The back office's applications: their MDA's, by service, most at risk first."""
    user = request.user
    if not has_role(user, Role.BACK_OFFICE) or not user.mda_id:
        raise PermissionDenied(_("Back-office officers of an MDA only"))
    service_id = ascii_int(request.GET.get("service"), minimum=1, maximum=MAX_ID)
    status = request.GET.get("status") or ""
    rows = selectors.worklist(officer=user, service_id=service_id, status=status)
    return render(
        request,
        "applications/worklist.html",
        {
            "rows": rows,
            "services": Service.objects.filter(mda=user.mda).order_by("name_en"),
            "service_id": service_id,
            "status": status,
            "statuses": Status.choices,
            "centres": Centre.objects.order_by(Lower("name")),
        },
    )


@login_required
@require_POST
def bulk(request):
    user = request.user
    if not has_role(user, Role.BACK_OFFICE) or not user.mda_id:
        raise PermissionDenied(_("Back-office officers of an MDA only"))
    ids = [i for i in (_uuid(v) for v in request.POST.getlist("application")[:500]) if i]
    to = request.POST.get("to", "")
    centre_id = ascii_int(request.POST.get("collection_centre"), minimum=1, maximum=MAX_ID)
    try:
        if to not in Status.values:
            raise DomainError(_("Choose a status"), field="to")
        if not ids:
            raise DomainError(_("Tick at least one application"), field="application")
        result = services.applications_move_bulk(
            applications=list(
                Application.objects.filter(services.back_office_scope(user), pk__in=ids)
            ),
            to=to,
            actor=user,
            reason=(request.POST.get("reason") or "")[:1000],
            collection_centre=Centre.objects.filter(pk=centre_id).first() if centre_id else None,
        )
        if result.moved:
            messages.success(
                request,
                _("%(n)s applications moved; each citizen is told by SMS.")
                % {"n": len(result.moved)},
            )
        for number, why in result.refused:
            messages.error(request, f"{number}: {why}")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("applications:worklist")


TRACKED_KEY = "tracked_application"
TRACKED_FOR_S = 30 * 60


def _tracked(request) -> Application | None:
    """The application this browser last tracked (number and phone both right), if recent."""
    kept = request.session.get(TRACKED_KEY)
    if not kept or clock.now().timestamp() - kept[1] > TRACKED_FOR_S:
        return None
    return Application.objects.filter(pk=_uuid(kept[0])).first()


def track(request):
    """The citizen's page: tracking number and phone, both needed; tries are limited."""
    application = None
    error = ""
    number = (request.POST.get("tracking_number") or "")[:20]
    phone = (request.POST.get("phone") or "")[:40]
    status = 200
    phone_error = ""
    if request.method == "POST" and not (number.strip() and phone.strip()):
        # A box left empty is a form message, and does not use up one of the limited tries.
        if not number.strip():
            error = _("Enter the tracking number from your SMS")
        if not phone.strip():
            phone_error = _("Enter the phone number you gave when you applied")
        status = 400
    elif request.method == "POST":
        if not (
            hit(
                f"application-track:{per_browser(request)}",
                limit=TRACK_LIMIT,
                window_s=TRACK_WINDOW_S,
            )
            and hit(
                f"application-track:ceiling:{per_address(request)}",
                limit=TRACK_ADDRESS_LIMIT,
                window_s=TRACK_WINDOW_S,
            )
        ):
            error = _("Too many tries from this device. Please wait a few minutes.")
            status = 429
        else:
            try:
                application = services.application_for_citizen(tracking_number=number, phone=phone)
            except DomainError as exc:
                error = exc.message
                status = exc.status
            else:
                # Kept for this browser a while, so that switching language (which comes back
                # here by GET) shows the result again instead of an empty form.
                request.session[TRACKED_KEY] = [str(application.pk), clock.now().timestamp()]
    elif request.method == "GET":
        application = _tracked(request)
        if application is not None:
            number = application.tracking_number
    response = render(
        request,
        "applications/track.html",
        {
            "application": application,
            "events": application.events.order_by("at") if application else [],
            "error": error,
            # The shared error summary links the message to the tracking number field.
            "errors": {
                name: message
                for name, message in (("track-number", error), ("track-phone", phone_error))
                if message
            },
            "phone_error": phone_error,
            "number": number,
            "phone": phone,
            "days_left": services.working_days_left(application) if application else None,
        },
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(TRACK_WINDOW_S)
    return response


@login_required
def referrals(request, code: str):
    """A centre's referrals to MDA offices, the open follow-ups first; record a new one."""
    centre = get_object_or_404(Centre, code=code)
    require_centre_view(request.user, centre, *services.REFERRERS)
    if request.method == "POST":
        require_centre(request.user, centre, *services.REFERRERS)
        service_id = ascii_int(request.POST.get("service"), minimum=1, maximum=MAX_ID)
        try:
            service = Service.objects.select_related("mda").filter(pk=service_id).first()
            if service is None:
                raise DomainError(_("Choose a service"), field="service")
            services.referral_record(
                centre=centre,
                service=service,
                phone=(request.POST.get("phone") or "")[:40],
                actor=request.user,
                note=(request.POST.get("note") or "")[:1000],
            )
            messages.success(request, _("Referral recorded; the address was sent by SMS."))
            return redirect("applications:referrals", centre.code)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "applications/referrals.html",
        {
            "centre": centre,
            "referrals": Referral.objects.filter(centre=centre)
            .select_related("service", "mda")
            .order_by("-status", "-created_at")[:200],
            "services": Service.objects.filter(is_active=True)
            .exclude(offered_at__centre=centre)
            .order_by("name_en"),
            "can_act": works_at(request.user, centre),
        },
    )


@login_required
@require_POST
def referral_close(request, referral_id):
    referral = get_object_or_404(Referral.objects.select_related("centre"), pk=referral_id)
    require_centre(request.user, referral.centre, *services.REFERRERS)
    try:
        services.referral_close(
            referral=referral,
            actor=request.user,
            outcome=(request.POST.get("outcome") or "")[:1000],
        )
        messages.success(request, _("Follow-up closed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("applications:referrals", referral.centre.code)


@login_required
def live_panel(request, code: str):
    """Breached applications of a centre, for the Centre Manager's live view (htmx)."""
    centre = get_object_or_404(Centre, code=code)
    require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    return render(
        request,
        "applications/_live_panel.html",
        {"centre": centre, "breached": selectors.breached_at_centre(centre, clock.local_date())},
    )

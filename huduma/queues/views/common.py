"""What the queue pages share: the two-step issue flow, ticket context and page keys."""

import uuid

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from huduma.accounts.models import Role
from huduma.catalogue.models import Requirement, Service
from huduma.catalogue.selectors import services_in_needed_order
from huduma.core.errors import DomainError
from huduma.core.phones import InvalidPhoneNumber
from huduma.core.qr import qr_svg
from huduma.places.models import Centre
from huduma.queues import selectors, services
from huduma.queues.forms import IssueForm
from huduma.queues.models import Visit

ISSUERS = (Role.RECEPTION, Role.CENTRE_MANAGER, Role.COUNTER_OFFICER)
SERVERS = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)
MAX_ID = 2**63 - 1  # the largest primary key either database stores


def open_centre(code: str) -> Centre:
    return get_object_or_404(Centre, code=code, status=Centre.Status.OPEN)


def checklists(services_chosen) -> list[tuple[Service, list[Requirement]]]:
    return [(s, list(s.requirements.order_by("position"))) for s in services_chosen]


def ticket_context(request, visit: Visit) -> dict:
    url = request.build_absolute_uri(reverse("queues:ticket", args=[visit.pk]))
    progress = selectors.visit_progress(visit)
    return {
        "visit": visit,
        "tickets": progress.tickets,
        "progress": progress,
        "qr": qr_svg(url),
        "url": url,
    }


def issue_flow(
    request,
    centre: Centre,
    *,
    channel: str,
    template: str,
    done_url: str,
    extra: dict | None = None,
):
    """Two steps, one thing per page: choose services, then confirm their checklists.
    `extra` goes into the template's context (what a page needs to show its first step)."""
    form = IssueForm(request.POST or None, centre=centre)
    # One key per confirmation page: pressing "Issue ticket" twice gives one ticket.
    context = {"centre": centre, "form": form, **(extra or {})}
    key = page_key(request, context)
    if key is None:
        return render(request, template, context, status=400)
    if request.method == "POST" and form.is_valid():
        # The checklists in the order the visit will queue (an ID card service first).
        chosen = services_in_needed_order(list(form.cleaned_data["services"]))
        if "confirm" not in request.POST:
            context["checklists"] = checklists(chosen)
            return render(request, template, context)
        try:
            visit = services.visit_issue(
                centre=centre,
                services=chosen,
                channel=channel,
                requirements_confirmed=request.POST.get("requirements_confirmed") == "yes",
                priority=form.cleaned_data["priority"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
                idempotency_key=key,
                actor=request.user,
                near_front_sms=form.cleaned_data["near_front_sms"],
            )
        except (DomainError, InvalidPhoneNumber) as exc:
            field = getattr(exc, "field", None) or "phone"
            context["errors"] = {field: getattr(exc, "message", str(exc))}
            context["checklists"] = checklists(chosen)
            return render(request, template, context, status=400)
        return redirect(done_url, visit.pk)
    if request.method == "POST":
        context["errors"] = {name: errs[0] for name, errs in form.errors.items()}
    return render(request, template, context, status=400 if context.get("errors") else 200)


def page_key(request, context: dict) -> str | None:
    """The idempotency key a form page carries in a hidden field (a fresh one if none was
    posted), checked by the rule every endpoint uses, and put in `context` for the next step.
    None, with the error in `context`, if the posted key breaks the rule."""
    context["idempotency_key"] = request.POST.get("idempotency_key") or uuid.uuid4().hex
    try:
        return services.idempotency_key_checked(context["idempotency_key"])
    except DomainError as exc:
        context["idempotency_key"] = uuid.uuid4().hex
        context["errors"] = {exc.field: exc.message}
        return None

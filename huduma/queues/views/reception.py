"""Reception (staff): issue tickets and check in appointments.

Services are picked by typing (the catalogue search, typo tolerant) or with one tap on the
centre's most used ones; each pick adds to a list kept in the form, shown in the order the
visit will queue. With htmx a pick swaps the form alone; without JavaScript it posts the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huduma.accounts.permissions import require_centre
from huduma.catalogue.selectors import ServiceFilters, services_in_needed_order, services_search
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.queues import appointments, holders, selectors
from huduma.queues.forms import CheckInForm, IssueForm
from huduma.queues.models import IssueChannel, Visit
from huduma.queues.services import MAX_SERVICES_PER_VISIT
from huduma.queues.views.common import (
    ISSUERS,
    MAX_ID,
    issue_flow,
    open_centre,
    ticket_context,
)

SEARCH_RESULTS = 8
# Not "add" or "remove": a form control so named hides the form's own remove() from scripts.
PICKS = ("pick", "unpick", "search")

# --- reception (staff) -------------------------------------------------------------------


def _posted_id(value: str | None) -> int | None:
    return ascii_int(value, minimum=1, maximum=MAX_ID)


def _results(centre, q: str) -> tuple[list, str]:
    """Up to SEARCH_RESULTS services of this centre matching `q`, and an error, if any."""
    q = q.strip()
    if not q:
        return [], ""
    try:
        found = services_search(ServiceFilters(q=q[:100], centre=centre.code))
    except DomainError as exc:
        return [], exc.message
    return list(found[:SEARCH_RESULTS]), ""


def _picker(request, centre) -> dict:
    """What the first step shows: the services chosen so far (with this post's pick applied),
    in queue order, the search results and the centre's most used services."""
    ids = [_posted_id(v) for v in request.POST.getlist("services")]
    unpick = _posted_id(request.POST.get("unpick"))
    ids = [i for i in dict.fromkeys(ids) if i is not None and i != unpick]
    pick = _posted_id(request.POST.get("pick"))
    if pick is not None and pick not in ids:
        ids.append(pick)
    chosen = services_in_needed_order(
        selectors.offered_services_by_ids(centre, ids[:MAX_SERVICES_PER_VISIT])
    )
    # After a pick the search starts afresh, ready for the next service.
    q = request.POST.get("q", "") if "search" in request.POST else ""
    results, search_error = _results(centre, q)
    chosen_ids = {s.pk for s in chosen}
    return {
        "chosen": chosen,
        "q": q,
        "results": results,
        "search_error": search_error,
        "most_used": [s for s in selectors.most_used_services(centre) if s.pk not in chosen_ids],
        "full": len(chosen) >= MAX_SERVICES_PER_VISIT,
    }


@login_required
def reception(request, code: str):
    centre = open_centre(code)
    require_centre(request.user, centre, *ISSUERS)
    picker = _picker(request, centre)
    if request.method == "POST" and any(name in request.POST for name in PICKS):
        context = {"centre": centre, "form": IssueForm(request.POST, centre=centre), **picker}
        if request.headers.get("HX-Request"):
            return render(request, "queues/_reception_picker.html", context)
        return render(request, "queues/reception.html", context)
    return issue_flow(
        request,
        centre,
        channel=IssueChannel.RECEPTION,
        template="queues/reception.html",
        done_url="queues:issued",
        extra=picker,
    )


@login_required
@require_GET
def service_results(request, code: str):
    """The search results as the officer types (an htmx fragment)."""
    centre = open_centre(code)
    require_centre(request.user, centre, *ISSUERS)
    q = request.GET.get("q", "")
    results, search_error = _results(centre, q)
    return render(
        request,
        "queues/_service_results.html",
        {"centre": centre, "q": q, "results": results, "search_error": search_error},
    )


@login_required
def issued(request, visit_id):
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    require_centre(request.user, visit.centre, *ISSUERS)
    context = ticket_context(request, visit)
    # Printed for the citizen, never in the QR code (holders.py).
    context["holder_code"] = holders.visit_holder_code(visit)
    # The printed ticket says where to go: the counters that serve each service.
    counters = selectors.counters_by_service(visit.centre, [t.service for t in context["tickets"]])
    context["lines"] = [(t, counters.get(t.service_id, [])) for t in context["tickets"]]
    return render(request, "queues/issued.html", context)


@login_required
@require_POST
def check_in(request, code: str):
    centre = open_centre(code)
    require_centre(request.user, centre, *ISSUERS)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            visit = appointments.appointment_check_in(
                reference=form.cleaned_data["reference"], centre=centre, actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("queues:issued", visit.pk)
    else:
        messages.error(request, _("Enter the appointment reference"))
    return redirect("queues:reception", centre.code)

"""Reception (staff): issue tickets and check in appointments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.permissions import require_centre
from huduma.core.errors import DomainError
from huduma.queues import appointments
from huduma.queues.forms import CheckInForm
from huduma.queues.models import IssueChannel, Visit
from huduma.queues.views.common import (
    ISSUERS,
    issue_flow,
    open_centre,
    ticket_context,
)

# --- reception (staff) -------------------------------------------------------------------


@login_required
def reception(request, code: str):
    centre = open_centre(code)
    require_centre(request.user, centre, *ISSUERS)
    return issue_flow(
        request,
        centre,
        channel=IssueChannel.RECEPTION,
        template="queues/reception.html",
        done_url="queues:issued",
    )


@login_required
def issued(request, visit_id):
    visit = get_object_or_404(Visit.objects.select_related("centre"), pk=visit_id)
    require_centre(request.user, visit.centre, *ISSUERS)
    return render(request, "queues/issued.html", ticket_context(request, visit))


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

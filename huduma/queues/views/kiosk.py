"""The ticket kiosk in the hall (a paired device of its own centre)."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.devices import device_required
from huduma.accounts.models import Device
from huduma.core.errors import DomainError
from huduma.core.throttle import throttle_writes
from huduma.places.models import Centre
from huduma.queues import appointments
from huduma.queues.forms import CheckInForm
from huduma.queues.models import IssueChannel, Visit
from huduma.queues.views.common import (
    issue_flow,
    open_centre,
    ticket_context,
)

# --- kiosk (public, in the hall) -----------------------------------------------------------


def _kiosk_centre(request, code: str) -> Centre:
    """The open centre of this kiosk page, which must be the paired kiosk's own centre."""
    centre = open_centre(code)
    if request.device.centre_id != centre.pk:
        raise KioskElsewhere(request.device.centre)
    return centre


class KioskElsewhere(Exception):
    def __init__(self, centre):
        self.centre = centre


def _kiosk_page(view):
    """A kiosk page: a registered kiosk, at its own centre (else a page saying where it is)."""

    @device_required(kind=Device.Kind.KIOSK)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except KioskElsewhere as exc:
            reason = _("This kiosk is registered at %(centre)s.") % {"centre": exc.centre.name}
            return render(request, "accounts/device_refused.html", {"reason": reason}, status=403)

    return wrapper


# A kiosk is a registered device (paired by the Centre Manager, see accounts/devices.py): a
# browser that is not one gets a page saying so, never the ticket machine. It serves a whole
# hall from one address: its limit is a busy hour's worth of tickets.
@_kiosk_page
@throttle_writes("kiosk", limit=600, window_s=600)
def kiosk(request, code: str):
    centre = _kiosk_centre(request, code)
    return issue_flow(
        request,
        centre,
        channel=IssueChannel.KIOSK,
        template="queues/kiosk.html",
        done_url="queues:kiosk_ticket",
    )


@_kiosk_page
@throttle_writes("kiosk", limit=600, window_s=600)
@require_POST
def kiosk_check_in(request, code: str):
    """A citizen with an appointment checks in at the kiosk and gets their printed ticket."""
    centre = _kiosk_centre(request, code)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            visit = appointments.appointment_check_in(
                reference=form.cleaned_data["reference"], centre=centre
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("queues:kiosk_ticket", visit.pk)
    else:
        messages.error(request, _("Enter the appointment reference"))
    return redirect("queues:kiosk", centre.code)


@_kiosk_page
def kiosk_ticket(request, visit_id):
    visit = get_object_or_404(
        Visit.objects.select_related("centre"),
        pk=visit_id,
        centre=request.device.centre_id,
        channel__in=[IssueChannel.KIOSK, IssueChannel.APPOINTMENT],
    )
    return render(request, "queues/kiosk_ticket.html", ticket_context(request, visit))

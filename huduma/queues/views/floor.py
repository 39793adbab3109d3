"""The hall display (public) and the live view (managers)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from huduma.accounts.models import Role
from huduma.accounts.permissions import require_centre_view
from huduma.places.models import Centre
from huduma.queues import selectors
from huduma.queues.views.common import (
    open_centre,
)

# --- hall display (public) and live view (managers) -------------------------------------------


def display(request, code: str):
    centre = open_centre(code)
    return render(request, "queues/display.html", {"centre": centre})


def display_calls(request, code: str):
    centre = open_centre(code)
    calls = selectors.display_calls(centre)
    return render(
        request,
        "queues/_display_calls.html",
        {"centre": centre, "calls": calls, "latest": calls[0] if calls else None},
    )


@login_required
def live(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    context = {"centre": centre, **selectors.live_view(centre)}
    template = "queues/_live.html" if request.headers.get("HX-Request") else "queues/live.html"
    return render(request, template, context)

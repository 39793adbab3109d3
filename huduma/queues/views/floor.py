"""The hall display (public) and the live view (managers)."""

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role, require_centre, require_centre_view, works_at
from huduma.catalogue.models import Service
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.places.models import Centre, Counter
from huduma.queues import selectors, services
from huduma.queues.views.common import MAX_ID, open_centre

# --- hall display (public) and live view (managers) -------------------------------------------


def display(request, code: str):
    centre = open_centre(code)
    poll = max(settings.QMS_DISPLAY_POLL_SECONDS, 1)
    return render(request, "queues/display.html", {"centre": centre, "poll_seconds": poll})


def display_calls(request, code: str):
    centre = open_centre(code)
    calls = selectors.display_calls(centre)
    return render(
        request,
        "queues/_display_calls.html",
        {"centre": centre, "calls": calls, "latest": calls[0] if calls else None},
    )


def _manages(user, centre: Centre) -> bool:
    """Acts on the live view: the centre's own manager. National watchers only look."""
    return has_role(user, Role.CENTRE_MANAGER) and works_at(user, centre)


@login_required
def live(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    context = {"centre": centre, **selectors.live_view(centre)}
    context["can_act"] = _manages(request.user, centre)
    context["polls"] = {
        "queues": max(settings.QMS_LIVE_POLL_SECONDS, 1),
        "satisfaction": max(settings.QMS_LIVE_SATISFACTION_POLL_SECONDS, 1),
        "breaches": max(settings.QMS_LIVE_BREACHES_POLL_SECONDS, 1),
    }
    if context["can_act"] and context["unserved"]:
        # Per queue, only the free counter officers who may serve its service.
        free = selectors.free_officers(centre, (Role.COUNTER_OFFICER,))
        context["unserved"] = [
            replace(
                u,
                officers=tuple(o for o in free if services.officer_may_serve(o, u.queue.service)),
            )
            for u in context["unserved"]
        ]
    template = "queues/_live.html" if request.headers.get("HX-Request") else "queues/live.html"
    return render(request, template, context)


def _posted(request, name: str, queryset):
    """The posted id `name` as a row of `queryset`, or None when absent, malformed or not
    there (the service then says what is missing)."""
    pk = ascii_int(request.POST.get(name), minimum=1, maximum=MAX_ID)
    return queryset.filter(pk=pk).first() if pk is not None else None


@login_required
@require_POST
def live_open_counter(request, code: str):
    """Open a counter for an officer, from the live view's flag of an unserved queue."""
    centre = get_object_or_404(Centre, code=code)
    require_centre(request.user, centre, Role.CENTRE_MANAGER)
    counter = _posted(request, "counter", Counter.objects.filter(centre=centre))
    officer = _posted(request, "officer", get_user_model().objects.filter(centre=centre))
    service = _posted(request, "service", Service.objects.all())
    if counter is None or officer is None:
        messages.error(request, _("Choose a counter and an officer."))
        return redirect("queues:live", centre.code)
    try:
        services.counter_open_for(
            counter=counter, officer=officer, actor=request.user, service=service
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Counter %(number)s is open for %(name)s.")
            % {"number": counter.number, "name": officer.get_full_name() or officer},
        )
    return redirect("queues:live", centre.code)


@login_required
@require_POST
def live_add_skill(request, code: str):
    """Give an open counter a queue's service for today, from the live view's flag."""
    centre = get_object_or_404(Centre, code=code)
    require_centre(request.user, centre, Role.CENTRE_MANAGER)
    counter = _posted(request, "counter", Counter.objects.filter(centre=centre))
    service = _posted(request, "service", Service.objects.all())
    if counter is None or service is None:
        messages.error(request, _("Choose a counter."))
        return redirect("queues:live", centre.code)
    try:
        services.counter_add_skill_today(counter=counter, service=service, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Counter %(number)s serves %(service)s until the end of today.")
            % {"number": counter.number, "service": service.name},
        )
    return redirect("queues:live", centre.code)

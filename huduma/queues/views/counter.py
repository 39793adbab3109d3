"""The counter officer's console."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.permissions import require_centre
from huduma.catalogue.models import Service
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.places.models import Counter
from huduma.queues import selectors, services
from huduma.queues.models import Ticket
from huduma.queues.views.common import (
    MAX_ID,
    SERVERS,
)

# --- counter console (staff) ------------------------------------------------------------


def _counter_for(request, counter_id: int) -> Counter:
    counter = get_object_or_404(Counter.objects.select_related("centre"), pk=counter_id)
    require_centre(request.user, counter.centre, *SERVERS)
    return counter


@login_required
def console(request, counter_id: int):
    counter = _counter_for(request, counter_id)
    session = services.live_session(counter)
    current = services.current_ticket(counter)
    skills = Service.objects.filter(pk__in=services.counter_skills(counter)).order_by("name_en")
    estimates = selectors.wait_estimates(counter.centre)
    return render(
        request,
        "queues/console.html",
        {
            "counter": counter,
            "session": session,
            "mine": session is not None and session.officer_id == request.user.pk,
            "current": current,
            "skills": [(s, estimates.get(s.pk)) for s in skills],
            "services": Service.objects.filter(
                offered_at__centre=counter.centre, is_active=True
            ).order_by("name_en"),
            "counters": counter.centre.counters.filter(is_active=True).exclude(pk=counter.pk),
            "checklist": list(current.service.requirements.order_by("position")) if current else [],
        },
    )


@login_required
@require_POST
def console_action(request, counter_id: int, action: str):
    counter = _counter_for(request, counter_id)
    officer = request.user
    try:
        if action == "open":
            services.counter_open(counter=counter, officer=officer)
        elif action == "pause":
            services.counter_pause(counter=counter, officer=officer)
        elif action == "close":
            services.counter_close(counter=counter, officer=officer)
        elif action == "call":
            if services.ticket_call_next(counter=counter, officer=officer) is None:
                messages.info(request, _("Nobody is waiting for this counter's services."))
        elif action in ("recall", "start", "finish", "no-show", "transfer", "add"):
            ticket = get_object_or_404(
                Ticket, pk=_posted(request, "ticket", uuid.UUID), centre=counter.centre
            )
            _ticket_action(request, action, ticket, counter)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("queues:console", counter.pk)


def _posted(request, name: str, kind):
    """A posted id parsed as `kind` (int or UUID), or None when absent or malformed."""
    value = request.POST.get(name, "")
    if kind is int:
        return ascii_int(value, minimum=1, maximum=MAX_ID)
    try:
        return kind(value)
    except ValueError:
        return None


def _ticket_action(request, action: str, ticket: Ticket, counter: Counter) -> None:
    officer = request.user
    if action == "recall":
        services.ticket_recall(ticket=ticket, counter=counter, officer=officer)
    elif action == "start":
        services.ticket_start(ticket=ticket, counter=counter, officer=officer)
    elif action == "finish":
        services.ticket_finish(ticket=ticket, counter=counter, officer=officer)
    elif action == "no-show":
        services.ticket_no_show(ticket=ticket, counter=counter, officer=officer)
    elif action == "transfer":
        to_service = Service.objects.filter(pk=_posted(request, "service", int)).first()
        to_counter = Counter.objects.filter(pk=_posted(request, "to_counter", int)).first()
        services.ticket_transfer(
            ticket=ticket, actor=officer, to_service=to_service, to_counter=to_counter
        )
        messages.success(
            request, _("Ticket %(number)s transferred.") % {"number": ticket.visit.number}
        )
    elif action == "add":
        service = get_object_or_404(Service, pk=_posted(request, "service", int))
        services.visit_add_service(visit=ticket.visit, service=service, actor=officer)
        messages.success(request, _("Service added to the visit."))

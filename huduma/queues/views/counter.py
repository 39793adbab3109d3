"""The counter officer's console.

With htmx, every action answers with the console itself (one request: no POST, redirect and
GET), and a light poll refreshes the waiting counts. Without JavaScript the forms post and
redirect as ordinary forms do.
"""

import hashlib
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huduma.accounts.models import Role
from huduma.accounts.permissions import require_centre
from huduma.catalogue.models import Service
from huduma.core.errors import DomainError
from huduma.core.i18n import sorted_by_name
from huduma.core.inputs import ascii_int
from huduma.places.models import Counter
from huduma.queues import reference, selectors, services
from huduma.queues.errors import NoOpenCounter
from huduma.queues.models import CounterSession, Ticket
from huduma.queues.views.common import (
    MAX_ID,
    SERVERS,
)


def _counter_for(request, counter_id: int) -> Counter:
    counter = get_object_or_404(Counter.objects.select_related("centre"), pk=counter_id)
    require_centre(request.user, counter.centre, *SERVERS)
    return counter


def _centre_services(counter: Counter):
    return selectors.services_at(counter.centre)


class AddServiceForm(forms.Form):
    # No preselected service: an empty "Choose..." comes first and is refused if submitted.
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        empty_label=gettext_lazy("Choose..."),
        label=gettext_lazy("Add a service to this visit"),
        error_messages={"required": gettext_lazy("Choose the service to add")},
    )

    def __init__(self, *args, counter: Counter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = _centre_services(counter)
        self.fields["service"].label_from_instance = lambda s: s.name


def _shown(session: CounterSession | None, current: Ticket | None) -> str:
    """What the console shows, as the poll sends it back: when it changes (a ticket called
    from another tab, the session closed by a manager), the poll answers with the console."""
    return f"{current.pk if current else '-'}:{session.status if session else '-'}"


def _status_context(counter: Counter, session, current) -> dict:
    return {
        "counter": counter,
        # Its own skills and any service moved to it for today.
        "skills": selectors.counter_queues(counter),
        "priority_requests": selectors.priority_requests(counter),
        "shown": _shown(session, current),
        "poll_seconds": max(settings.QMS_CONSOLE_POLL_SECONDS, 1),
    }


def _console_context(request, counter: Counter, **extra) -> dict:
    session = services.live_session(counter)
    current = services.current_ticket(counter)
    context = {
        "counter": counter,
        "session": session,
        "mine": session is not None and session.officer_id == request.user.pk,
        "current": current,
        # In the order of the names shown (Swahili order in Swahili), from the reference cache.
        "services": sorted_by_name(reference.offered_services(counter.centre_id)),
        "counters": counter.centre.counters.filter(is_active=True)
        .exclude(pk=counter.pk)
        .order_by("number"),
        "checklist": list(current.service.requirements.order_by("position")) if current else [],
        "no_show_from": (
            services.ticket_no_show_from(current)
            if current is not None and current.status == Ticket.Status.CALLED
            else None
        ),
        "add_form": AddServiceForm(counter=counter),
        **_status_context(counter, session, current),
    }
    context.update(extra)
    return context


def _render_console(request, counter: Counter, status: int = 200, **extra):
    context = _console_context(request, counter, **extra)
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers; the warning or form error is in the fragment.
        context["fragment"] = True
        return render(request, "queues/_console.html", context)
    return render(request, "queues/console.html", context, status=status)


@login_required
def console(request, counter_id: int):
    return _render_console(request, _counter_for(request, counter_id))


@login_required
@require_GET
def console_status(request, counter_id: int):
    """The console's poll: the waiting counts, or the whole console if what it shows changed."""
    counter = _counter_for(request, counter_id)
    session = services.live_session(counter)
    current = services.current_ticket(counter)
    if request.GET.get("shown") != _shown(session, current):
        response = _render_console(request, counter)
        response["HX-Retarget"] = "#console"
        response["HX-Reswap"] = "outerHTML"
        return response
    context = _status_context(counter, session, current)
    # Most polls find nothing new: an ETag of what the fragment shows lets the browser
    # revalidate, and the answer is then a bodiless 304.
    shows = (
        context["shown"],
        [(s.pk, e.waiting if e else 0, e.minutes if e else 0) for s, e in context["skills"]],
        [t.pk for t in context["priority_requests"]],
        translation.get_language(),
    )
    etag = quote_etag(hashlib.sha256(repr(shows).encode()).hexdigest()[:32])
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified or render(request, "queues/_console_status.html", context)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie, HX-Request"
    return response


@login_required
def my_counter(request):
    """Where a counter officer lands on signing in: their counter, else their centre's list."""
    user = request.user
    counter = selectors.officer_counter(user) if user.role == Role.COUNTER_OFFICER else None
    if counter is not None:
        return redirect("queues:console", counter.pk)
    if user.centre_id:
        return redirect("accounts:centre", code=user.centre.code)
    return redirect("accounts:home")


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
        elif action in TICKET_ACTIONS:
            ticket = get_object_or_404(
                Ticket.objects.select_related("visit"),
                pk=_posted(request, "ticket", uuid.UUID),
                centre=counter.centre,
            )
            response = TICKET_ACTIONS[action](request, ticket, counter)
            if response is not None:
                return response
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    if request.headers.get("HX-Request"):
        return _render_console(request, counter)
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


def _recall(request, ticket, counter):
    services.ticket_recall(ticket=ticket, counter=counter, officer=request.user)


def _start(request, ticket, counter):
    services.ticket_start(ticket=ticket, counter=counter, officer=request.user)


def _finish(request, ticket, counter):
    services.ticket_finish(ticket=ticket, counter=counter, officer=request.user)


def _finish_and_call(request, ticket, counter):
    done = services.ticket_finish_and_call_next(
        ticket=ticket, counter=counter, officer=request.user
    )
    if done.called is None:
        messages.info(request, _("Nobody is waiting for this counter's services."))


def _no_show(request, ticket, counter):
    services.ticket_no_show(ticket=ticket, counter=counter, officer=request.user)


def _confirm_priority(request, ticket, counter):
    visit = services.visit_priority_confirm(visit=ticket.visit, actor=request.user)
    messages.success(
        request,
        _("Priority confirmed for %(number)s: %(priority)s.")
        % {"number": visit.number, "priority": visit.get_priority_display()},
    )


def _transfer(request, ticket, counter):
    to_service = Service.objects.filter(pk=_posted(request, "service", int)).first()
    to_counter = Counter.objects.filter(pk=_posted(request, "to_counter", int)).first()
    try:
        moved = services.ticket_transfer(
            ticket=ticket,
            actor=request.user,
            to_service=to_service,
            to_counter=to_counter,
            even_if_unstaffed=request.POST.get("unstaffed_ok") == "yes",
        )
    except NoOpenCounter as exc:
        # A step the server asks for, not only a browser dialogue: the same form again, with
        # the warning and a button that says what will happen.
        confirm = {
            "message": exc.message,
            "ticket": ticket,
            "service": to_service,
            "to_counter": to_counter,
        }
        return _render_console(request, counter, status=409, confirm_transfer=confirm)
    waiting = selectors.waiting_count(centre_id=moved.centre_id, service_id=moved.service_id)
    where = (
        _("counter %(number)s / %(service)s")
        % {"number": moved.target_counter.number, "service": moved.service.name}
        if moved.target_counter is not None
        else moved.service.name
    )
    messages.success(
        request,
        _("Ticket %(number)s sent to %(where)s; %(waiting)s waiting there.")
        % {"number": moved.visit.number, "where": where, "waiting": waiting},
    )
    return None


def _add(request, ticket, counter):
    form = AddServiceForm(request.POST, counter=counter)
    if not form.is_valid():
        return _render_console(request, counter, status=400, add_form=form)
    services.visit_add_service(
        visit=ticket.visit, service=form.cleaned_data["service"], actor=request.user
    )
    messages.success(request, _("Service added to the visit."))
    return None


TICKET_ACTIONS = {
    "recall": _recall,
    "start": _start,
    "finish": _finish,
    "finish-and-call": _finish_and_call,
    "no-show": _no_show,
    "confirm-priority": _confirm_priority,
    "transfer": _transfer,
    "add": _add,
}

"""Pages of the Huduma Contact Centre: the desk, the caller's screen, the knowledge portal."""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.models import Role
from huduma.accounts.permissions import require_staff
from huduma.catalogue import selectors as catalogue
from huduma.channels.contact import selectors, services
from huduma.channels.contact.forms import (
    ArticleSmsForm,
    BookForm,
    ComplaintForm,
    FreeTimesForm,
    KnowledgeFilterForm,
    NoteForm,
    TrackForm,
    TransferForm,
    WrapUpForm,
)
from huduma.channels.contact.models import Call, CallQueue, CallState
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.inputs import ascii_int
from huduma.core.pagination import paginate
from huduma.queues.appointments import available_slots

DESK_ROLES = (Role.CONTACT_AGENT, Role.COUNSELLOR, Role.SECRETARIAT)
ON_CALL_ROLES = (Role.CONTACT_AGENT, Role.COUNSELLOR)
KNOWLEDGE_PAGE_SIZE = 25


def _desk_queue(user) -> str:
    return CallQueue.COUNSELLING if user.role == Role.COUNSELLOR else CallQueue.GENERAL


def _desk_context(request) -> dict:
    queue = _desk_queue(request.user)
    on_call = request.user.role in ON_CALL_ROLES
    return {
        "queue": queue,
        "figures": selectors.desk_figures(queue=queue),
        "waiting": selectors.waiting_calls(queue),
        "current": selectors.current_call(request.user) if on_call else None,
        "to_wrap_up": selectors.calls_to_wrap_up(request.user) if on_call else [],
        "poll_seconds": settings.CONTACT_DESK_POLL_SECONDS,
        "now": clock.now(),
    }


@login_required
def desk(request):
    require_staff(request.user, *DESK_ROLES)
    context = _desk_context(request)
    current = context["current"]
    context["known"] = str(current.pk) if current else ""
    return render(request, "contact/desk.html", context)


@login_required
def desk_panel(request):
    """The desk's figures and waiting calls, polled. When the agent's phone is answered, the
    answer is a screen pop: htmx follows HX-Redirect to the caller's screen."""
    require_staff(request.user, *DESK_ROLES)
    context = _desk_context(request)
    current = context["current"]
    if current is not None and request.GET.get("known") != str(current.pk):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("contact:call", args=[current.pk])
        return response
    return render(request, "contact/_desk_panel.html", context)


def _call_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Http404 from exc


def _errors(form) -> dict[str, str]:
    return {name: messages[0] for name, messages in form.errors.items()} if form.is_bound else {}


def _call_page(request, call_id, *, forms=None, errors=None, done=None, status=200):
    """The caller's screen while the agent is on the call (history from every app, audited);
    once the call has ended, only its wrap-up: the history closes with the call."""
    require_staff(request.user, *ON_CALL_ROLES)
    call = Call.objects.filter(pk=_call_id(call_id), agent=request.user).first()
    if call is None:
        raise PermissionDenied(_("This is not your call."))
    counselling = call.queue == CallQueue.COUNSELLING
    history, notes = None, []
    if counselling:
        notes = services.counselling_notes_read(counsellor=request.user, call_id=call.pk)
    elif call.state == CallState.ANSWERED and call.caller:
        history = services.caller_history_open(agent=request.user, call_id=call.pk)
    forms = forms or {}
    q = request.GET.get("q", "")[:100]
    free = FreeTimesForm(request.GET if "book-day" in request.GET else None, prefix="book")
    slots = []
    if free.is_bound and free.is_valid():
        data = free.cleaned_data
        slots = available_slots(data["centre"], data["service"], data["day"])
    context = {
        "call": call,
        "history": history,
        "counselling": counselling,
        "notes": notes,
        "actions": call.actions.select_related("mda"),
        "articles": catalogue.knowledge_search(q=q).filter(audience="public")[:10] if q else [],
        "q": q,
        "sms_form": forms.get("sms") or ArticleSmsForm(initial={"language": "sw"}),
        "book_form": forms.get("book") or BookForm(initial={"language": "sw"}),
        "free_form": free,
        "free_errors": _errors(free),
        "slots": slots,
        "track_form": forms.get("track") or TrackForm(),
        "complaint_form": forms.get("complaint")
        or ComplaintForm(initial={"form_token": uuid.uuid4().hex}),
        "transfer_form": forms.get("transfer") or TransferForm(),
        "wrap_up_form": forms.get("wrap_up") or WrapUpForm(),
        "note_form": forms.get("note") or NoteForm(),
        "errors": errors or {},
        "done": done,
    }
    return render(request, "contact/call.html", context, status=status)


@login_required
def call_screen(request, call_id: str):
    return _call_page(request, call_id)


def _act(request, call_id, name, form, verb):
    """Validate a form, call one service, show the caller's screen with what was done."""
    if not form.is_valid():
        return _call_page(request, call_id, forms={name: form}, errors=_errors(form), status=400)
    try:
        done = verb(form.cleaned_data)
    except DomainError as exc:
        errors = {exc.field or next(iter(form.fields)): exc.message}
        return _call_page(request, call_id, forms={name: form}, errors=errors, status=exc.status)
    return _call_page(request, call_id, done=done)


@login_required
@require_POST
def call_action(request, call_id: str, action: str):
    require_staff(request.user, *ON_CALL_ROLES)
    agent, cid = request.user, _call_id(call_id)
    if action == "sms":
        return _act(
            request,
            call_id,
            "sms",
            ArticleSmsForm(request.POST),
            lambda d: (
                services.call_send_article(
                    agent=agent, call_id=cid, slug=d["article"], language=d["language"]
                )
                and _("The answer was sent by SMS.")
            ),
        )
    if action == "book":
        return _act(
            request,
            call_id,
            "book",
            BookForm(request.POST),
            lambda d: (
                _("Booked: %(reference)s.")
                % {
                    "reference": services.call_book(
                        agent=agent,
                        call_id=cid,
                        centre=d["centre"],
                        service=d["service"],
                        slot_start=d["slot_start"],
                        language=d["language"],
                    ).reference
                }
            ),
        )
    if action == "track":
        return _act(
            request,
            call_id,
            "track",
            TrackForm(request.POST),
            lambda d: _track_message(
                services.call_track(agent=agent, call_id=cid, tracking_number=d["tracking_number"])
            ),
        )
    if action == "complaint":
        return _act(
            request,
            call_id,
            "complaint",
            ComplaintForm(request.POST),
            lambda d: (
                _("Complaint lodged: %(reference)s.")
                % {
                    "reference": services.call_complaint(
                        agent=agent,
                        call_id=cid,
                        category=d["category"],
                        text=d["text"],
                        centre=d["centre"],
                        service=d["service"],
                        form_token=d["form_token"],
                    ).reference
                }
            ),
        )
    if action == "transfer":
        return _act(
            request,
            call_id,
            "transfer",
            TransferForm(request.POST),
            lambda d: (
                services.call_transfer(agent=agent, call_id=cid, mda=d["mda"])
                and _("Transfer to %(mda)s recorded.") % {"mda": d["mda"].name}
            ),
        )
    if action == "wrap-up":
        form = WrapUpForm(request.POST)
        if form.is_valid():
            try:
                services.call_wrap_up(
                    agent=agent,
                    call_id=cid,
                    outcome=form.cleaned_data["outcome"],
                    wrap_up=form.cleaned_data["wrap_up"],
                )
            except DomainError as exc:
                errors = {exc.field or "outcome": exc.message}
                return _call_page(
                    request, call_id, forms={"wrap_up": form}, errors=errors, status=exc.status
                )
            return redirect("contact:desk")
        return _call_page(
            request, call_id, forms={"wrap_up": form}, errors=_errors(form), status=400
        )
    if action == "note":
        return _act(
            request,
            call_id,
            "note",
            NoteForm(request.POST),
            lambda d: (
                services.counselling_note_add(counsellor=agent, call_id=cid, text=d["text"])
                and _("Note saved.")
            ),
        )
    raise Http404


def _track_message(application) -> str:
    return _("%(number)s (%(service)s): %(status)s.") % {
        "number": application.tracking_number,
        "service": application.service.name,
        "status": application.get_status_display(),
    }


# --- the knowledge portal -------------------------------------------------------------------


@login_required
def knowledge(request):
    """Every member of staff browses the knowledge base (staff-only articles included)."""
    require_staff(request.user)
    form = KnowledgeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = clock.local_date()
    articles = catalogue.knowledge_search(
        q=data.get("q", ""),
        mda=data.get("mda"),
        service=data.get("service"),
        stale_before=today if data.get("stale") else None,
    )
    number = ascii_int(request.GET.get("page"), minimum=1, maximum=9999) or 1
    try:
        page = paginate(articles, page=number, page_size=KNOWLEDGE_PAGE_SIZE)
    except DomainError as exc:
        raise Http404 from exc
    return render(
        request,
        "contact/knowledge.html",
        {"form": form, "page": page, "today": today, "errors": _errors(form)},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def knowledge_article(request, slug: str):
    require_staff(request.user)
    article = catalogue.article_for_staff(slug)
    if article is None:
        raise Http404
    return render(
        request,
        "contact/knowledge_article.html",
        {"article": article, "today": clock.local_date(), "versions": article.versions.all()},
    )

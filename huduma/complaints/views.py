"""Complaint pages: the citizen's form and tracking page, and the staff worklists."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from huduma.accounts.models import CENTRE_ROLES, Role
from huduma.complaints import permissions, selectors, services
from huduma.complaints.forms import (
    CategoryForm,
    DetailsForm,
    RatingForm,
    ResolveForm,
    StaffEntryForm,
    TrackForm,
)
from huduma.complaints.models import MONITOR_CATEGORIES, Category, Channel, Complaint, Status
from huduma.core.errors import DomainError
from huduma.core.throttle import per_browser, throttle_writes

SESSION_KEY = "complaints_seen"


def _errors(form) -> dict:
    return {name: errs[0] for name, errs in form.errors.items()}


def _grant(request, complaint: Complaint) -> None:
    """This browser proved it may see the complaint (it lodged it, or gave reference + proof)."""
    seen = [ref for ref in request.session.get(SESSION_KEY, []) if ref != complaint.reference]
    request.session[SESSION_KEY] = [complaint.reference, *seen][:20]


def _granted(request, reference: str) -> Complaint:
    reference = services.normalise_reference(reference)
    if reference not in request.session.get(SESSION_KEY, []):
        raise Http404
    return get_object_or_404(Complaint, reference=reference)


# --- citizen ------------------------------------------------------------------------------


def start(request):
    """Step 1: one question, what the complaint is about."""
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return redirect(f"{reverse('complaints:details')}?category={form.cleaned_data['category']}")
    errors = _errors(form) if request.method == "POST" else {}
    return render(
        request,
        "complaints/start.html",
        {"form": form, "errors": errors},
        status=400 if errors else 200,
    )


# At most a few complaints per browser per quarter hour: enough for a family sharing a phone,
# too few to flood the Centre Managers' worklists. The address has only a ceiling: a cyber
# café's customers share one.
@throttle_writes("complaint", limit=10, window_s=900, key=per_browser, address_limit=300)
def details(request):
    """Step 2: what happened, where, and how we reach you (or anonymously, for corruption)."""
    category = request.GET.get("category", "")
    if category not in Category.values:
        return redirect("complaints:start")
    may_be_anonymous = category in MONITOR_CATEGORIES
    form = DetailsForm(
        request.POST if request.method == "POST" else None, initial={"form_token": uuid.uuid4().hex}
    )
    context = {
        "form": form,
        "category": Category(category),
        "may_be_anonymous": may_be_anonymous,
    }
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_lodge(
                channel=Channel.WEB,
                category=category,
                text=data["text"],
                phone=data["phone"],
                centre=data["centre"],
                service=data["service"],
                names_staff=data["names_staff"],
                anonymous=may_be_anonymous and data["anonymous"],
                secret_phrase=data["secret_phrase"],
                idempotency_key=data["form_token"] or None,
                source="form",
                language=request.LANGUAGE_CODE[:2],
            )
        except DomainError as exc:
            context["errors"] = {exc.field or "text": exc.message}
            status = 503 if exc.status == 503 else 400  # busy (core.locks): try again
        else:
            _grant(request, complaint)
            return redirect("complaints:lodged", complaint.reference)
    elif request.method == "POST":
        context["errors"] = _errors(form)
    return render(request, "complaints/details.html", context, status=status)


def lodged(request, reference: str):
    complaint = _granted(request, reference)
    return render(request, "complaints/lodged.html", {"complaint": complaint})


# Each reference's own wrong tries are limited whatever the address (complaint_for_citizen).
@throttle_writes("complaint-track", limit=20, window_s=900, key=per_browser, address_limit=300)
def track(request):
    form = TrackForm(request.POST if request.method == "POST" else None)
    errors = {}
    status = 400
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_for_citizen(
                reference=form.cleaned_data["reference"], proof=form.cleaned_data["proof"]
            )
        except DomainError as exc:
            errors = {exc.field or "reference": exc.message}
            status = 429 if exc.status == 429 else 400
        else:
            _grant(request, complaint)
            return redirect("complaints:status", complaint.reference)
    elif request.method == "POST":
        errors = _errors(form)
    return render(
        request,
        "complaints/track.html",
        {"form": form, "errors": errors},
        status=status if errors else 200,
    )


def status(request, reference: str):
    complaint = _granted(request, reference)
    return render(request, "complaints/status.html", _status_context(complaint, RatingForm()))


def _status_context(complaint, rating_form, errors=None) -> dict:
    return {
        "complaint": complaint,
        "events": selectors.public_events(complaint),
        "rating_form": rating_form,
        "can_rate": complaint.status == Status.RESOLVED,
        "can_reopen": services.can_reopen(complaint),
        "errors": errors or {},
    }


@throttle_writes("complaint-answer", limit=20, window_s=900)
@require_POST
def confirm(request, reference: str):
    complaint = _granted(request, reference)
    form = RatingForm(request.POST)
    errors = _errors(form) if not form.is_valid() else {}
    if not errors:
        try:
            services.complaint_confirm(complaint=complaint, rating=form.cleaned_data["rating"])
        except DomainError as exc:
            errors = {exc.field or "rating": exc.message}
        else:
            return redirect("complaints:status", complaint.reference)
    return render(
        request, "complaints/status.html", _status_context(complaint, form, errors), status=400
    )


@throttle_writes("complaint-answer", limit=20, window_s=900)
@require_POST
def reopen(request, reference: str):
    complaint = _granted(request, reference)
    try:
        services.complaint_reopen(complaint=complaint, note=request.POST.get("note", "")[:1000])
    except DomainError as exc:
        return render(
            request,
            "complaints/status.html",
            _status_context(complaint, RatingForm(), {"reopen": exc.message}),
            status=exc.status,
        )
    return redirect("complaints:status", complaint.reference)


# --- staff --------------------------------------------------------------------------------


@login_required
def worklist(request):
    if not permissions.has_worklist(request.user):
        raise PermissionDenied("Your role has no complaints worklist")
    show_closed = request.GET.get("closed") == "1"
    complaints = selectors.worklist(request.user, include_closed=show_closed)
    return render(
        request,
        "complaints/worklist.html",
        {"complaints": complaints, "show_closed": show_closed},
    )


def _entry_channels(user) -> list[str]:
    if user.role in CENTRE_ROLES:
        return [Channel.CENTRE]
    if user.role == Role.SECRETARIAT:
        return [Channel.CONTACT_CENTRE, Channel.SOCIAL_MEDIA]
    return []


@login_required
def staff_new(request):
    """Staff enter a complaint for a citizen: at the centre, the contact centre, social media."""
    if not permissions.can_lodge_for_citizen(request.user):
        raise PermissionDenied("Your role cannot enter complaints")
    channels = _entry_channels(request.user)
    form = StaffEntryForm(
        request.POST or None,
        channels=channels,
        initial={"form_token": uuid.uuid4().hex, "centre": request.user.centre_id},
    )
    errors = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        centre = data["centre"]
        if request.user.role in CENTRE_ROLES:
            centre = request.user.centre  # centre staff enter complaints about their centre
        try:
            complaint = services.complaint_lodge(
                channel=data["channel"],
                category=data["category"],
                text=data["text"],
                phone=data["phone"],
                centre=centre,
                service=data["service"],
                names_staff=data["names_staff"],
                anonymous=data["anonymous"],
                secret_phrase=data["secret_phrase"],
                actor=request.user,
                idempotency_key=data["form_token"] or None,
                language=request.LANGUAGE_CODE[:2],
            )
        except DomainError as exc:
            errors = {exc.field or "text": exc.message}
        else:
            return render(request, "complaints/staff_lodged.html", {"complaint": complaint})
    elif request.method == "POST":
        errors = _errors(form)
    return render(
        request,
        "complaints/staff_new.html",
        {"form": form, "errors": errors},
        status=400 if errors else 200,
    )


def _visible(request, reference: str) -> Complaint:
    complaint = get_object_or_404(
        permissions.visible_complaints(request.user).select_related(
            "centre", "service", "mda", "assigned_to"
        ),
        reference=services.normalise_reference(reference),
    )
    return complaint


@login_required
def staff_detail(request, reference: str, errors=None, status_code=200, posted=None):
    complaint = _visible(request, reference)
    return render(
        request,
        "complaints/staff_detail.html",
        {
            "complaint": complaint,
            "events": complaint.events.all(),
            "can_act": permissions.can_act(request.user, complaint),
            # A refused resolve shows again what the officer wrote (bound to what was posted).
            "resolve_form": ResolveForm(posted, complainant_language=complaint.language),
            "errors": errors or {},
        },
        status=status_code,
    )


STAFF_ACTIONS = {
    "take": lambda c, user, post: services.complaint_take(complaint=c, actor=user),
    "start": lambda c, user, post: services.complaint_start(complaint=c, actor=user),
    "resolve": lambda c, user, post: services.complaint_resolve(
        complaint=c,
        actor=user,
        resolution=post.get("resolution", ""),
        public_note=post.get("public_note", ""),
        send_as_written=post.get("send_as_written") == "1",
    ),
    "escalate": lambda c, user, post: services.complaint_escalate(
        complaint=c, actor=user, note=post.get("note", "")[:1000]
    ),
}


@login_required
@require_POST
def staff_action(request, reference: str, action: str):
    complaint = _visible(request, reference)
    if action not in STAFF_ACTIONS:
        raise Http404
    try:
        STAFF_ACTIONS[action](complaint, request.user, request.POST)
    except DomainError as exc:
        return staff_detail(
            request,
            reference,
            errors={exc.field or action: exc.message},
            status_code=exc.status,
            posted=request.POST if action == "resolve" else None,
        )
    return redirect("complaints:staff_detail", complaint.reference)

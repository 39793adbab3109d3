"""Feedback pages: the counter's feedback tablet (a registered device, no staff session), the
SMS-link rating page, and the satisfaction figures for managers and the Secretariat.

The tablet page is one screen that polls a tiny fragment every two seconds: 204 (nothing to
change) almost always, the faces for a ticket once the officer finishes it, and idle again
after the window. Every press is a form post, so the page works without JavaScript too.
"""

import datetime as dt
import functools
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from huduma.accounts.devices import device_required
from huduma.accounts.models import Device, Role
from huduma.accounts.permissions import (
    has_role,
    require_centre,
    require_centre_view,
    require_staff,
    works_at,
)
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.throttle import throttle_writes
from huduma.feedback import selectors, services, surveys
from huduma.feedback.errors import AlreadyRated
from huduma.feedback.integration import complaint_from_rating
from huduma.feedback.limits import check_device_presses
from huduma.feedback.models import HIGH_REASONS, LOW_REASONS, Channel, Misuse, Rating, Reason
from huduma.places.models import Centre
from huduma.queues.models import Ticket

THANKS_SECONDS = 90  # long enough to pick reasons and type a comment
DONE_SECONDS = 4
FACES = (
    (1, _("Very bad"), "#d4351c", "M14 35 Q24 25 34 35"),
    (2, _("Bad"), "#f47738", "M15 34 Q24 29 33 34"),
    (3, _("Fair"), "#b58a00", "M15 32 L33 32"),
    (4, _("Good"), "#85994b", "M15 30 Q24 35 33 30"),
    (5, _("Very good"), "#00703c", "M14 29 Q24 40 34 29"),
)


def both(text) -> dict:
    """A label in Swahili and English at once: the citizen has not chosen a language."""
    out = {}
    for code in ("sw", "en"):
        with translation.override(code):
            out[code] = str(text)
    return out


def _refused(request, exc: DomainError):
    """The refusal screen for a press not taken, its reason in Swahili and English. The
    tablet's views raise in English (see _english), so the message is the msgid to translate;
    one with values filled in has no entry and stays in English on both sides."""
    text = str(exc.message)
    out = {}
    for code in ("sw", "en"):
        with translation.override(code):
            out[code] = translation.gettext(text)
    return _screen(request, "refused", message=out)


def _english(view):
    """Run a tablet view in English, so that a refusal's message is its English msgid."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override("en"):
            return view(request, *args, **kwargs)

    return wrapped


def _faces() -> list[dict]:
    return [
        {"score": score, "label": both(label), "colour": colour, "mouth": mouth}
        for score, label, colour, mouth in FACES
    ]


def _poll_url(shown: str, until: float | None = None) -> str:
    query = {"shown": shown}
    if until is not None:
        query["until"] = f"{until:.0f}"
    return reverse("feedback:tablet_screen") + "?" + urlencode(query)


def _screen(request, state: str, *, ticket: Ticket | None = None, rating=None, message=""):
    context = {"state": state, "ticket": ticket, "rating": rating, "message": message}
    context["poll_seconds"] = max(settings.EIFD_POLL_SECONDS, 1)
    if state in ("idle", "rate"):
        context["faces"] = _faces()
        context["poll_url"] = _poll_url(str(ticket.pk) if ticket else "idle")
        if ticket is not None:
            context["service"] = {"sw": ticket.service.name_sw, "en": ticket.service.name_en}
    else:
        seconds = THANKS_SECONDS if state == "thanks" else DONE_SECONDS
        context["poll_url"] = _poll_url("idle", time.time() + seconds)
    if state == "thanks":
        chips = LOW_REASONS if rating.score <= 3 else HIGH_REASONS
        labels = dict(Reason.choices)
        context["chips"] = [{"code": c.value, "label": both(labels[c])} for c in chips]
    template = (
        "feedback/_screen.html" if request.headers.get("HX-Request") else "feedback/tablet.html"
    )
    return render(request, template, context)


def _current(request):
    ticket = selectors.tablet_ticket(request.device.counter)
    return ("rate", ticket) if ticket else ("idle", None)


@device_required(kind=Device.Kind.FEEDBACK_TABLET)
def tablet(request):
    state, ticket = _current(request)
    return _screen(request, state, ticket=ticket)


@device_required(kind=Device.Kind.FEEDBACK_TABLET)
def tablet_screen(request):
    """The poll: 204 while the screen shown is still right, else the screen to show."""
    try:
        until = float(request.GET.get("until", "0"))
    except ValueError:
        until = 0
    if until and time.time() < until:
        return HttpResponse(status=204)
    state, ticket = _current(request)
    shown = str(ticket.pk) if ticket else "idle"
    if not until and request.GET.get("shown") == shown:
        return HttpResponse(status=204)
    return _screen(request, state, ticket=ticket)


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# A child can press a thousand times; each press is a small row, and this keeps it small.
@require_POST
@device_required(kind=Device.Kind.FEEDBACK_TABLET)
@_english
def tablet_rate(request):
    device = request.device
    try:
        check_device_presses(device)
    except DomainError as exc:
        return _refused(request, exc)
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = None
    ticket_id = _uuid(request.POST.get("ticket", ""))
    if ticket_id is None:
        # Pressed at idle: no served ticket behind it. Kept out of the figures, counted apart.
        services.misuse_record(device=device, kind=Misuse.Kind.IDLE, score=score)
        return _screen(request, "refused", message=both(_("Please rate after you are served.")))
    try:
        rating = services.rating_record(
            ticket_id=ticket_id, score=score, channel=Channel.TABLET, device=device
        )
    except AlreadyRated:
        services.misuse_record(device=device, kind=Misuse.Kind.ALREADY_RATED, score=score)
        return _screen(request, "refused", message=both(_("This visit has already been rated.")))
    except DomainError as exc:
        return _refused(request, exc)
    return _screen(request, "thanks", rating=rating)


@require_POST
@device_required(kind=Device.Kind.FEEDBACK_TABLET)
@_english
def tablet_details(request):
    try:
        check_device_presses(request.device)
    except DomainError as exc:
        return _refused(request, exc)
    rating = Rating.objects.filter(pk=_uuid(request.POST.get("rating", ""))).first()
    if rating is not None:
        try:
            services.rating_add_details(
                rating=rating,
                device=request.device,
                reasons=request.POST.getlist("reasons"),
                comment=request.POST.get("comment", ""),
            )
        except DomainError as exc:
            return _refused(request, exc)
    return _screen(request, "done")


# --- the SMS link (public, a light page for any phone's browser) -----------------------------


@throttle_writes("rate-link", limit=30, window_s=600)
def rate_link(request, token: str):
    try:
        invitation = services.invitation_for(token)
    except DomainError as exc:
        return render(
            request, "feedback/rate_link.html", {"refused": exc.message}, status=exc.status
        )
    context = {
        "invitation": invitation,
        "faces": _faces(),
        "reasons": [{"code": c, "label": label} for c, label in Reason.choices],
        "errors": {},
    }
    if request.method == "POST":
        try:
            score = int(request.POST.get("score", ""))
        except ValueError:
            score = None
        try:
            services.rating_by_link(
                token=token,
                score=score,
                reasons=request.POST.getlist("reasons"),
                comment=request.POST.get("comment", ""),
                language=request.LANGUAGE_CODE[:2],
            )
        except DomainError as exc:
            context["errors"] = {exc.field or "score": exc.message}
            return render(request, "feedback/rate_link.html", context, status=exc.status)
        return render(request, "feedback/rate_link.html", {"done": True})
    return render(request, "feedback/rate_link.html", context)


# --- figures: the Centre Manager's live panel, the centre and national reports ---------------


@login_required
def live_panel(request, code: str):
    """Today's satisfaction and the latest low ratings, polled by the live view."""
    centre = get_object_or_404(Centre, code=code)
    require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    since, until = selectors.today()
    [total] = selectors.satisfaction(since=since, until=until, centre=centre)
    context = {
        "centre": centre,
        "total": total,
        "standard": selectors.STANDARD_PCT,
        "misuse": selectors.misuse_count(since=since, until=until, centre=centre),
        "low": selectors.latest_low_ratings(centre, since=since),
        # Only the centre's own manager turns a rating into a complaint (watchers only read).
        "can_open_complaint": works_at(request.user, centre)
        and has_role(request.user, Role.CENTRE_MANAGER),
    }
    return render(request, "feedback/_live_panel.html", context)


def _period(request) -> tuple[dt.date, dt.date]:
    today = clock.local_date()
    try:
        first = dt.date.fromisoformat(request.GET.get("since") or today.isoformat())
        last = dt.date.fromisoformat(request.GET.get("until") or today.isoformat())
    except ValueError:
        first = last = today
    return (first, last) if first <= last else (last, first)


CENTRE_GROUPS = ("counter", "officer", "service", "channel")
NATIONAL_GROUPS = ("centre", "service", "mda", "channel")
GROUP_TITLES = {
    "centre": _("Centres"),
    "counter": _("Counters"),
    "officer": _("Officers"),
    "service": _("Services"),
    "mda": _("MDAs"),
    "channel": _("Channels"),
}


@login_required
def report(request, code: str | None = None):
    """Satisfaction over any period: one centre (its manager) or every centre (Secretariat)."""
    if code is None:
        require_staff(request.user, Role.SECRETARIAT)
        centre, groups = None, NATIONAL_GROUPS
    else:
        centre = get_object_or_404(Centre, code=code)
        # Reading figures: the centre's manager, or a national watcher (the Secretariat).
        require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
        groups = CENTRE_GROUPS
    first, last = _period(request)
    since, until = selectors.day_bounds(first, last)
    [total] = selectors.satisfaction(since=since, until=until, centre=centre)
    tables = [
        (
            GROUP_TITLES[g],
            selectors.satisfaction(since=since, until=until, group_by=g, centre=centre),
        )
        for g in groups
    ]
    trend = selectors.weekly_trend(centre=centre)
    context = {
        "centre": centre,
        "first": first,
        "last": last,
        "total": total,
        "tables": tables,
        "misuse": selectors.misuse_count(since=since, until=until, centre=centre),
        "standard": selectors.STANDARD_PCT,
        "trend": trend,
        "chart": selectors.trend_svg_points(trend),
    }
    return render(request, "feedback/report.html", context)


@login_required
@require_POST
def rating_complaint(request, rating_id):
    """One click turns a low rating into a complaint about its ticket (once per rating)."""
    rating = get_object_or_404(
        Rating.objects.select_related("centre", "ticket__visit"), pk=rating_id
    )
    require_centre(request.user, rating.centre, Role.CENTRE_MANAGER)
    try:
        complaint = complaint_from_rating(rating=rating, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Complaint %(reference)s was opened from this rating.")
            % {"reference": complaint.reference},
        )
    return redirect("queues:live", rating.centre.code)


@throttle_writes("survey", limit=30, window_s=600)
def survey(request, token: str):
    try:
        invitation = surveys.survey_invitation_for(token)
    except DomainError as exc:
        return render(request, "feedback/survey.html", {"refused": exc.message}, status=exc.status)
    language = request.LANGUAGE_CODE[:2]
    questions = [
        {"q": q, "text": q.text(language), "name": f"q{q.pk}"}
        for q in invitation.survey.questions.all()
    ]
    context = {
        "invitation": invitation,
        "title": invitation.survey.title(language),
        "questions": questions,
        "scale": range(1, 6),
        "errors": {},
    }
    if request.method == "POST":
        try:
            surveys.survey_answer(token=token, answers=request.POST.dict())
        except DomainError as exc:
            context["errors"] = {exc.field or "answers": exc.message}
            return render(request, "feedback/survey.html", context, status=exc.status)
        return render(request, "feedback/survey.html", {"done": True})
    return render(request, "feedback/survey.html", context)

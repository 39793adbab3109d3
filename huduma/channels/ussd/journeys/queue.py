"""Joining a centre's queue from the phone, and checking one's ticket."""

from django.utils.translation import gettext as _

from huduma.channels.ussd import selectors
from huduma.channels.ussd.flow import Ctx, Done, Outcome
from huduma.channels.ussd.journeys.answers import (
    _centre,
    _name,
    _pick,
    _refused,
    _service,
    _wrong,
)
from huduma.channels.ussd.screens import View
from huduma.core.errors import DomainError
from huduma.core.i18n import localized
from huduma.queues import selectors as queue_selectors
from huduma.queues.models import IssueChannel
from huduma.queues.services import visit_issue

# --- the queue -----------------------------------------------------------------------------


def join_confirm_show(ctx: Ctx) -> View:
    service, centre = _service(ctx), _centre(ctx)
    bring = "; ".join(
        localized(r, "text", ctx.language) for r in service.requirements.order_by("position")
    )
    text = _("%(service)s at %(centre)s. Bring: %(list)s") % {
        "service": _name(service, ctx),
        "centre": centre.name,
        "list": bring or _("nothing"),
    }
    return View(text, (_("I have them: give me a ticket"),))


def join_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    try:
        visit = visit_issue(
            centre=_centre(ctx),
            services=[_service(ctx)],
            channel=IssueChannel.USSD,
            requirements_confirmed=True,
            phone=ctx.phone,
            language=ctx.language,
            idempotency_key=ctx.key,
        )
    except DomainError as exc:
        return _refused(exc)
    progress = queue_selectors.visit_progress(visit)
    return Done(
        _("Ticket %(number)s at %(centre)s. %(ahead)s ahead of you. We sent it by SMS.")
        % {"number": visit.number, "centre": visit.centre.name, "ahead": progress.ahead or 0}
    )


def ticket_enter(ctx: Ctx) -> Outcome:
    lines = []
    for visit in selectors.visits_today(ctx.phone)[:3]:
        progress = queue_selectors.visit_progress(visit)
        if progress.state == queue_selectors.Progress.WAITING:
            state = _("%(n)s ahead") % {"n": progress.ahead or 0}
            if progress.minutes is not None:
                state += ", " + _("about %(m)s min") % {"m": progress.minutes}
        elif progress.counter_number is not None:
            state = _("go to counter %(n)s") % {"n": progress.counter_number}
        else:
            state = _("ended")
        lines.append(f"{visit.number} {visit.centre.name}: {state}")
    if not lines:
        return Done(_("This number holds no ticket today."))
    return Done("\n".join(lines))

"""The assistant's page: a question, its answer with its source, and "Did this help?"."""

import uuid

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huduma.channels.assistant import services
from huduma.channels.assistant.models import AssistantAnswer
from huduma.core.errors import DomainError
from huduma.core.i18n import current_language
from huduma.core.throttle import per_browser, throttle_writes

# The answers this browser was given (so that only the asker says whether one helped).
SESSION_KEY = "assistant_answers"
SESSION_KEEP = 20
ASK_LIMIT = 30  # questions per browser per 10 minutes
ASK_ADDRESS_LIMIT = 300  # and per address (a centre's tablets share one)
WINDOW_S = 600


@require_http_methods(["GET", "POST"])
@throttle_writes(
    "assistant-ask",
    limit=ASK_LIMIT,
    window_s=WINDOW_S,
    key=per_browser,
    address_limit=ASK_ADDRESS_LIMIT,
)
def ask(request):
    context = {
        "question": "",
        "errors": {},
        "contact_phone": settings.CONTACT_CENTRE_PHONE,
        "retention_days": services.retention_days(),
    }
    status = 200
    if request.method == "POST":
        question = (request.POST.get("question") or "")[: services.QUESTION_INPUT_MAX + 1]
        context["question"] = question
        try:
            answer, record = services.ask(
                text=question,
                channel=AssistantAnswer.Channel.WEB,
                default_language=current_language(),
            )
        except DomainError as exc:
            context["errors"] = {"question": exc.message}
            status = 400
        else:
            kept = request.session.get(SESSION_KEY, [])
            request.session[SESSION_KEY] = [*kept, str(record.pk)][-SESSION_KEEP:]
            context.update(answer=answer, record=record)
    return render(request, "assistant/ask.html", context, status=status)


@require_POST
def feedback(request, answer_id: uuid.UUID):
    if str(answer_id) not in request.session.get(SESSION_KEY, []):
        raise Http404
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):  # the page's two buttons send nothing else
        return HttpResponseBadRequest(_("Choose yes or no"), content_type="text/plain")
    services.feedback_record(answer_id=answer_id, helpful=helpful == "yes")
    return redirect(reverse("assistant:thanks") + ("?helped=1" if helpful == "yes" else ""))


def thanks(request):
    return render(
        request,
        "assistant/thanks.html",
        {
            "helped": request.GET.get("helped") == "1",
            "contact_phone": settings.CONTACT_CENTRE_PHONE,
        },
    )

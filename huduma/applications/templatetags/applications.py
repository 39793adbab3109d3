"""Template helpers of applications for other apps' pages (the counter console)."""

from django import template

from huduma.applications.models import Application

register = template.Library()
# The session key of an application form refused at the console, kept to show it again.
DRAFT_KEY = "application_draft"


@register.simple_tag
def application_for_ticket(ticket) -> Application | None:
    """The application already opened for this ticket's service, if any."""
    if ticket is None:
        return None
    return Application.objects.filter(ticket=ticket, service_id=ticket.service_id).first()


@register.simple_tag(takes_context=True)
def application_draft(context, ticket) -> dict:
    """The form the officer sent for this ticket and had refused (ticks, phone, error), taken
    from the session once; an empty form otherwise."""
    request = context.get("request")
    empty = {"confirmed": [], "phone": "", "field": "", "error": ""}
    if request is None or ticket is None or not hasattr(request, "session"):
        return empty
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft.get("ticket") != str(ticket.pk):
        return empty
    del request.session[DRAFT_KEY]
    return {**empty, **draft}

"""Template helpers of applications for other apps' pages (the counter console)."""

from django import template

from huduma.applications.models import Application

register = template.Library()


@register.simple_tag
def application_for_ticket(ticket) -> Application | None:
    """The application already opened for this ticket's service, if any."""
    if ticket is None:
        return None
    return Application.objects.filter(ticket=ticket, service_id=ticket.service_id).first()

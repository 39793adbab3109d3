"""Where feedback meets the complaints: a low rating becomes a complaint in one click from the
Centre Manager's pages (feedback imports the complaints' service; complaints know nothing of
ratings beyond the `source` they are given)."""

from huduma.complaints.models import Category, Channel
from huduma.complaints.services import complaint_lodge


def complaint_from_rating(*, rating, actor):
    """Lodge a complaint about the rated ticket, once per rating (a second click returns it)."""
    text = rating.comment or ", ".join(rating.reason_labels()) or str(rating)
    return complaint_lodge(
        channel=Channel.LOW_RATING,
        category=Category.SERVICE_QUALITY,
        text=text,
        phone=rating.ticket.visit.phone,
        ticket=rating.ticket,
        actor=actor,
        source=f"rating:{rating.pk}",
        idempotency_key=f"rating:{rating.pk}",
        language=rating.ticket.visit.language,
    )

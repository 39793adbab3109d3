"""Where feedback meets the complaints app (built in a parallel branch).

INTEGRATION POINT: when `huduma.complaints.services.complaint_lodge` exists, a low rating
becomes a complaint in one click from the Centre Manager's live view. Until the complaints app
is merged, `complaint_from_rating` is None and the button is not shown.
"""

try:
    from huduma.complaints.services import complaint_lodge
except ImportError:  # the complaints app is not merged yet
    complaint_lodge = None


def _complaint_from_rating(*, rating, actor):
    # The exact keyword arguments follow complaint_lodge's signature when it lands; the rating
    # carries everything a complaint needs: centre, counter, officer, service, ticket, text.
    return complaint_lodge(
        channel="rating",
        category="service_quality",
        centre=rating.centre,
        service=rating.service,
        text=rating.comment or ", ".join(rating.reason_labels()),
        phone=rating.ticket.visit.phone,
        rating=rating,
        actor=actor,
    )


complaint_from_rating = _complaint_from_rating if complaint_lodge is not None else None

"""What a field kit may write of feedback: a rating of a ticket it issued, from itself (or its
own tablet), once."""

from huduma.core.kit_rules import KitRefused, KitWrite, instances, register
from huduma.feedback.models import Rating
from huduma.queues.models import Ticket


def _rating(write: KitWrite) -> None:
    if not write.creating:
        raise KitRefused("rating: a rating is never changed")
    if not write.kit.made(Ticket, write.values["ticket_id"]):
        raise KitRefused("rating: of a ticket this kit did not issue")
    device = write.values["device_id"]
    if device is not None and str(device) != write.kit.node_id:
        raise KitRefused("rating: from a device that is not this kit")


def ratings_from_kit(writes: list[KitWrite]) -> None:
    Rating._base_manager.bulk_create(instances(Rating, writes))


def register_rules() -> None:
    register("feedback.Rating", _rating, create=ratings_from_kit)

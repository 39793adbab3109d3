"""What a field kit may write of complaints: those lodged at its tent. A complaint, once
lodged, is the centre's to handle: a kit never rewrites one (least of all a report of
corruption or about staff), it only adds what it recorded."""

from huduma.complaints.lodging import complaints_from_kit
from huduma.complaints.models import Complaint, ComplaintEvent, Status
from huduma.core.kit_rules import KitRefused, KitWrite, instances, register


def _complaint(write: KitWrite) -> None:
    if not write.creating:
        raise KitRefused("complaint: a lodged complaint is changed only on the server")
    if write.values["status"] not in (Status.RECEIVED, Status.ACKNOWLEDGED):
        raise KitRefused("complaint: a kit lodges a complaint, the centre handles it")


def _event(write: KitWrite) -> None:
    if not write.creating:
        raise KitRefused("complaint event: events are never changed")
    if not write.kit.made(Complaint, write.values["complaint_id"]):
        raise KitRefused("complaint event: of a complaint this kit did not record")


def complaints_lodged_on_kit(writes: list[KitWrite]) -> None:
    Complaint._base_manager.bulk_create(instances(Complaint, writes))


def complaint_events_from_kit(writes: list[KitWrite]) -> None:
    ComplaintEvent._base_manager.bulk_create(instances(ComplaintEvent, writes))


def register_rules() -> None:
    register(
        "complaints.Complaint",
        _complaint,
        create=complaints_lodged_on_kit,
        arrived=complaints_from_kit,
    )
    register("complaints.ComplaintEvent", _event, create=complaint_events_from_kit)

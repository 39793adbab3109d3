"""What a field kit may write of applications: those it received at its tent, for the official
fee, moved only along the steps the back office allows."""

from huduma.applications.models import Application, ApplicationEvent, Referral
from huduma.applications.services import (
    TRANSITIONS,
    _mda_address,
    applications_from_kit,
    referrals_from_kit,
)
from huduma.catalogue.models import MDA, Service
from huduma.core.kit_rules import KitRefused, KitWrite, instances, register
from huduma.queues.models import Ticket

FIXED = {"tracking_number", "service_id", "mda_id", "centre_id", "fee_kes", "received_at"}


def _application(write: KitWrite) -> None:
    values, kit = write.values, write.kit
    if write.creating:
        service = kit.row(Service, values["service_id"])
        if service is None or values["fee_kes"] != service["fee_kes"]:
            raise KitRefused("application: the fee is not the service's official fee")
        if values["status"] != "received":
            raise KitRefused("application: a kit receives an application, the back office moves it")
        if values["created_by_id"] not in (None, *kit.officer_ids):
            raise KitRefused("application: received by an officer who did not come with this kit")
        return
    changed = write.changed()
    if changed & FIXED:
        raise KitRefused(f"application: {min(changed & FIXED)} is set once, when it is received")
    before = write.current.status
    if "status" in changed and values["status"] not in TRANSITIONS.get(before, ()):
        raise KitRefused(f"application: {before} cannot move to {values['status']}")


def _event(write: KitWrite) -> None:
    if not write.creating:
        raise KitRefused("application event: events are never changed")
    if not write.kit.made(Application, write.values["application_id"]):
        raise KitRefused("application event: of an application this kit did not receive")


def applications_received_on_kit(writes: list[KitWrite]) -> None:
    Application._base_manager.bulk_create(instances(Application, writes))


def application_moved_on_kit(write: KitWrite) -> None:
    Application._base_manager.filter(pk=write.record_id).update(**write.values)


def application_events_from_kit(writes: list[KitWrite]) -> None:
    ApplicationEvent._base_manager.bulk_create(instances(ApplicationEvent, writes))


def _referral(write: KitWrite) -> None:
    """A citizen sent from the tent to an MDA's office: a follow-up the centre closes."""
    values, kit = write.values, write.kit
    if not write.creating:
        raise KitRefused("referral: its follow-up is closed at the centre")
    service = kit.row(Service, values["service_id"])
    if service is None or service["mda_id"] != values["mda_id"]:
        raise KitRefused("referral: not to the office of the service's MDA")
    if values["created_by_id"] not in kit.officer_ids:
        raise KitRefused("referral: by an officer who did not come with this kit")
    if values["ticket_id"] is not None and not kit.made(Ticket, values["ticket_id"]):
        raise KitRefused("referral: for a ticket this kit did not issue")
    if values["status"] != Referral.Status.OPEN or values["closed_at"] or values["outcome"]:
        raise KitRefused("referral: a kit records a referral, the centre follows it up")


def referrals_made_on_kit(writes: list[KitWrite]) -> None:
    """Stored with the office address the server holds for the MDA (the one its SMS gives),
    not the kit's copy of it."""
    referrals = instances(Referral, writes)
    mdas = MDA.objects.in_bulk({r.mda_id for r in referrals})
    for referral in referrals:
        referral.address = _mda_address(mdas[referral.mda_id])[:300]
        referral.closed_by_id = None
    Referral._base_manager.bulk_create(referrals)


def register_rules() -> None:
    register(
        "applications.Application",
        _application,
        create=applications_received_on_kit,
        change=application_moved_on_kit,
        arrived=applications_from_kit,
    )
    register("applications.ApplicationEvent", _event, create=application_events_from_kit)
    register(
        "applications.Referral",
        _referral,
        create=referrals_made_on_kit,
        arrived=referrals_from_kit,
    )

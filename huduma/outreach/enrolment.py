"""Registering a field kit for an outreach, enrolling it (its one-time code for a token), and
recognising it (or refusing it, revoked) at each contact."""

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.accounts import devices
from huduma.accounts.models import Device, User
from huduma.core import audit, clock, idempotency
from huduma.core.errors import Conflict, DomainError, Forbidden
from huduma.outreach.letters import ticket_letter_free
from huduma.outreach.plan_models import Outreach
from huduma.outreach.selectors import KIT_OUTREACH_STATUSES
from huduma.outreach.sync_models import (
    FieldKit,
    RefusedPush,
)
from huduma.places.models import Centre


class UnknownKit(DomainError):
    status = 401
    code = "unknown_kit"


class KitRevoked(Forbidden):
    code = "kit_revoked"


# --- registering and enrolling a kit ---------------------------------------------------------


def _going(outreach: Outreach, officers: list) -> list:
    """The officers a kit for `outreach` takes: those its plan sends, or some of them."""
    planned = list(
        User.objects.filter(outreach_assignments__outreach=outreach)
        .distinct()
        .order_by("first_name", "username")
    )
    if not officers:
        if not planned:
            raise DomainError(
                _("The plan of this outreach sends no officer yet: assign them first."),
                field="officers",
            )
        return planned
    others = [o for o in officers if o not in planned]
    if others:
        raise DomainError(
            _("%(name)s is not going to this outreach: choose among the officers its plan sends.")
            % {"name": others[0].get_full_name() or others[0].username},
            field="officers",
        )
    return officers


def field_kit_register(
    *,
    centre: Centre,
    name: str,
    officers=(),
    outreach: Outreach | None = None,
    actor,
    registration_key: str | None = None,
) -> tuple[FieldKit, str]:
    """Register a kit for a coming outreach of the centre (agreed or announced), with the
    officers its plan sends (all of them unless some are chosen); returns it and its one-time
    enrolment code (also shown as a QR code). The first kit of an outreach numbers its tickets
    with the outreach's letter, a second one with a free letter of its own. A kit with no
    outreach (tests, benches) takes a letter no coming outreach or live kit holds."""
    officers = list(officers)
    for officer in officers:
        if officer.centre_id != centre.pk or not officer.is_active:
            raise Forbidden(_("Choose officers of this centre."), field="officers")
    if outreach is None and not officers:
        raise DomainError(_("Choose the officers going."), field="officers")
    with transaction.atomic():
        Centre.objects.select_for_update().get(pk=centre.pk)
        dates = None
        prefix = ""
        if outreach is not None:
            outreach = Outreach.objects.select_for_update().get(pk=outreach.pk)
            dates = list(outreach.days.values_list("date", flat=True))
            if (
                outreach.centre_id != centre.pk
                or outreach.status not in KIT_OUTREACH_STATUSES
                or not dates
                or max(dates) < clock.local_date()
            ):
                raise Conflict(
                    _("A kit goes to a coming outreach of this centre, agreed or announced."),
                    field="outreach",
                )
            officers = _going(outreach, officers)
            # Only the outreach's first kit ever takes its letter: a lost kit's replacement
            # must not number again tickets the lost one may have synced.
            if not FieldKit.objects.filter(
                outreach=outreach, ticket_prefix=outreach.ticket_prefix
            ).exists():
                prefix = outreach.ticket_prefix
        prefix = prefix or ticket_letter_free(centre, dates)
        device, code = devices.device_register(
            centre=centre, kind=Device.Kind.FIELD_KIT, name=name, actor=actor
        )
        kit = FieldKit.objects.create(
            device=device,
            node_id=str(device.pk),
            ticket_prefix=prefix,
            outreach=outreach,
            registration_key=registration_key,
        )
        kit.officers.set(officers)
    return kit, code


@dataclass(frozen=True)
class KitRegistered:
    """A registration answered: the kit, its one-time enrolment code, and whether this was the
    same form sent again (the code is then a fresh one: the first no longer works)."""

    kit: FieldKit
    code: str
    repeated: bool = False


def field_kit_register_once(*, request_key: str | None, actor, **request) -> KitRegistered:
    """`field_kit_register` for a form that may arrive twice (a double click, a retry after a
    lost answer): the same `request_key` again finds the kit the first one made and gives it a
    fresh code (only the answer shown last has a code that works, so the manager never holds a
    dead one), unless the kit has enrolled meanwhile. Two at once: the device name's unique
    constraint lets one register; the other then finds it by its key."""
    key = idempotency.key_checked(request_key, field="request_key")
    if key is not None:
        again = _registered_with(key, actor)
        if again is not None:
            return again
    try:
        kit, code = field_kit_register(actor=actor, registration_key=key, **request)
    except Conflict:
        # The same form at the same moment: the centre's lock made it wait for the first,
        # whose kit (and key) it now finds.
        again = _registered_with(key, actor) if key is not None else None
        if again is None:
            raise
        return again
    return KitRegistered(kit=kit, code=code)


def _registered_with(key: str, actor) -> KitRegistered | None:
    kit = (
        FieldKit.objects.select_related("device")
        .filter(registration_key=key, device__created_by=actor)
        .first()
    )
    if kit is None:
        return None
    return KitRegistered(kit=kit, code=field_kit_code_reissue(kit=kit, actor=actor), repeated=True)


def field_kit_code_reissue(*, kit: FieldKit, actor) -> str:
    """A fresh one-time enrolment code for a kit not enrolled yet (its code lost, expired, or
    shown to a page the manager closed); the earlier code stops working."""
    if kit.enrolled_at is not None:
        raise Conflict(
            _("%(name)s is already enrolled: register a new kit to replace it.")
            % {"name": kit.device.name},
            field="name",
        )
    return devices.device_pairing_code_issue(device=kit.device, actor=actor)


@transaction.atomic
def field_kit_enroll(*, code: str) -> tuple[FieldKit, str]:
    """The kit exchanges its one-time code for its token (returned once)."""
    device, token = devices.device_pair(code=code)
    kit = FieldKit.objects.select_for_update().filter(device=device).first()
    if device.kind != Device.Kind.FIELD_KIT or kit is None:
        raise Forbidden(_("This code is not for a field kit."), field="code")
    kit.token_hash = devices.digest(token)
    kit.enrolled_at = clock.now()
    kit.save(update_fields=["token_hash", "enrolled_at"])
    audit.record(action="outreach.kit_enrolled", instance=device)
    return kit, token


def kit_authenticate(
    *, token: str | None, request_body: bytes = b"", address: str = ""
) -> FieldKit:
    """The enrolled kit holding `token`. A revoked (or replaced) kit is refused and the attempt
    is recorded for the centre to see; an unknown token is refused as unauthenticated."""
    kit = None
    if token:
        kit = (
            FieldKit.objects.select_related("device__centre")
            .filter(token_hash=devices.digest(token))
            .first()
        )
    if kit is None:
        raise UnknownKit(_("This field kit is not enrolled here."), field="device")
    device = kit.device
    if device.status != Device.Status.ACTIVE or device.token_hash != kit.token_hash:
        records = 0
        try:
            body = json.loads(request_body or b"{}")
            if isinstance(body, dict) and isinstance(body.get("items"), list):
                records = len(body["items"])
        except (ValueError, RecursionError):
            pass
        RefusedPush.objects.create(
            kit=kit, at=clock.now(), address=address[:64], records=min(records, 10**6)
        )
        raise KitRevoked(
            _("This field kit was revoked; its records are not accepted."), field="device"
        )
    return kit

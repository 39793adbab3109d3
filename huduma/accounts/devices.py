"""Registered devices: register, pair with a one-time code, authenticate, revoke.

A device is paired once: a Centre Manager creates a short-lived one-time code (also shown as a
QR code of the pairing URL), the device exchanges it for a long random token, and from then on
sends that token (an HttpOnly cookie for pages, `Authorization: Device <token>` for the API).
Only digests of codes and tokens are stored. Feedback tablets use it today; kiosks and the
outreach field kits are the same kind of record.
"""

import datetime as dt
import hashlib
import secrets
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.shortcuts import render
from django.utils.translation import gettext as _

from huduma.accounts.models import Device
from huduma.core import audit, clock
from huduma.core.errors import Conflict, DomainError, Forbidden
from huduma.core.throttle import target_check, target_missed
from huduma.places.models import Centre, Counter

PAIRING_CODE_TTL = dt.timedelta(minutes=10)
# Eight characters from 31 that cannot be misread (no 0/O, 1/I/L): 31**8 ~ 8.5e11 codes, each
# valid ten minutes and for one use. Only wrong codes are counted: per address (so a centre
# pairing thirty tablets from its one address is never stopped) and nationwide, whatever the
# address, with a ceiling far below what guessing one of ~1e12 codes would take.
PAIRING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PAIRING_CODE_LENGTH = 8
# Last-seen is written at most this often, so a tablet polling every 2 s costs no write.
LAST_SEEN_EVERY = dt.timedelta(minutes=1)
COOKIE_NAME = "huduma_device"
# The cookie outlives any tablet; revocation, not expiry, is what ends a pairing.
COOKIE_MAX_AGE = dt.timedelta(days=5 * 365)
HEADER_SCHEME = "Device"
PAIRING_WINDOW_S = 600
PAIRING_WRONG_PER_SOURCE = 20
PAIRING_WRONG_NATIONWIDE = 200


class DeviceNotRegistered(Forbidden):
    code = "device_not_registered"


class PairingCodeInvalid(DomainError):
    code = "pairing_code_invalid"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(PAIRING_ALPHABET) for _i in range(PAIRING_CODE_LENGTH))


def device_register(
    *, centre: Centre, kind: str, name: str, counter: Counter | None = None, actor
) -> tuple[Device, str]:
    """Register a device and give it its first pairing code (returned once, never stored)."""
    if counter is not None and counter.centre_id != centre.pk:
        raise Forbidden(_("This counter belongs to another centre."), field="counter")
    if kind not in Device.Kind.values:
        raise DomainError(_("Choose the kind of device."), field="kind")
    if kind == Device.Kind.FEEDBACK_TABLET and counter is None:
        raise DomainError(_("A feedback tablet faces one counter: choose it."), field="counter")
    try:
        with transaction.atomic():
            device = Device.objects.create(
                centre=centre, kind=kind, name=name.strip(), counter=counter, created_by=actor
            )
            code = _set_pairing_code(device)
            audit.record(action="device.registered", instance=device, actor=actor)
    except IntegrityError:
        raise Conflict(
            _("This centre already has a device with this name."), field="name"
        ) from None
    return device, code


def _set_pairing_code(device: Device) -> str:
    code = _new_code()
    device.pairing_code_hash = digest(code)
    device.pairing_expires_at = clock.now() + PAIRING_CODE_TTL
    device.save(update_fields=["pairing_code_hash", "pairing_expires_at"])
    return code


@transaction.atomic
def device_pairing_code_issue(*, device: Device, actor) -> str:
    """A fresh one-time code (a replaced tablet, or an expired code). Pairing with it replaces
    the device's token, so the old tablet stops working."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status == Device.Status.REVOKED:
        raise Conflict(_("This device has been revoked; register a new one."), field="device")
    code = _set_pairing_code(device)
    audit.record(action="device.pairing_code", instance=device, actor=actor)
    return code


@transaction.atomic
def device_pair(*, code: str, source: str = "") -> tuple[Device, str]:
    """Exchange a one-time code for the device's long-lived token (returned once). `source`
    (the client's address) has its own count of wrong codes."""
    too_many = _("Too many wrong pairing codes. Please wait a few minutes and try again.")
    target_check("pairing", "*", limit=PAIRING_WRONG_NATIONWIDE, message=too_many, field="code")
    if source:
        target_check(
            "pairing-source", source, limit=PAIRING_WRONG_PER_SOURCE, message=too_many, field="code"
        )
    code_hash = digest(normalise_code(code))
    now = clock.now()
    token = secrets.token_urlsafe(32)
    # One conditional UPDATE: of two requests with the same code, exactly one wins.
    claimed = Device.objects.filter(
        pairing_code_hash=code_hash,
        pairing_expires_at__gt=now,
        status__in=[Device.Status.PENDING, Device.Status.ACTIVE],
    ).update(
        pairing_code_hash=None,
        pairing_expires_at=None,
        token_hash=digest(token),
        status=Device.Status.ACTIVE,
        paired_at=now,
        last_seen_at=now,
    )
    if claimed != 1:
        target_missed("pairing", "*", window_s=PAIRING_WINDOW_S)
        if source:
            target_missed("pairing-source", source, window_s=PAIRING_WINDOW_S)
        raise PairingCodeInvalid(
            _("This pairing code is wrong, expired or already used. Ask for a new one."),
            field="code",
        )
    device = Device.objects.select_related("centre", "counter").get(token_hash=digest(token))
    audit.record(action="device.paired", instance=device)
    return device, token


@transaction.atomic
def device_revoke(*, device: Device, actor) -> Device:
    device = Device.objects.select_for_update().get(pk=device.pk)
    device.status = Device.Status.REVOKED
    device.token_hash = None
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    device.revoked_at = clock.now()
    device.save(
        update_fields=[
            "status",
            "token_hash",
            "pairing_code_hash",
            "pairing_expires_at",
            "revoked_at",
        ]
    )
    audit.record(action="device.revoked", instance=device, actor=actor)
    return device


def device_authenticate(*, token: str | None, kind: str | None = None) -> Device:
    """The active device holding `token`, or DeviceNotRegistered (403)."""
    device = None
    if token:
        device = (
            Device.objects.select_related("centre", "counter")
            .filter(token_hash=digest(token), status=Device.Status.ACTIVE)
            .first()
        )
    if device is None:
        raise DeviceNotRegistered(
            _("This device is not registered, or its registration was revoked."), field="device"
        )
    if kind is not None and device.kind != kind:
        raise DeviceNotRegistered(_("This device is not registered for this use."), field="device")
    now = clock.now()
    if device.last_seen_at is None or device.last_seen_at < now - LAST_SEEN_EVERY:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device


def token_from_request(request) -> str | None:
    """The token from `Authorization: Device <token>` (API) or the device cookie (pages)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme == HEADER_SCHEME and value.strip():
        return value.strip()
    return request.COOKIES.get(COOKIE_NAME) or None


def device_from_request(request, *, kind: str | None = None) -> Device:
    return device_authenticate(token=token_from_request(request), kind=kind)


def device_required(kind: str | None = None):
    """Page decorator: the view gets `request.device`; an unknown or revoked device gets a
    403 page saying so (and how to pair it), never a staff sign-in form."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                request.device = device_from_request(request, kind=kind)
            except DeviceNotRegistered as exc:
                response = render(
                    request, "accounts/device_refused.html", {"reason": exc.message}, status=403
                )
                response.delete_cookie(COOKIE_NAME)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def set_device_cookie(response, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(COOKIE_MAX_AGE.total_seconds()),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )

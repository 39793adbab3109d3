"""Device API: a device exchanges its one-time pairing code for its token."""

from ninja import Router, Schema, Status
from ninja.decorators import decorate_view

from huduma.accounts import devices
from huduma.core.throttle import throttle_writes

router = Router(tags=["devices"])


class PairIn(Schema):
    code: str


class DeviceOut(Schema):
    id: str
    kind: str
    name: str
    centre: str
    counter: int | None


class PairOut(Schema):
    token: str
    device: DeviceOut


def device_out(device) -> DeviceOut:
    return DeviceOut(
        id=str(device.pk),
        kind=device.kind,
        name=device.name,
        centre=device.centre.code,
        counter=device.counter.number if device.counter_id else None,
    )


@router.post("/pair", response={201: PairOut}, summary="Pair a device with its one-time code")
@decorate_view(throttle_writes("device-pair", limit=20, window_s=600, json=True))
def pair(request, body: PairIn):
    """Returns the device's token once: send it as `Authorization: Device <token>`."""
    device, token = devices.device_pair(code=body.code)
    return Status(201, PairOut(token=token, device=device_out(device)))


@router.get("/me", response=DeviceOut, summary="The device this token belongs to")
def me(request):
    return device_out(devices.device_from_request(request))

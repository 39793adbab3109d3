"""Device API: a device exchanges its one-time pairing code for its token."""

from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader
from pydantic import Field

from huduma.accounts import devices
from huduma.core.throttle import client_address

router = Router(tags=["devices"])


class DeviceAuth(APIKeyHeader):
    """A registered device: `Authorization: Device <token>` (or its paired cookie). Declared as
    the operation's security, so the OpenAPI documents the 401/403 a device can get; an unknown
    or revoked device gets a 403 `device_not_registered` naming why."""

    param_name = "Authorization"

    def __init__(self, kind: str | None = None):
        self.kind = kind
        super().__init__()

    def _get_key(self, request):
        return request.headers.get("Authorization")

    def authenticate(self, request, key):
        return devices.device_from_request(request, kind=self.kind)


device_auth = DeviceAuth()


class PairIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)


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
def pair(request, body: PairIn):
    """Returns the device's token once: send it as `Authorization: Device <token>`. Wrong codes
    are limited per address and nationwide (devices.device_pair), right ones never."""
    device, token = devices.device_pair(code=body.code, source=client_address(request))
    return Status(201, PairOut(token=token, device=device_out(device)))


@router.get("/me", response=DeviceOut, auth=device_auth, summary="The device this token belongs to")
def me(request):
    return device_out(request.auth)

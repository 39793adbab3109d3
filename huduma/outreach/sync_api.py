"""Field-kit sync over the JSON API: enrol with a one-time code, pull what the kit needs
offline, push batches of records, read what the server holds.

Every kit call but enrolment sends `Authorization: Device <token>`. An unknown token gets 401
`unknown_kit`; a revoked kit gets 403 `kit_revoked`, and the attempt is shown to the centre.
"""

from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.responses import Status
from ninja.security import APIKeyHeader

from huduma.accounts import devices
from huduma.core.throttle import client_address, throttle_writes
from huduma.outreach import enrolment, sync_audit, sync_pull, sync_push, sync_selectors

router = Router(tags=["outreach"])


class KitAuth(APIKeyHeader):
    """An enrolled field kit: `Authorization: Device <token>`."""

    param_name = "Authorization"

    def _get_key(self, request):
        return request.headers.get("Authorization")

    def authenticate(self, request, key):
        return enrolment.kit_authenticate(
            token=devices.token_from_request(request),
            request_body=request.body if request.method == "POST" else b"",
            address=client_address(request),
        )


kit_auth = KitAuth()


class EnrollIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)


class KitOut(Schema):
    node_id: str
    ticket_prefix: str
    outreach: int | None = Field(None, description="The outreach the kit is enrolled for")
    centre: str


class EnrollOut(Schema):
    token: str
    kit: KitOut


class SnapshotOut(Schema):
    node_id: str
    ticket_prefix: str
    outreach: dict | None = Field(
        None, description="The plan of the kit's outreach (days, hours, venue, services, officers)"
    )
    centre: str
    catalogue_version: str
    changed: bool
    officers: list[str]
    objects: list[dict]


class PushIn(Schema):
    pending: int = Field(
        0, ge=0, le=10**9, description="Changes the kit still holds after this batch"
    )
    # Any JSON per item: a malformed record is refused on its own, not with the whole batch.
    items: list[Any] = Field(..., max_length=sync_push.MAX_BATCH)


class ItemResult(Schema):
    n: int
    seq: int | None = None
    id: str | None = None
    outcome: str
    reason: str | None = None


class PushOut(Schema):
    acked_seq: int = Field(description="The highest sequence number of this batch now held")
    counts: dict[str, int]
    results: list[ItemResult]


HASH = r"^[0-9a-f]{64}$"


class AuditEntryIn(Schema):
    """One entry of the kit's own audit chain, its hashed fields as the kit holds them."""

    id: int = Field(..., ge=1, le=2**62)
    at: str = Field(..., min_length=1, max_length=40, description="ISO 8601 with its zone")
    actor: int | None = Field(None, ge=1, le=2**62)
    actor_label: str = Field("", max_length=150)
    action: str = Field(..., min_length=1, max_length=64)
    object_type: str = Field("", max_length=100)
    object_id: str = Field("", max_length=64)
    object_repr: str = Field("", max_length=200)
    before: dict | None = None
    after: dict | None = None
    prev_hash: str = Field(..., max_length=64, pattern=HASH)
    hash: str = Field(..., max_length=64, pattern=HASH)


class AuditIn(Schema):
    entries: list[AuditEntryIn] = Field(..., max_length=sync_audit.MAX_ENTRIES)


class AuditOut(Schema):
    acked_id: int = Field(description="The highest entry id of this report now held")
    stored: int
    duplicate: int
    unverified: int = Field(description="Entries whose hash or link did not check out")
    breaks: int = Field(description="Places where the kit's chain did not link")


class StatusOut(Schema):
    received: int
    highest_seq: int
    gaps: list[list[int]]
    # With ?after=N: the server's (sequence number, record id) of each change above N, so a
    # kit restored from an old copy finds where its log went another way (kit.kit_rebase).
    log: list[list[Any]] | None = None
    # The last ticket number the server holds under the kit's letter, per recent day.
    numbers: dict[str, int] | None = None


def kit_out(kit) -> KitOut:
    return KitOut(
        node_id=kit.node_id,
        ticket_prefix=kit.ticket_prefix,
        outreach=kit.outreach_id,
        centre=kit.device.centre.code,
    )


@router.post("/kits/enroll", response={201: EnrollOut}, summary="Enrol a field kit")
@decorate_view(throttle_writes("kit-enroll", limit=20, window_s=600, json=True))
def enroll(request, body: EnrollIn):
    """Exchange the one-time code shown at the centre for the kit's token (returned once)."""
    kit, token = enrolment.field_kit_enroll(code=body.code)
    return Status(201, EnrollOut(token=token, kit=kit_out(kit)))


@router.get(
    "/kits/snapshot",
    response=SnapshotOut,
    auth=kit_auth,
    summary="What the kit needs offline: the plan, catalogue, centre, counters, officers",
)
def snapshot(request, since: str = Query("", max_length=400)):
    """`objects` is empty when the catalogue and the plan are still at the version `since`;
    `outreach` (the plan) comes every time."""
    return sync_pull.kit_snapshot(kit=request.auth, since=since)


@router.post("/sync/push", response=PushOut, auth=kit_auth, summary="Push a batch of records")
def push(request, body: PushIn):
    """Each record: {model, id, node_id, node_seq, seq, hash, fields}. Each is answered on its
    own (stored, updated, duplicate, stale, conflict or rejected with its reason)."""
    result = sync_push.batch_receive(kit=request.auth, items=body.items, pending=body.pending)
    return PushOut(acked_seq=result.acked_seq, counts=result.counts, results=result.results)


@router.get(
    "/sync/status",
    response=StatusOut,
    auth=kit_auth,
    exclude_none=True,
    summary="What the server holds",
)
def status(request, after: int | None = Query(None, ge=0, le=2**62)):
    kit = request.auth
    received, highest = sync_selectors.kit_received(kit.node_id)
    gaps = [[a, b] for a, b in sync_selectors.kit_gaps(kit.node_id)]
    answer = StatusOut(received=received, highest_seq=highest, gaps=gaps)
    if after is not None:
        answer.log = sync_selectors.kit_log(kit.node_id, after=after)
        answer.numbers = sync_selectors.kit_last_numbers(kit)
    return answer


def per_kit_token(request) -> str:
    """A kit counts on its own (by its token), whatever address it reaches us from."""
    token = devices.token_from_request(request)
    return f"kit:{devices.digest(token)[:16]}" if token else f"addr:{client_address(request)}"


@router.post(
    "/sync/audit",
    response=AuditOut,
    auth=kit_auth,
    summary="Report the kit's audit entries (sign-ins, failed sign-ins, changes)",
)
# A kit's day makes a few dozen entries; 30 reports of 500 a minute is far more than any kit
# needs and keeps a stolen token from flooding the server's chain.
@decorate_view(throttle_writes("kit-audit", limit=30, window_s=60, json=True, key=per_kit_token))
def audit_report(request, body: AuditIn):
    """Each entry is appended to the server's audit chain once (by the kit's hash), as
    "kit.<action>", with the kit's time, id, hash and link kept beside it."""
    answer = sync_audit.kit_audit_receive(
        kit=request.auth,
        entries=[sync_audit.KitAuditEntry(**entry.dict()) for entry in body.entries],
    )
    return AuditOut(
        acked_id=answer.acked_id,
        stored=answer.stored,
        duplicate=answer.duplicate,
        unverified=answer.unverified,
        breaks=answer.breaks,
    )

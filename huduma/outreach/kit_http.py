"""The field kit's side of the wire: how big a batch, how long to wait, and one request to the
server (an answer, KitOffline when the link broke or the server failed, KitRefused when it
said no). Split from kit.py, which names these as before."""

import http.client
import json
import urllib.parse

# A batch stays well under the server's request limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 256 KB).
BATCH_MAX_RECORDS = 200
BATCH_MAX_BYTES = 180 * 1024
# Batches are sized by bytes for the link measured: the first is small (8 KB: 4 s at 2 KB/s),
# each next one about BATCH_TARGET_S seconds of what the last request achieved, growing at
# most fourfold a batch. A fixed 124 KB batch under a fixed 30 s timeout never completed on a
# 3 KB/s uplink (41 s to send); now a 2 KB/s link moves ~20 KB batches, each acknowledged.
BATCH_FIRST_BYTES = 8 * 1024
BATCH_MIN_BYTES = 2 * 1024
BATCH_TARGET_S = 10.0
# The slowest link planned for before anything is measured (bytes per second).
LINK_FLOOR_BPS = 1024
# The server's own time to answer; a request's timeout adds twice its sending time at the rate
# measured (or at LINK_FLOOR_BPS), so the timeout grows with the link instead of cutting it.
TIMEOUT_S = 30


def request_timeout(size: int, rate_bps: float | None) -> float:
    return TIMEOUT_S + 2 * size / max(rate_bps or LINK_FLOOR_BPS, 1)


def next_batch_bytes(current: int, rate_bps: float | None) -> int:
    if not rate_bps:
        return current
    wanted = int(rate_bps * BATCH_TARGET_S)
    return max(BATCH_MIN_BYTES, min(wanted, current * 4, BATCH_MAX_BYTES))


class KitError(Exception):
    """The kit cannot go on: not enrolled, refused by the server."""


class KitOffline(KitError):
    """No connection to the server (or it broke mid-way): try again later."""


class KitRefused(KitError):
    def __init__(self, status: int, body: dict):
        super().__init__(f"HTTP {status}: {body.get('detail', body)}")
        self.status = status
        self.body = body


def _request(
    server: str,
    method: str,
    path: str,
    *,
    token: str = "",
    body=None,
    data: bytes | None = None,
    timeout: float = TIMEOUT_S,
) -> dict:
    url = urllib.parse.urlsplit(server)
    conn_class = (
        http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    )
    conn = conn_class(url.hostname, url.port, timeout=timeout)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Device {token}"
    if body is not None:
        data = json.dumps(body, separators=(",", ":")).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, url.path.rstrip("/") + path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise KitOffline(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
    try:
        payload = json.loads(raw or b"{}")
    except ValueError as exc:
        if response.status >= 500 or response.status in (502, 503, 504):
            raise KitOffline(f"HTTP {response.status}") from exc
        raise KitRefused(response.status, {"detail": raw[:200].decode(errors="replace")}) from exc
    if response.status >= 500:
        raise KitOffline(f"HTTP {response.status}")
    if response.status >= 400:
        raise KitRefused(response.status, payload if isinstance(payload, dict) else {})
    return payload

"""Property-based fuzzing of the whole API with schemathesis: no input gets a 5xx, every
response matches the documented schema and every status code is documented.

The app runs in-process (WSGI) in the test's database transaction, on PostgreSQL or SQLite,
for every operation twice: anonymous, and signed in as bob (Centre Manager at GPO Nairobi,
counter 1 open) with a real session cookie and CSRF token, so the fuzzer gets past 401 and
403 to the queue actions. A fixed seed, derandomised generation and a bounded number of
examples keep it deterministic and within about a minute or two.
"""

import os

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from huduma.api import api
from huduma.queues import services

pytestmark = pytest.mark.django_db

SEED = 20261126
# Per operation and phase; raise it for a deeper local run: HUDUMA_FUZZ_EXAMPLES=500 make test
MAX_EXAMPLES = int(os.environ.get("HUDUMA_FUZZ_EXAMPLES", "25"))
# A fixed CSRF secret: Django accepts the unmasked cookie value in the X-CSRFToken header.
CSRF = "k" * 32
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(),
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["all"],
            # Half the time a real centre, service or phone of the test world, so the fuzzer
            # also reaches the logic behind "there is no centre ..." with the rest random.
            "dictionaries": {
                "centres": {"values": ["gpo-nairobi", "kisumu"]},
                "services": {"values": ["NRB-ID-DUPLICATE", "NHIF-REGISTRATION", "KRA-PIN"]},
                "phones": {"values": ["0712345678", "+254722000111"]},
                "tokens": {"values": ["test-callback-token"]},  # settings_test's secret
                "c2b": {"values": ["testc2bsecret"]},  # settings_test's MPESA_C2B_SECRET
            },
            "parameters": {
                "path.code": {"dictionary": "centres", "probability": 0.5},
                "query.service": {"dictionary": "services", "probability": 0.5},
                "body.service": {"dictionary": "services", "probability": 0.5},
                "body.services[*]": {"dictionary": "services", "probability": 0.5},
                "body.phone": {"dictionary": "phones", "probability": 0.5},
                "body.from": {"dictionary": "phones", "probability": 0.5},
                "query.token": {"dictionary": "tokens", "probability": 0.5},
                "path.secret": {"dictionary": "c2b", "probability": 0.5},
            },
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # The session cookie is the caller's (below), not a random string.
                "with-security-parameters": False,
            },
        }
    ),
)
schema.app = WSGIHandler()


@pytest.fixture(autouse=True)
def in_process():
    """Answer in the test's thread, connection and transaction: like Django's test client,
    keep the end of each request from closing the connection (and the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "bob"])
def caller(request, world, client) -> dict:
    """The caller's cookies and headers: nobody, or bob with counter 1 open."""
    cookies = {"csrftoken": CSRF}
    if request.param == "bob":
        client.force_login(world.bob)
        services.counter_open(counter=world.counters[("gpo-nairobi", 1)], officer=world.bob)
        cookies["sessionid"] = client.cookies["sessionid"].value
    # identity: schemathesis' WSGI transport would not decode a gzipped answer as an HTTP
    # client does (huduma.core.compression gzips JSON for clients that accept it).
    return {"cookies": cookies, "headers": {"X-CSRFToken": CSRF, "Accept-Encoding": "identity"}}


@pytest.fixture
def real_ids(world) -> dict:
    """Ids of rows that exist: waiting tickets at GPO and the counters that serve them."""
    visits = [
        services.visit_issue(
            centre=world.gpo, services=[service], channel="reception", requirements_confirmed=True
        )
        for service in (world.id_dup, world.nhif_reg, world.kra_pin)
    ]
    return {
        "counter_id": [c.pk for c in world.counters.values()],
        "counter": [c.pk for c in world.counters.values()],
        "visit_id": [str(v.pk) for v in visits],
        "ticket_id": [str(t.pk) for v in visits for t in v.tickets.all()],
    }


def aim_at_real_rows(case, real_ids: dict) -> None:
    """Random ids almost never exist: replace about half of them by ids that do, chosen from
    the generated value itself, so that the run stays deterministic."""
    for container in (case.path_parameters, case.body):
        if not isinstance(container, dict):
            continue
        for name, choices in real_ids.items():
            value = container.get(name)
            if value is not None and not isinstance(value, (dict, list)):
                pick = sum(str(value).encode())
                if pick % 2 == 0:
                    container[name] = choices[pick // 2 % len(choices)]


@schema.parametrize()
def test_api_answers_every_input_as_documented(case, caller, real_ids):
    aim_at_real_rows(case, real_ids)
    case.call_and_validate(headers=caller["headers"], cookies=caller["cookies"], checks=CHECKS)


# Every write, with every kind of body and every kind of credential: the body kinds a client can
# get wrong (a form or multipart to a JSON operation was a 500) are answered as documented.
BODIES = {
    "json": {"content_type": "application/json", "data": '{"f": "0123456789", "services": [1]}'},
    "form": {"content_type": "application/x-www-form-urlencoded", "data": "f=0123456789"},
    "multipart": {"data": {"f": "0123456789"}},  # the test client's default: multipart
    "multipart-file": {"data": {"f": SimpleUploadedFile("f.csv", b"=1+2,@SUM(A1)\n")}},
}
PATH_VALUES = {"code": "gpo-nairobi", "secret": "testc2bsecret", "token": "test-callback-token"}


def write_operations():
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                yield path, method, operation


@pytest.fixture(params=["anonymous", "session", "device", "kit", "open311"])
def credential(request, world, client) -> dict:
    """Extra request headers (and client state) for one kind of caller."""
    from huduma.complaints.services import api_client_create
    from tests.conftest import pair_device
    from tests.outreach_helpers import Kit

    client.cookies["csrftoken"] = CSRF
    headers = {"HTTP_X_CSRFTOKEN": CSRF, "HTTP_ACCEPT_ENCODING": "identity"}
    if request.param == "session":
        client.force_login(world.bob)
    elif request.param == "device":
        headers["HTTP_AUTHORIZATION"] = f"Device {pair_device(world, world.gpo, 'kiosk')}"
    elif request.param == "kit":
        headers.update(Kit(world).headers)
    elif request.param == "open311":
        headers["QUERY_STRING"] = f"api_key={api_client_create(name='Civic app')[1]}"
    return headers


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_every_write_answers_every_body_kind_as_documented(client, world, credential, kind):
    client.raise_request_exception = False
    for path, method, operation in write_operations():
        url = "/api" + path
        for name in [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]:
            url = url.replace("{" + name + "}", PATH_VALUES.get(name, "1"))
        body = dict(BODIES[kind])
        if isinstance(body["data"], dict):
            body["data"] = {
                k: (SimpleUploadedFile(v.name, b"=1+2,@SUM(A1)\n") if hasattr(v, "name") else v)
                for k, v in body["data"].items()
            }
        response = getattr(client, method)(url, **body, **credential)
        status = response.status_code
        where = f"{method.upper()} {url} ({kind})"
        assert status < 500, f"{where}: {status} {response.content[:300]!r}"
        assert str(status) in operation["responses"], f"{where}: {status} undeclared"
        if (
            kind != "json"
            and "application/json" in operation.get("requestBody", {}).get("content", {})
            and status not in (401, 403, 404, 429)
        ):
            assert status == 415, f"{where}: {status} {response.content[:300]!r}"

    # Open311 (Django views, not the JSON API) takes forms; multipart and JSON are answered too.
    data = BODIES[kind]["data"]
    if isinstance(data, dict):
        data = {
            k: (SimpleUploadedFile("f.csv", b"x") if hasattr(v, "name") else v)
            for k, v in data.items()
        }
    body = {**BODIES[kind], "data": data}
    response = client.post("/open311/v2/requests.json", **body, **credential)
    assert 400 <= response.status_code < 500, response.content[:300]


# The device and kit endpoints with their own credentials: a paired feedback tablet's token,
# and an enrolled field kit's. Anonymous or signed-in callers only ever reach their 401.
device_schema = schema.include(path_regex=r"^/api/(devices/|feedback/)")
kit_schema = schema.include(path_regex=r"^/api/outreach/(kits|sync)/")


def _with_token(token: str) -> dict:
    return {"Authorization": f"Device {token}", "Accept-Encoding": "identity"}


@pytest.fixture
def tablet_token(world) -> str:
    from huduma.accounts import devices
    from tests.feedback_helpers import paired_tablet

    token = paired_tablet(world, world.counters[("gpo-nairobi", 1)])[1]
    devices.device_authenticate(token=token)  # a working token: the fuzzer gets past the 401
    return token


@pytest.fixture
def kit_token(world) -> str:
    from huduma.outreach import enrolment
    from tests.outreach_helpers import Kit

    token = Kit(world).token
    enrolment.kit_authenticate(token=token)  # a working token: the fuzzer gets past the 401
    return token


@device_schema.parametrize()
def test_device_endpoints_answer_every_input_as_documented(case, tablet_token, real_ids):
    aim_at_real_rows(case, real_ids)
    case.call_and_validate(headers=_with_token(tablet_token), checks=CHECKS)


@kit_schema.parametrize()
def test_kit_endpoints_answer_every_input_as_documented(case, kit_token, real_ids):
    aim_at_real_rows(case, real_ids)
    case.call_and_validate(headers=_with_token(kit_token), checks=CHECKS)

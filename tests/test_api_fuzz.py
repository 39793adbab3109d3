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
    """The caller's headers: nobody, or bob with counter 1 open."""
    cookie = f"csrftoken={CSRF}"
    if request.param == "bob":
        client.force_login(world.bob)
        services.counter_open(counter=world.counters[("gpo-nairobi", 1)], officer=world.bob)
        cookie += f"; sessionid={client.cookies['sessionid'].value}"
    return {"Cookie": cookie, "X-CSRFToken": CSRF}


@schema.parametrize()
def test_api_answers_every_input_as_documented(case, caller):
    case.call_and_validate(headers=caller, checks=CHECKS)

"""Per-citizen limits hold when the requests arrive together: one phone's virtual tickets, and
the places in an appointment slot. PostgreSQL, one thread and connection per request."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.test import Client

from huduma.queues.models import Appointment, Visit
from tests.conftest import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
API = "/api/queues"


def _at_once(requests: list) -> list:
    """Send each (client, url, body) in its own thread, released together; the responses."""
    start = threading.Barrier(len(requests))
    answers: list = []
    errors: list[BaseException] = []

    def work(client, url, body):
        try:
            start.wait()
            answers.append(client.post(url, body, content_type="application/json"))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=r) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return answers


def test_twelve_simultaneous_joins_with_one_phone_give_two_tickets(world):
    require_postgres()
    body = {
        "services": ["NHIF-REGISTRATION"],
        "phone": "0712345678",
        "requirements_confirmed": True,
    }
    answers = _at_once(
        [
            (Client(REMOTE_ADDR=f"10.0.0.{n}"), f"{API}/centres/gpo-nairobi/join", body)
            for n in range(12)
        ]
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 201] + [409] * 10
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["field"] == "phone"
        assert refused.json()["code"] == "too_many_virtual_tickets"
    assert Visit.objects.filter(phone="+254712345678").count() == 2


def test_simultaneous_bookings_never_overfill_a_slot(world, clock):
    require_postgres()
    slot = (clock.current + dt.timedelta(days=1)).replace(hour=10, minute=0)
    body = {"service": "NHIF-REGISTRATION", "slot_start": slot.isoformat()}
    capacity = 2  # counters 2 and 3 at GPO serve NHIF registration
    answers = _at_once(
        [
            (
                Client(REMOTE_ADDR=f"10.0.1.{n}"),
                f"{API}/centres/gpo-nairobi/appointments",
                {**body, "phone": f"07120000{n:02d}"},
            )
            for n in range(8)
        ]
    )
    assert sorted(a.status_code for a in answers) == [201] * capacity + [409] * (8 - capacity)
    assert Appointment.objects.filter(slot_start=slot).count() == capacity

"""Controls for the locks: the same race run twice, with the lock and with it removed. The
window between a verb's check and its write is widened (a pause after the check) so the race
happens every time; with the lock the invariant holds, without it the duplicate appears. A
lock test without its control could pass because the race never happened."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from huduma.core import audit
from huduma.core.models import AuditEntry
from huduma.queues import appointments, issuing, services, sql
from huduma.queues.models import Appointment, Ticket, TicketEvent, Visit
from tests.conftest import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
API = "/api/queues"
PAUSE_S = 0.3


def _at_once(work, count: int) -> list:
    start = threading.Barrier(count)
    answers: list = []

    def run(n):
        try:
            start.wait()
            answers.append(work(n))
        except Exception as exc:  # noqa: BLE001 - the answers say what happened
            answers.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _paused_after(monkeypatch, module, name):
    checked = getattr(module, name)

    def slow(*args, **kwargs):
        answer = checked(*args, **kwargs)
        time.sleep(PAUSE_S)  # every request has checked before any writes
        return answer

    monkeypatch.setattr(module, name, slow)


def _joins(count: int) -> list:
    body = {
        "services": ["NHIF-REGISTRATION"],
        "phone": "0712345678",
        "requirements_confirmed": True,
    }
    return _at_once(
        lambda n: Client(REMOTE_ADDR=f"10.0.2.{n}").post(
            f"{API}/centres/gpo-nairobi/join", body, content_type="application/json"
        ),
        count,
    )


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "control-without-lock"])
def test_one_phones_virtual_tickets(world, monkeypatch, locked):
    require_postgres()
    _paused_after(monkeypatch, issuing, "_virtual_tickets_allowed")
    if not locked:
        monkeypatch.setattr(sql, "lock_citizen", lambda *args: None)
    _joins(5)
    issued = Visit.objects.filter(phone="+254712345678").count()
    if locked:
        assert issued == services.MAX_VIRTUAL_TICKETS_PER_PHONE
    else:
        assert issued > services.MAX_VIRTUAL_TICKETS_PER_PHONE  # the race the lock prevents


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "control-without-lock"])
def test_the_last_places_in_a_slot(world, clock, monkeypatch, locked):
    require_postgres()
    _paused_after(monkeypatch, appointments, "_slot_checked")
    if not locked:
        monkeypatch.setattr(appointments, "_lock_slots", lambda centre: None)
    slot = (clock.current + dt.timedelta(days=1)).replace(hour=10, minute=0)
    body = {"service": "NHIF-REGISTRATION", "slot_start": slot.isoformat()}
    capacity = 2  # counters 2 and 3 at GPO serve NHIF registration
    _at_once(
        lambda n: Client(REMOTE_ADDR=f"10.0.3.{n}").post(
            f"{API}/centres/gpo-nairobi/appointments",
            {**body, "phone": f"07120000{n:02d}"},
            content_type="application/json",
        ),
        5,
    )
    booked = Appointment.objects.filter(slot_start=slot).count()
    if locked:
        assert booked == capacity
    else:
        assert booked > capacity


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "control-without-lock"])
def test_the_audit_chain_appended_at_once(world, monkeypatch, locked):
    require_postgres()
    hashed = audit._entry_hash

    def slow_hash(entry):
        if entry.hash == "":  # a new entry: the last hash is read, pause before writing
            time.sleep(PAUSE_S)
        return hashed(entry)

    monkeypatch.setattr(audit, "_entry_hash", slow_hash)
    if not locked:
        monkeypatch.setattr(audit, "lock_names", lambda *names, **kw: None)
    before = AuditEntry.objects.count()
    _at_once(lambda n: audit.record(action=f"test.concurrent.{n}"), 4)
    assert AuditEntry.objects.count() == before + 4
    report = audit.verify_chain()
    if locked:
        assert report.ok
    else:
        assert not report.ok  # two entries linked to the same predecessor: a fork


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "control-without-lock"])
def test_the_same_complaint_sent_twice_at_once(world, monkeypatch, locked):
    from huduma.complaints import lodging
    from huduma.complaints.models import Complaint

    require_postgres()
    _paused_after(monkeypatch, lodging, "_lodged_already")
    if not locked:
        monkeypatch.setattr(lodging, "lock_names", lambda *names, **kw: None)
    _at_once(
        lambda n: lodging.complaint_lodge(
            channel="web",
            category="service_quality",
            text="Waited four hours and nobody served me.",
            phone="0712345678",
        ),
        3,
    )
    stored = Complaint.objects.filter(phone="+254712345678").count()
    if locked:
        assert stored == 1  # the others are "sent again" on the first
    else:
        assert stored > 1


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "control-without-lock"])
def test_two_counters_calling_at_once_never_share_a_ticket(world, officers, monkeypatch, locked):
    """Counters 2 and 3 both serve NHIF registration and press "call next" at once. Each call
    runs in a transaction held open after the claim (as finish-and-call-next runs it, widened
    here by the pause), so the second claim runs while the first holds its row."""
    require_postgres()
    desks = [(world.counters[("gpo-nairobi", n)], officers[n]) for n in (2, 3)]
    for counter, officer in desks:
        services.counter_open(counter=counter, officer=officer)
    for _ in range(3):
        services.visit_issue(
            centre=world.gpo,
            services=[world.nhif_reg],
            channel="reception",
            requirements_confirmed=True,
        )
    _paused_after(monkeypatch, sql, "claim")
    if not locked:
        monkeypatch.setattr(sql, "CLAIM_ROW_LOCK", "")

    def press(n):
        counter, officer = desks[n]
        with transaction.atomic():
            return services.ticket_call_next(counter=counter, officer=officer).pk

    answers = _at_once(press, 2)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    calls = TicketEvent.objects.filter(kind="called")
    if locked:
        assert len(set(answers)) == 2  # two citizens, one at each counter
        assert calls.count() == 2 and calls.values("ticket").distinct().count() == 2
        assert Ticket.objects.filter(status="called").count() == 2
    else:
        assert answers[0] == answers[1]  # one citizen sent to both counters
        assert calls.filter(ticket_id=answers[0]).count() == 2
        assert Ticket.objects.filter(status="called").count() == 1


@pytest.fixture
def without_the_key_constraint():
    """Drop the unique constraint on (centre, scope, key) for one test, and put it back. The
    threads each have their own connection, so the change must be committed; the rows it let
    in are deleted first. After an interrupted run, recreate the test database (--create-db)."""
    constraint = next(c for c in Visit._meta.constraints if c.name == "visit_idempotency_unique")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Visit, constraint)
    try:
        yield
    finally:
        Visit.objects.exclude(idempotency_key=None).delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Visit, constraint)


@pytest.mark.parametrize(
    ("locked", "constrained"),
    [(True, True), (False, True), (True, False), (False, False)],
    ids=["with-lock-and-constraint", "constraint-only", "lock-only", "control-without-either"],
)
def test_the_same_join_twice_at_once_makes_one_visit(
    request, world, monkeypatch, locked, constrained
):
    """A phone retries its join (the same Idempotency-Key) while the first is still running.
    The repeat is found under the citizen's lock; without the lock the unique constraint on
    the key still refuses the second visit (answered with the first); without both, two."""
    require_postgres()
    if not constrained:
        request.getfixturevalue("without_the_key_constraint")
    # Both requests have looked for the key before either writes.
    _paused_after(monkeypatch, sql, "visit_with_key")
    if not locked:
        monkeypatch.setattr(sql, "lock_citizen", lambda *args: None)
    body = {"services": ["NHIF-REGISTRATION"], "phone": "0712345678"}
    answers = _at_once(
        lambda n: Client(REMOTE_ADDR=f"10.0.4.{n}").post(
            f"{API}/centres/gpo-nairobi/join",
            {**body, "requirements_confirmed": True},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="retry-7f3a",
        ),
        2,
    )
    visits = Visit.objects.filter(phone="+254712345678", idempotency_key="retry-7f3a")
    if locked or constrained:
        assert visits.count() == 1
        assert [a.status_code for a in answers] == [201, 201]
        assert {a.json()["number"] for a in answers} == {visits.get().number}
    else:
        assert visits.count() == 2  # the duplicate the lock and the constraint each prevent

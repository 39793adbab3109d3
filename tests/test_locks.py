"""The one locking helper (core.locks): named locks, taken sorted, held until commit, and a
wait that ends in a clear 503 "try again" instead of a request left hanging."""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.test import override_settings

from huduma.complaints.models import Complaint
from huduma.core.locks import LockTimeout, lock_names
from tests.conftest import require_postgres
from tests.test_complaint_pages import post_details


def test_a_named_lock_outside_a_transaction_is_a_programming_error(transactional_db):
    with pytest.raises(RuntimeError, match="transaction"):
        lock_names("anything")


class Holder:
    """Another request holding some names, in its own connection, until released."""

    def __init__(self, *names):
        self.names, self.held, self.release = names, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        try:
            with transaction.atomic():
                lock_names(*self.names)
                self.held.set()
                self.release.wait(10)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_wait_longer_than_the_timeout_is_a_lock_timeout_and_the_transaction_goes_on(world):
    require_postgres()
    with Holder("test.one"), transaction.atomic():
        started = time.monotonic()
        with pytest.raises(LockTimeout) as refused:
            lock_names("test.other", "test.one", timeout=0.3)
        waited = time.monotonic() - started
        # The caller's transaction is still usable (the wait ran in a savepoint), and its
        # own lock_timeout is back to what it was.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            assert cursor.fetchone()[0] == "0"
    assert 0.25 <= waited < 3
    assert refused.value.status == 503 and refused.value.code == "busy"
    # Released: the same names are taken at once.
    with transaction.atomic():
        lock_names("test.one", timeout=0.3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_names_are_taken_sorted_so_opposite_orders_do_not_deadlock(world):
    require_postgres()
    outcomes = _opposite_orders(lambda first, second: lock_names(first, second, timeout=5))
    assert outcomes == ["locked", "locked"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_names_taken_in_the_order_given_deadlock(world):
    """The control: the same two requests taking the names one by one, in their own order,
    deadlock (PostgreSQL kills one of them)."""
    require_postgres()

    def unsorted(first, second):
        lock_names(first, timeout=5)
        time.sleep(0.3)  # both hold their first name before asking for the second
        lock_names(second, timeout=5)

    outcomes = _opposite_orders(unsorted)
    assert "deadlock" in outcomes


def _opposite_orders(take) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(first, second):
        try:
            barrier.wait()
            with transaction.atomic():
                take(first, second)
                time.sleep(0.3)
            outcomes.append("locked")
        except OperationalError as exc:
            outcomes.append("deadlock" if "deadlock" in str(exc) else str(exc))
        except LockTimeout:
            outcomes.append("timeout")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("test.a", "test.b")),
        threading.Thread(target=run, args=("test.b", "test.a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(HUDUMA_LOCK_TIMEOUT_S=0.3)
def test_a_citizen_whose_complaint_waits_too_long_is_asked_to_try_again(client, world):
    """Another request is lodging for the same phone: past the wait allowed, the form says to
    try again (a 503), and nothing is written."""
    require_postgres()
    with Holder("complaints.phone:+254712345678"):
        response = post_details(client)
    assert response.status_code == 503
    assert "Please try again in a moment." in response.content.decode()
    assert not Complaint.objects.exists()
    assert post_details(client).status_code == 302  # released: lodged

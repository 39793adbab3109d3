"""Payments posted at once (PostgreSQL): at different centres they never wait for each other (no
national lock); on one MDA's chain at one centre they take turns, and every one lands in its own
place of an unbroken chain. The control shows the race the chain's row lock prevents."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from huduma.ledger import checkpoints, services
from huduma.ledger.models import Chain, Entry
from tests.conftest import require_postgres
from tests.test_ledger_receipts import PAID_AT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
GPO = services.chain_name("NRB", "gpo-nairobi")


def post(world, centre):
    return services.payment_post(
        payment_id=uuid.uuid4(),
        amount=Decimal("100.00"),
        service_id=world.id_dup.pk,
        centre_id=centre.pk,
        at=PAID_AT,
        method="mpesa",
    )


def race(calls) -> list[str]:
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def work(call):
        try:
            start.wait()
            call()
            outcomes.append("done")
        except IntegrityError:
            outcomes.append("collided")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def both_read_the_head(monkeypatch):
    """Hold each append between reading its chain's head and writing after it, so that two
    appends not kept apart by a lock both read the same head."""
    both_read = threading.Barrier(2, timeout=1)
    real_hash = services.entry_hash

    def hash_then_wait(entry, postings):
        try:
            both_read.wait()
        except threading.BrokenBarrierError:
            pass  # the lock kept the other one out: go on alone
        return real_hash(entry, postings)

    monkeypatch.setattr(services, "entry_hash", hash_then_wait)


def test_a_payment_at_another_centre_does_not_wait(world):
    require_postgres()
    post(world, world.gpo)  # both chains exist: only their heads' locks are in play
    post(world, world.kisumu)
    gpo_posted = threading.Event()
    gpo_may_commit = threading.Event()
    errors: list[BaseException] = []

    def slow_gpo_payment():
        try:
            with transaction.atomic():
                post(world, world.gpo)
                gpo_posted.set()
                gpo_may_commit.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_gpo_payment)
    thread.start()
    try:
        assert gpo_posted.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Any lock shared with GPO's open payment would make this fail, not hang.
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            receipt = post(world, world.kisumu)
        assert receipt.entry.chain == services.chain_name("NRB", "kisumu")
    finally:
        gpo_may_commit.set()
        thread.join(timeout=30)
    assert not errors, errors
    assert Entry.objects.filter(chain=GPO).count() == 2


def test_payments_on_one_chain_take_turns_and_all_land(world, monkeypatch):
    require_postgres()
    both_read_the_head(monkeypatch)
    assert race([lambda: post(world, world.gpo)] * 2) == ["done", "done"]
    twenty = race([lambda: post(world, world.gpo)] * 20)
    assert twenty == ["done"] * 20
    assert list(Entry.objects.filter(chain=GPO).order_by("seq").values_list("seq", flat=True)) == (
        list(range(1, 23))
    )
    assert checkpoints.verify(GPO, []).ok


def test_control_without_the_chains_lock_two_payments_collide(world, monkeypatch):
    require_postgres()
    post(world, world.gpo)  # the chain exists; now its head is read without being locked
    both_read_the_head(monkeypatch)
    monkeypatch.setattr(
        services,
        "chain_lock",
        lambda *, mda, centre: Chain.objects.get(mda=mda, centre=centre),
    )
    assert race([lambda: post(world, world.gpo)] * 2) == ["collided", "done"]
    # Even so, the database kept the chain whole: one entry per place, no fork.
    assert Entry.objects.filter(chain=GPO).count() == 2
    assert checkpoints.verify(GPO, []).ok

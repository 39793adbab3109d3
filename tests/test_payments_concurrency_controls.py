"""Controls for the payments' guards (PostgreSQL): each race run with its guard and with the
guard removed. The window between a verb's check and its write is widened (a pause after the
check), so the race happens every time: with the guard the invariant holds, without it the
duplicate appears (tests/test_concurrency_controls.py explains the pattern)."""

import datetime as dt
from contextlib import contextmanager, nullcontext
from decimal import Decimal

import pytest
from django.db import connection, transaction

from huduma.core import clock
from huduma.core.errors import Conflict
from huduma.ledger.models import Entry
from huduma.notify.models import InboundWebhook, Message
from huduma.payments import paybill, services, settling, stk
from huduma.payments.models import PaybillTransaction, Payment
from huduma.payments.providers import SandboxDaraja, c2b_confirmation_body
from tests.conftest import callback_secret, require_postgres
from tests.test_concurrency_controls import _at_once, _paused_after

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = Payment.Status
CODE = "TKQ1AB2CD3"


def _push_started(world) -> tuple[Payment, str, dict]:
    """An STK push to the sandbox, and the callback Daraja would post for it (a success)."""
    SandboxDaraja.outbox.clear()
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    payment = services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone="0712345678",
        idempotency_key="k1",
        actor=world.alice,
    )
    ((url, body, _delay),) = SandboxDaraja.outbox
    SandboxDaraja.outbox.clear()
    return payment, callback_secret(url), body


@pytest.mark.parametrize("guarded", [True, False], ids=["guarded", "control-without-the-guards"])
def test_the_same_callback_twice_at_once_completes_the_payment_once(world, monkeypatch, guarded):
    """Daraja posts one callback twice at the same instant. Both get past the callback's store
    (the second waits on its unique key, then reads "to confirm") and both ask M-Pesa: what
    keeps the payment from completing twice is the payment's row lock, read with its status,
    and the conditional UPDATE from pending."""
    require_postgres()
    payment, secret, body = _push_started(world)
    if not guarded:
        monkeypatch.setattr(
            stk,
            "_payment_locked",
            lambda pk: Payment.objects.select_related("invoice").get(pk=pk),
        )
        monkeypatch.setattr(
            settling,
            "_status_moved",
            lambda payment, from_status, changes: Payment.objects.filter(pk=payment.pk).update(
                **changes
            ),
        )
    _paused_after(monkeypatch, stk, "_payment_locked")
    answers = _at_once(lambda n: services.mpesa_callback_receive(secret=secret, body=body), 2)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    completions = payment.events.filter(kind="callback", status=S.COMPLETED).count()
    texts = Message.objects.filter(template="payment_received", to="+254712345678").count()
    posted = Entry.objects.filter(kind="payment", payment_id=str(payment.pk)).count()
    assert Payment.objects.get(pk=payment.pk).status == S.COMPLETED
    if guarded:
        assert sorted(a["outcome"] for a in answers) == ["already_settled", "completed"]
        assert (completions, texts, posted) == (1, 1, 1)
    else:
        # Completed twice: two "payment received" SMS to the citizen, the ledger asked twice.
        # The ledger's own rule (one entry per payment, under its chain's lock) still posts
        # one entry: the second line of defence, tested in test_ledger_concurrency.py.
        assert [a["outcome"] for a in answers] == ["completed", "completed"]
        assert (completions, texts, posted) == (2, 2, 1)


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "control-without-lock"])
def test_one_code_typed_at_two_counters_at_once_is_recorded_once(world, monkeypatch, locked):
    """Two officers type the same M-Pesa confirmation code for two fees at the same instant:
    one records it, the other is told it was already recorded (a 409 naming the code)."""
    require_postgres()
    invoices = [services.invoice_raise(service=world.id_dup, centre=world.gpo) for _ in range(2)]
    _paused_after(monkeypatch, paybill, "_code_recorded_already")
    if not locked:
        monkeypatch.setattr(paybill, "lock_names", lambda *names, **kw: None)
    answers = _at_once(
        lambda n: services.payment_mpesa_code_record(
            invoice=invoices[n], code=CODE, amount="100.00", officer=world.alice
        ),
        2,
    )
    recorded = Payment.objects.filter(provider_receipt=CODE).count()
    if locked:
        assert recorded == 1
        (refused,) = [a for a in answers if isinstance(a, Exception)]
        assert isinstance(refused, Conflict) and refused.field == "code"
    else:
        assert recorded == 2  # the race the lock prevents: one code claimed by two fees


@contextmanager
def _without_constraint(model, name: str):
    """The model's constraint dropped for the block (committed: the threads must see it), put
    back after, once the duplicates the control made are gone."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    with connection.schema_editor() as editor:
        editor.remove_constraint(model, constraint)
    try:
        yield
    finally:
        model.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(model, constraint)


def _handled_every_time(*, handle, **stored):
    """webhook_once without its store: every delivery is acted on."""
    with transaction.atomic():
        return handle()


@pytest.mark.parametrize(
    ("webhook_key", "unique_trans_id"),
    [(True, True), (True, False), (False, True), (False, False)],
    ids=["both-guards", "webhook-key-only", "constraint-only", "control-without-either"],
)
def test_one_c2b_confirmation_delivered_twice_at_once_is_stored_once(
    world, monkeypatch, webhook_key, unique_trans_id
):
    """Safaricom posts one paybill payment's confirmation twice at the same instant (a retry
    crossing the first). Either guard keeps one row: the webhook's unique key (the second waits
    for the first, then reads its outcome) or the row's unique M-Pesa transaction id; without
    both the code is on the paybill's record twice (and counted twice in reconciliation)."""
    require_postgres()
    body = c2b_confirmation_body(
        trans_id=CODE,
        amount=Decimal(100),
        when=dt.datetime(2026, 11, 26, 9, 15, tzinfo=clock.NAIROBI),
        msisdn="254712345678",
    )
    if not webhook_key:
        monkeypatch.setattr(paybill, "webhook_once", _handled_every_time)
    dropped = (
        _without_constraint(PaybillTransaction, "paybill_transaction_once")
        if not unique_trans_id
        else nullcontext()
    )
    with dropped:
        answers = _at_once(lambda n: services.c2b_confirmation_receive(body=body), 2)
        assert not [a for a in answers if isinstance(a, Exception)], answers
        stored = PaybillTransaction.objects.filter(trans_id=CODE).count()
    if webhook_key or unique_trans_id:
        assert stored == 1
    else:
        assert stored == 2  # the race both guards prevent
    if webhook_key:
        assert InboundWebhook.objects.filter(kind="c2b").count() == 1

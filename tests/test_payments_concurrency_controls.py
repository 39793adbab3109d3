"""Controls for the payments' guards (PostgreSQL): each race run with its guard and with the
guard removed. The window between a verb's check and its write is widened (a pause after the
check), so the race happens every time: with the guard the invariant holds, without it the
duplicate appears (tests/test_concurrency_controls.py explains the pattern)."""

import pytest

from huduma.core.errors import Conflict
from huduma.ledger.models import Entry
from huduma.notify.models import Message
from huduma.payments import paybill, services, settling, stk
from huduma.payments.models import Payment
from huduma.payments.providers import SandboxDaraja
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

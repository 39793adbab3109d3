"""The mop-up settles by STK query the pushes whose callback never came, and expires the rest."""

import pytest

from huduma.payments import services
from huduma.payments.models import Payment

S = Payment.Status


def start(world, phone, key="k1"):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    return services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100",
        phone=phone,
        idempotency_key=key,
        actor=world.alice,
    )


def test_a_lost_callback_is_settled_by_the_mop_up(world, sandbox, clock):
    payment = start(world, "0712340404")
    sandbox.deliver()
    clock.advance(minutes=1)
    assert services.payments_mop_up() == 0  # too early: the callback may still come
    clock.advance(minutes=3)
    assert services.payments_mop_up() == 1
    payment.refresh_from_db()
    # M-Pesa says paid, but no callback gave the receipt number the statement is
    # reconciled on: the payment waits for it...
    assert payment.status == S.PENDING
    clock.advance(minutes=7)
    services.payments_mop_up()
    payment.refresh_from_db()
    # ...until the request would have expired: then paid without it.
    assert payment.status == S.COMPLETED
    assert payment.events.filter(kind="query").count() == 1
    assert services.payments_mop_up() == 0


def test_the_late_callback_completes_with_its_receipt_and_credits_once(world, sandbox, clock):
    payment = start(world, "0712340303")  # late callback
    sandbox.deliver(late=False)
    clock.advance(minutes=4)
    services.payments_mop_up()  # M-Pesa says paid; no receipt yet: it waits for the callback
    answers = sandbox.deliver(late=True)
    assert [a["outcome"] for a in answers] == ["completed"]
    payment.refresh_from_db()
    assert payment.provider_receipt.startswith("SBX")
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1
    services.payments_mop_up()
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1


def test_the_mop_up_keeps_the_receipt_of_the_callback_it_confirms(world, sandbox, clock):
    """The callback came while Daraja was still processing (its STK query said so): the
    mop-up's query settles the payment with the receipt of that callback, kept, and the
    ledger's entry reconciles with the paybill statement without a false difference."""
    from huduma.ledger import reports
    from huduma.ledger.models import Entry
    from huduma.payments.providers import SandboxDaraja

    payment = start(world, "0712345678")
    SandboxDaraja.processing.add(payment.checkout_request_id)
    assert [a["outcome"] for a in sandbox.deliver()] == ["pending"]
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    SandboxDaraja.processing.clear()
    clock.advance(minutes=4)
    services.payments_mop_up()
    payment.refresh_from_db()
    assert payment.status == S.COMPLETED
    assert payment.provider_receipt.startswith("SBX")
    entry = Entry.objects.get(payment_id=str(payment.pk), kind="payment")
    assert entry.reference == payment.provider_receipt
    statement = f"Receipt No.,Paid In\n{payment.provider_receipt},100.00\n"
    day = payment.settled_at.astimezone(clock.current.tzinfo).date()
    assert reports.reconcile(statement=statement, day=day) == []


def test_timeout_found_by_the_query_ends_as_expired(world, sandbox, clock):
    payment = start(world, "0712341037")
    sandbox.sent.clear()  # its callback is lost
    clock.advance(minutes=4)
    services.payments_mop_up()
    payment.refresh_from_db()
    assert payment.status == S.EXPIRED


def test_a_push_that_never_reached_the_provider_expires(world, clock):
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo)
    payment = Payment.objects.create(
        invoice=invoice,
        channel="mpesa",
        provider="sandbox",
        amount_kes=invoice.amount_kes,
        phone="+254712345678",
        started_at=clock.current,
    )
    clock.advance(minutes=4)
    services.payments_mop_up()
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    clock.advance(minutes=7)
    services.payments_mop_up()
    payment.refresh_from_db()
    assert payment.status == S.EXPIRED


@pytest.mark.parametrize("phone", ["0712345678"])
def test_a_success_after_expiry_is_held_not_dropped(world, sandbox, clock, phone):
    payment = start(world, phone)
    kept = list(sandbox.sent)
    sandbox.sent.clear()
    Payment.objects.filter(pk=payment.pk).update(checkout_request_id=None)  # query cannot find it
    clock.advance(minutes=11)
    services.payments_mop_up()
    payment.refresh_from_db()
    assert payment.status == S.EXPIRED
    Payment.objects.filter(pk=payment.pk).update(
        checkout_request_id=kept[0][1]["Body"]["stkCallback"]["CheckoutRequestID"]
    )
    sandbox.sent.extend(kept)
    answers = sandbox.deliver()
    assert [a["outcome"] for a in answers] == ["held_late"]
    payment.refresh_from_db()
    assert payment.status == S.HELD
    assert payment.hold_reason == "paid after the request had ended (expired)"


def test_a_callback_after_the_mop_up_gave_up_waiting_still_gives_the_receipt(world, sandbox, clock):
    payment = start(world, "0712340303")  # late callback
    kept = list(sandbox.sent)
    sandbox.sent.clear()
    clock.advance(minutes=11)
    services.payments_mop_up()  # no receipt after 10 minutes: paid without it
    payment.refresh_from_db()
    assert (payment.status, payment.provider_receipt) == (S.COMPLETED, "")
    sandbox.sent.extend(kept)
    assert [a["outcome"] for a in sandbox.deliver()] == ["already_settled"]
    payment.refresh_from_db()
    assert payment.provider_receipt.startswith("SBX")
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1

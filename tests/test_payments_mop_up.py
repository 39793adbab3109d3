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
    assert payment.status == S.COMPLETED
    assert payment.events.filter(kind="query").count() == 1
    assert services.payments_mop_up() == 0


def test_the_callback_after_the_mop_up_does_not_credit_again(world, sandbox, clock):
    start(world, "0712340303")  # late callback
    sandbox.deliver(late=False)
    clock.advance(minutes=4)
    services.payments_mop_up()
    answers = sandbox.deliver(late=True)
    assert [a["outcome"] for a in answers] == ["already_settled"]
    assert Payment.objects.filter(status=S.COMPLETED).count() == 1


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
    assert payment.hold_reason == "paid after the request had ended"

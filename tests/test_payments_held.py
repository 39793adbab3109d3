"""Held payments have a way out: a worklist for the Centre Manager (own centre) and the
Secretariat (all), where one person proposes "apply to the invoice" or "refund to the payer"
and another approves; the money held sits in the centre's suspense account in the ledger and
leaves it by the outcome. A new push on an invoice with money held waits for the decision."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from huduma.accounts.models import Role, User
from huduma.ledger.models import Entry, Posting, Receipt
from huduma.payments import held, services
from huduma.payments.models import HeldDecision, Payment
from tests.conftest import sign_in_verified

S = Payment.Status
SUSPENSE = "suspense:held:gpo-nairobi"


def balance(account: str) -> Decimal:
    sums = Posting.objects.filter(account=account).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["c"] or Decimal(0)) - (sums["d"] or Decimal(0))


def push(world, invoice, key="k1", phone="0712345678"):
    return services.payment_start(
        invoice=invoice,
        channel="mpesa",
        amount="100.00",
        phone=phone,
        idempotency_key=key,
        actor=world.alice,
    )


@pytest.fixture
def paid_twice(world, sandbox):
    """Cash taken at the counter while the citizen's M-Pesa push went through too."""
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    payment = push(world, invoice)
    services.payment_cash_record(invoice=invoice, amount="100", officer=world.alice)
    sandbox.deliver()
    payment.refresh_from_db()
    assert payment.status == S.HELD
    return payment


@pytest.fixture
def paid_late(world, sandbox, clock):
    """The push expired unanswered; the payer's money moved after: held, invoice unpaid."""
    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    payment = push(world, invoice)
    kept = list(sandbox.sent)
    sandbox.sent.clear()
    checkout = payment.checkout_request_id
    Payment.objects.filter(pk=payment.pk).update(checkout_request_id=None)
    clock.advance(minutes=11)
    services.payments_mop_up()
    Payment.objects.filter(pk=payment.pk).update(checkout_request_id=checkout)
    sandbox.sent.extend(kept)
    sandbox.deliver()
    payment.refresh_from_db()
    assert payment.status == S.HELD and payment.amount_paid_kes == Decimal("100.00")
    return payment


@pytest.fixture
def bea(world):
    """A second Centre Manager at GPO: the checker to bob's maker."""
    return User.objects.create_user(
        username="bea", password="pw-bea", role=Role.CENTRE_MANAGER, centre=world.gpo
    )


def test_held_money_is_in_the_suspense_account(paid_twice):
    assert balance(SUSPENSE) == Decimal("100.00")
    assert Entry.objects.filter(kind="held").count() == 1


def test_refund_to_the_payer_needs_two_people_and_leaves_suspense(world, paid_twice):
    decision = held.held_propose(
        payment=paid_twice, outcome="refund", reason="paid twice", by=world.bob
    )
    with pytest.raises(held.SameOfficer):
        held.held_approve(decision_id=decision.pk, by=world.bob)
    assert Payment.objects.get(pk=paid_twice.pk).status == S.HELD
    held.held_approve(decision_id=decision.pk, by=world.sam)
    paid_twice.refresh_from_db()
    assert paid_twice.status == S.REFUNDED
    assert balance(SUSPENSE) == Decimal("0.00")
    returned = Entry.objects.get(kind="returned", payment_id=str(paid_twice.pk))
    assert returned.amount == Decimal("100.00")
    assert set(paid_twice.events.values_list("kind", flat=True)) >= {
        "held_proposed",
        "held_refunded",
    }


def test_apply_to_the_invoice_pays_it_with_a_signed_receipt(world, bea, paid_late):
    decision = held.held_propose(
        payment=paid_late, outcome="apply", reason="paid after expiry", by=world.bob
    )
    held.held_approve(decision_id=decision.pk, by=bea)
    paid_late.refresh_from_db()
    assert paid_late.status == S.COMPLETED
    entry = Entry.objects.get(kind="payment", payment_id=str(paid_late.pk))
    assert Receipt.objects.filter(entry=entry).exists()
    assert balance(SUSPENSE) == Decimal("0.00")
    assert balance("revenue:NRB:gpo-nairobi") == Decimal("100.00")


def test_apply_is_refused_when_the_fee_is_already_paid(world, paid_twice):
    with pytest.raises(services.AlreadyPaid):
        held.held_propose(payment=paid_twice, outcome="apply", reason="x", by=world.bob)


def test_only_the_centres_manager_or_the_secretariat_decide(world, paid_twice):
    for outsider in (world.alice, world.charlie, world.mona):
        with pytest.raises(held.Forbidden):
            held.held_propose(payment=paid_twice, outcome="refund", reason="x", by=outsider)
    kisumu_manager = User.objects.create_user(
        username="kim", password="pw-kim", role=Role.CENTRE_MANAGER, centre=world.kisumu
    )
    with pytest.raises(held.Forbidden):
        held.held_propose(payment=paid_twice, outcome="refund", reason="x", by=kisumu_manager)
    assert list(held.held_payments(user=kisumu_manager)) == []
    assert list(held.held_payments(user=world.sam)) == [paid_twice]


def test_one_open_proposal_per_held_payment(world, paid_twice):
    held.held_propose(payment=paid_twice, outcome="refund", reason="x", by=world.bob)
    with pytest.raises(held.ProposalOpen):
        held.held_propose(payment=paid_twice, outcome="refund", reason="y", by=world.sam)


def test_a_new_push_waits_until_the_held_money_is_decided(world, bea, paid_late, sandbox):
    with pytest.raises(services.HeldPaymentOpen):
        push(world, paid_late.invoice, key="k2")
    decision = held.held_propose(
        payment=paid_late, outcome="refund", reason="payer wants it back", by=world.bob
    )
    held.held_reject(decision_id=decision.pk, by=bea)
    assert HeldDecision.objects.get().status == "rejected"
    with pytest.raises(services.HeldPaymentOpen):
        push(world, paid_late.invoice, key="k2")
    decision = held.held_propose(
        payment=paid_late, outcome="refund", reason="payer wants it back", by=world.bob
    )
    held.held_approve(decision_id=decision.pk, by=bea)
    assert push(world, paid_late.invoice, key="k3").status == S.PENDING


def test_the_worklist_page_is_for_managers_and_the_secretariat(client, world, paid_twice):
    client.force_login(world.alice)
    assert client.get("/staff/payments/held/").status_code == 403
    client.force_login(world.bob)
    page = client.get("/staff/payments/held/").content.decode()
    assert "invoice already paid" in page
    response = client.post(
        f"/staff/payments/held/{paid_twice.pk}/propose/",
        {"outcome": "refund", "reason": ""},
        follow=True,
    )
    assert "Give the reason for this decision." in response.content.decode()
    client.post(
        f"/staff/payments/held/{paid_twice.pk}/propose/",
        {"outcome": "refund", "reason": "paid twice"},
    )
    decision = HeldDecision.objects.get()
    sign_in_verified(client, world.sam)
    client.post(f"/staff/payments/held/decisions/{decision.pk}/approve/")
    paid_twice.refresh_from_db()
    assert paid_twice.status == S.REFUNDED


def test_held_money_reconciles_with_the_statement_once(world, bea, paid_late, clock):
    """Money held is money received: on the paybill statement and in the ledger (suspense);
    applied later, it is not received a second time."""
    from huduma.ledger import reports

    statement = f"Receipt No.,Paid In\n{paid_late.provider_receipt},100.00\n"
    day = clock.current.date()
    assert reports.reconcile(statement=statement, day=day) == []
    decision = held.held_propose(payment=paid_late, outcome="apply", reason="late", by=world.bob)
    held.held_approve(decision_id=decision.pk, by=bea)
    assert reports.reconcile(statement=statement, day=day) == []


def test_an_unconfirmed_late_success_is_asked_again(world, sandbox, client):
    """A success after a cancel that M-Pesa did not confirm holds no money; asking STK Query
    again ends it (here M-Pesa still says cancelled: no payment)."""

    invoice = services.invoice_raise(service=world.id_dup, centre=world.gpo, actor=world.alice)
    payment = push(world, invoice, phone="0712341032")
    [(url, cancel, _delay)] = sandbox.sent
    sandbox.deliver()
    late = {
        "Body": {
            "stkCallback": {
                **cancel["Body"]["stkCallback"],
                "ResultCode": 0,
                "CallbackMetadata": {"Item": [{"Name": "MpesaReceiptNumber", "Value": "QX1"}]},
            }
        }
    }
    sandbox.sent.append((url, late, 0))
    assert [a["outcome"] for a in sandbox.deliver()] == ["held_late"]
    payment.refresh_from_db()
    assert payment.status == S.HELD and payment.amount_paid_kes is None
    with pytest.raises(held.NothingHeld):
        held.held_propose(payment=payment, outcome="refund", reason="x", by=world.bob)
    assert held.held_recheck(payment=payment, by=world.bob) == "not_paid"
    payment.refresh_from_db()
    assert (payment.status, payment.hold_reason) == (S.FAILED, "M-Pesa confirms no payment")
    assert balance(SUSPENSE) == Decimal("0.00")

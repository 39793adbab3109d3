"""Payments a field kit took offline, reaching the centre server: a completed one (cash) is
posted to the ledger there, once, and its receipt SMS rendered there."""

from huduma.payments.models import Payment
from huduma.payments.settling import _completed_sms, _event, _on_payment_completed

Status = Payment.Status


def payment_synced(*, payment: Payment) -> None:
    """A payment a field kit took offline has just reached the centre server: a completed one
    (cash) is posted to the ledger now, in the same transaction, once. The kit's own events
    stay on the kit: this one says when and how the payment reached the centre."""
    _event(
        payment,
        "from_field_kit",
        status=payment.status,
        actor=payment.officer,
        node_id=payment.node_id,
        node_seq=payment.node_seq,
    )
    if payment.status == Status.COMPLETED:
        # The receipt SMS is rendered here, on the server: never the kit's own text.
        _completed_sms(payment, _on_payment_completed(payment))


def payments_from_kit(ids: list) -> None:
    """Payments a field kit's batch has just stored (checked by payments.kit_rules)."""
    for payment in Payment.objects.select_related("invoice").filter(pk__in=ids).order_by("pk"):
        payment_synced(payment=payment)

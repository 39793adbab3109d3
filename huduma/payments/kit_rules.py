"""What a field kit may write of payments: an invoice for the official fee of a service it
received, cash its own officers took for exactly that fee, and an M-Pesa code held "to verify".
A kit never completes an M-Pesa payment: only the server does, on the provider's own answer
(paybill.payment_mpesa_code_verify). Nothing about money is ever changed from a kit."""

from huduma.applications.models import Application
from huduma.catalogue.models import Service
from huduma.core.kit_rules import KitRefused, KitWrite, instances, register
from huduma.payments.from_kits import payments_from_kit
from huduma.payments.models import Invoice, Payment
from huduma.payments.paybill import _MPESA_CODE, OFFLINE_CODE_PROVIDER, TO_VERIFY
from huduma.queues.models import Ticket

Status = Payment.Status


def _invoice(write: KitWrite) -> None:
    values, kit = write.values, write.kit
    if not write.creating:
        raise KitRefused("invoice: money records are changed only on the server")
    if values["application_id"] is not None:
        if not kit.made(Application, values["application_id"]):
            raise KitRefused("invoice: for an application this kit did not receive")
        # The fee fixed when the application was received (its own rule checks it).
        fee = (kit.row(Application, values["application_id"]) or {}).get("fee_kes")
    elif values["ticket_id"] is not None and not kit.made(Ticket, values["ticket_id"]):
        raise KitRefused("invoice: for a ticket this kit did not issue")
    else:
        fee = (kit.row(Service, values["service_id"]) or {}).get("fee_kes")
    if fee is None or values["amount_kes"] != fee:
        raise KitRefused("invoice: the amount is not the service's official fee")
    if values["raised_by_id"] not in (None, *kit.officer_ids):
        raise KitRefused("invoice: raised by an officer who did not come with this kit")


def _payment(write: KitWrite) -> None:
    values, kit = write.values, write.kit
    if not write.creating:
        raise KitRefused("payment: money records are changed only on the server")
    if not kit.made(Invoice, values["invoice_id"]):
        raise KitRefused("payment: of an invoice this kit did not raise")
    invoice = kit.row(Invoice, values["invoice_id"])
    if invoice is None or values["amount_kes"] != invoice["amount_kes"]:
        raise KitRefused("payment: the amount is not the official fee")
    if values["officer_id"] not in kit.officer_ids:
        raise KitRefused("payment: taken by an officer who did not come with this kit")
    if values["checkout_request_id"] or values["callback_secret_hash"]:
        raise KitRefused("payment: a kit starts no provider payment")
    if values.get("application_id") != invoice.get("application_id"):
        # The copy the database's one-fee-per-application rule reads: never the kit's choice.
        raise KitRefused("payment: not for its invoice's application")
    if values["channel"] == Payment.Channel.CASH and values["provider"] == "cash":
        if (
            values["status"] != Status.COMPLETED
            or values["amount_paid_kes"] != values["amount_kes"]
        ):
            raise KitRefused("payment: cash is recorded as received, for the fee")
        return
    if values["channel"] == Payment.Channel.MPESA and values["provider"] == OFFLINE_CODE_PROVIDER:
        if values["status"] != Status.HELD or values["settled_at"] is not None:
            raise KitRefused(
                "payment: an M-Pesa code from a kit is held to verify; only the server, "
                "on M-Pesa's answer, completes it"
            )
        if values["hold_reason"] != TO_VERIFY or not _MPESA_CODE.fullmatch(
            values["provider_receipt"]
        ):
            raise KitRefused("payment: not an M-Pesa confirmation code to verify")
        if values["amount_paid_kes"] is not None:
            raise KitRefused("payment: only M-Pesa's answer says what was paid")
        return
    raise KitRefused("payment: a kit records cash or an M-Pesa code to verify, nothing else")


def invoices_from_kit(writes: list[KitWrite]) -> None:
    Invoice._base_manager.bulk_create(instances(Invoice, writes))


def payments_reported_by_kit(writes: list[KitWrite]) -> None:
    """Cash its officers took (posted to the ledger as it arrives, payments_from_kit) and
    M-Pesa codes held to verify (completed only on the provider's answer)."""
    Payment._base_manager.bulk_create(instances(Payment, writes))


def register_rules() -> None:
    register("payments.Invoice", _invoice, create=invoices_from_kit)
    register(
        "payments.Payment",
        _payment,
        create=payments_reported_by_kit,
        arrived=payments_from_kit,
    )

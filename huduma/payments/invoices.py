"""Invoices for exactly the official fee, and the amounts people type or send for them."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from huduma.core import clock
from huduma.core.money import InvalidAmount, format_kes, kes, parse_kes
from huduma.payments.errors import AlreadyPaid, NothingToPay
from huduma.payments.models import Invoice, Payment

Status = Payment.Status


def amount_parse(value: object, *, field: str = "amount") -> Decimal:
    """An amount typed or sent by a person (core.money.parse_kes), above zero."""
    return parse_kes(value, field=field, whole_digits=10)  # the columns: 12 digits, 2 after


def official_fee_checked(*, invoice: Invoice, amount: Decimal) -> None:
    """Only the invoice's official fee is taken, in any channel: never more, never part."""
    if amount != invoice.amount_kes:
        raise InvalidAmount(
            _("The amount must be the official fee, %(fee)s.")
            % {"fee": format_kes(invoice.amount_kes)},
            field="amount",
        )


def invoice_raise(
    *, service=None, centre=None, ticket=None, application=None, actor=None, now=None
) -> Invoice:
    """An invoice for exactly the official fee: the service's as it stands now, or, for an
    application, the fee fixed when the application was received (what the citizen was told)."""
    if application is not None:
        from huduma.applications.services import application_fee_due

        service, centre = application.service, application.centre
        ticket = ticket or application.ticket
        fee = application_fee_due(application)
    else:
        fee = service.fee_kes
    if fee is None or fee <= 0:
        raise NothingToPay(_("This service has no fee to pay."), field="service")
    return Invoice.objects.create(
        service=service,
        centre=centre,
        ticket=ticket,
        application=application,
        amount_kes=kes(fee),
        raised_by=actor if actor is not None and actor.is_authenticated else None,
        raised_at=now or clock.now(),
    )


def invoice_for_application(*, application, actor=None) -> Invoice:
    """The application's invoice: the open one if it has one (a second press of "collect the
    fee" raises nothing new), else a new one for the fee fixed when it was received."""
    with transaction.atomic():
        from huduma.applications.models import Application

        Application.objects.select_for_update().filter(pk=application.pk).first()
        if Payment.objects.filter(application=application, status=Status.COMPLETED).exists():
            # One fee per application: a second invoice would be a second charge.
            raise AlreadyPaid(_("This application's fee is already paid."), field="application")
        existing = (
            Invoice.objects.filter(application=application)
            .exclude(payments__status=Payment.Status.COMPLETED)
            .order_by("raised_at")
            .first()
        )
        if existing is not None:
            return existing
        return invoice_raise(application=application, actor=actor)

"""An application's status by its tracking number, and paying its fee (an STK push)."""

from django.utils.translation import gettext as _

from huduma.applications.models import Application
from huduma.applications.services import (
    application_fee_due,
    application_fee_paid,
    application_for_citizen,
)
from huduma.channels.ussd.flow import Ctx, Done, Go, Outcome
from huduma.channels.ussd.journeys.answers import (
    _fee,
    _name,
    _pick,
    _refused,
    _sms,
    _wrong,
)
from huduma.channels.ussd.screens import View
from huduma.core.errors import DomainError
from huduma.payments import services as payments

# --- applications and fees -------------------------------------------------------------------


def application_take(ctx: Ctx, answer: str) -> Outcome:
    try:
        application = application_for_citizen(tracking_number=answer[:20], phone=ctx.phone)
    except DomainError as exc:
        return _refused(exc)
    return Go("application_info", {"application": str(application.pk)})


def _application(ctx: Ctx) -> Application:
    application = Application.objects.select_related("service").get(pk=ctx.data["application"])
    # Found again as the web finds it (number and phone), never by id alone.
    return application_for_citizen(tracking_number=application.tracking_number, phone=ctx.phone)


def _fee_open(application: Application) -> bool:
    return application_fee_due(application) > 0 and not application_fee_paid(application)


def application_info_show(ctx: Ctx) -> View:
    application = _application(ctx)
    text = _("%(number)s %(service)s: %(status)s. Expected by %(due)s.") % {
        "number": application.tracking_number,
        "service": _name(application.service, ctx),
        "status": application.get_status_display(),
        "due": f"{application.due_on:%d/%m/%Y}",
    }
    if not _fee_open(application):
        return View(text)
    fee = _fee(application_fee_due(application))
    return View(text, (_("Pay %(fee)s by M-Pesa") % {"fee": fee},))


def application_info_take(ctx: Ctx, answer: str) -> Outcome:
    if not _fee_open(_application(ctx)) or _pick(answer, 1) is None:
        return _wrong()
    return Go("pay_confirm")


def pay_confirm_show(ctx: Ctx) -> View:
    application = _application(ctx)
    text = _("Pay %(fee)s for %(number)s? M-Pesa will ask for your PIN on this phone.") % {
        "fee": _fee(application_fee_due(application)),
        "number": application.tracking_number,
    }
    return View(text, (_("Yes, pay"),))


def pay_confirm_take(ctx: Ctx, answer: str) -> Outcome:
    if _pick(answer, 1) is None:
        return _wrong()
    application = _application(ctx)
    try:
        invoice = payments.invoice_for_application(application=application)
        payments.payment_start(
            invoice=invoice,
            channel="mpesa",
            amount=str(invoice.amount_kes),
            phone=ctx.phone,
            idempotency_key=ctx.key,
        )
    except DomainError as exc:
        return _refused(exc)
    fee = _fee(invoice.amount_kes)
    _sms(ctx, "ussd_payment_asked", amount=fee, number=application.tracking_number)
    return Done(
        _("Enter your M-Pesa PIN when asked, to pay %(fee)s. Your receipt comes by SMS.")
        % {"fee": fee}
    )

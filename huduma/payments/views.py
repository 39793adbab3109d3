"""The officer's payment pages: raise an invoice for a service, take the fee (cash, M-Pesa by
STK push to the citizen's phone, or card on Pesapal's card page), and the officer's cash-up."""

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huduma.accounts.models import Role
from huduma.accounts.permissions import require_centre, require_staff
from huduma.catalogue.models import Service
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.ledger.selectors import receipt_numbers
from huduma.payments import held, providers, services
from huduma.payments.cashup import cashup_for
from huduma.payments.models import HeldDecision, Invoice, Payment
from huduma.places.models import Centre

TAKERS = (Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)


@login_required
def take(request, code: str):
    """Choose the service to be paid for; the invoice is its official fee."""
    centre = get_object_or_404(Centre, code=code)
    require_centre(request.user, centre, *TAKERS)
    fee_services = Service.objects.filter(offered_at__centre=centre, fee_kes__gt=0).order_by("code")
    if request.method == "POST":
        service = fee_services.filter(code=request.POST.get("service", "")[:40]).first()
        if service is None:
            messages.error(request, _("Choose a service with a fee."))
        else:
            invoice = services.invoice_raise(service=service, centre=centre, actor=request.user)
            return redirect("payments:invoice", invoice.pk)
    return render(request, "payments/take.html", {"centre": centre, "services": fee_services})


@login_required
@require_POST
def application_fee(request, application_id):
    """ "Collect the fee" on an application's page: its invoice, then the usual pay page."""
    from huduma.applications.models import Application

    application = get_object_or_404(Application.objects.select_related("centre"), pk=application_id)
    require_centre(request.user, application.centre, *TAKERS)
    try:
        invoice = services.invoice_for_application(application=application, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("applications:detail", application.pk)
    return redirect("payments:invoice", invoice.pk)


@login_required
def invoice(request, invoice_id):
    """The invoice and its payments. A card payment waiting for the payer is settled here from
    Pesapal's own status (Pesapal also sends the payer's browser back to this page)."""
    invoice = get_object_or_404(Invoice.objects.select_related("centre", "service"), pk=invoice_id)
    require_centre(request.user, invoice.centre, *TAKERS)
    for waiting in invoice.payments.filter(
        channel=Payment.Channel.CARD, status=Payment.Status.PENDING
    ):
        services.card_status_settle(payment=waiting)
    payments = list(invoice.payments.order_by("started_at"))
    # The officer sees each receipt's number and prints it here, not only the citizen's SMS.
    receipts = receipt_numbers(payment_ids=[p.pk for p in payments])
    context = {
        "invoice": invoice,
        "payments": [(p, services.card_page_url(p), receipts.get(str(p.pk))) for p in payments],
        "card_on": providers.card_provider() is not None,
        # One key per page shown: a double click on "pay" sends one STK push.
        "key": secrets.token_urlsafe(16),
    }
    return render(request, "payments/invoice.html", context)


@login_required
@require_POST
def pay(request, invoice_id):
    invoice = get_object_or_404(Invoice.objects.select_related("centre", "service"), pk=invoice_id)
    require_centre(request.user, invoice.centre, *TAKERS)
    method = request.POST.get("method", "")
    key = request.POST.get("idempotency_key", "")[:80]
    try:
        if method == "cash":
            services.payment_cash_record(
                invoice=invoice,
                amount=str(invoice.amount_kes),
                officer=request.user,
                idempotency_key=key,
            )
            messages.success(request, _("Cash recorded."))
        elif method == "card":
            # The card is typed on Pesapal's own page, linked from the invoice (a link, not a
            # redirect: the CSP's form-action keeps forms to our own site).
            services.payment_start(
                invoice=invoice,
                channel="card",
                amount=str(invoice.amount_kes),
                phone=request.POST.get("phone", "")[:32],
                idempotency_key=key,
                actor=request.user,
            )
            messages.success(request, _("Card payment started: open the card payment page."))
        else:
            services.payment_start(
                invoice=invoice,
                channel="mpesa",
                amount=str(invoice.amount_kes),
                phone=request.POST.get("phone", "")[:32],
                idempotency_key=key,
                actor=request.user,
            )
            messages.success(request, _("M-Pesa request sent to the phone."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("payments:invoice", invoice.pk)


@login_required
def cashup_page(request):
    """The signed-in officer's cash-up for a day: cash net of refunds, and card."""
    require_staff(request.user, *TAKERS)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        day = clock.local_date()
    report = cashup_for(officer=request.user, day=day)
    return render(request, "payments/cashup.html", {"report": report, "day": day})


@login_required
def held_list(request):
    """The worklist of held payments: the Centre Manager's centre, or every centre for the
    Secretariat; each with its proposal waiting for a second person, or a form to make one."""
    require_staff(request.user, Role.CENTRE_MANAGER, Role.SECRETARIAT)
    rows = list(held.held_payments(user=request.user))
    open_ = {
        d.payment_id: d
        for d in HeldDecision.objects.filter(
            payment__in=rows, status=HeldDecision.Status.PENDING
        ).select_related("proposed_by")
    }
    context = {
        "rows": [(p, open_.get(p.pk)) for p in rows],
        "outcomes": HeldDecision.Outcome.choices,
    }
    return render(request, "payments/held.html", context)


def _held_action(request, action) -> object:
    require_staff(request.user, Role.CENTRE_MANAGER, Role.SECRETARIAT)
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Recorded."))
    return redirect("payments:held")


@login_required
@require_POST
def held_propose(request, payment_id):
    payment = get_object_or_404(Payment, pk=payment_id)
    return _held_action(
        request,
        lambda: held.held_propose(
            payment=payment,
            outcome=request.POST.get("outcome", "")[:10],
            reason=request.POST.get("reason", "")[:300],
            by=request.user,
        ),
    )


@login_required
@require_POST
def held_approve(request, decision_id: int):
    get_object_or_404(HeldDecision, pk=decision_id)
    return _held_action(
        request, lambda: held.held_approve(decision_id=decision_id, by=request.user)
    )


@login_required
@require_POST
def held_reject(request, decision_id: int):
    get_object_or_404(HeldDecision, pk=decision_id)
    return _held_action(request, lambda: held.held_reject(decision_id=decision_id, by=request.user))


@login_required
@require_POST
def held_recheck(request, payment_id):
    payment = get_object_or_404(Payment.objects.select_related("invoice__centre"), pk=payment_id)
    return _held_action(request, lambda: held.held_recheck(payment=payment, by=request.user))

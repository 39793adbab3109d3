"""Ledger pages: the public receipt check and public key, staff receipts, reports, reconciliation."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from huduma.accounts.models import Role
from huduma.accounts.permissions import has_role, require_centre_view, require_staff
from huduma.core import clock
from huduma.core.errors import DomainError
from huduma.core.middleware import accepts_uploads
from huduma.core.qr import qr_svg
from huduma.ledger import reports, services, signing
from huduma.ledger.errors import BadStatement
from huduma.ledger.models import Refund
from huduma.places.models import Centre

MAX_INPUT = 400  # a receipt code is about 150 characters


def verify_url(code: str) -> str:
    return settings.PUBLIC_URL + reverse("ledger:verify") + "?" + urlencode({"code": code})


def verify(request):
    """Anyone can check a receipt by its number or the text of its QR code; nothing personal."""
    number = request.GET.get("number", "").strip()[:MAX_INPUT]
    code = request.GET.get("code", "").strip()[:MAX_INPUT]
    check = None
    status = 200
    if number or code:
        check = services.receipt_check(number=number, code=code)
        if not check.valid:
            status = 404 if check.receipt is None else 200
    return render(
        request,
        "ledger/verify.html",
        {"check": check, "number": number, "code": code},
        status=status,
    )


@cache_control(public=True, max_age=3600)
def public_key(request):
    """The current key that checks receipts and checkpoints offline (PEM, Ed25519); older
    receipts may need an earlier key of the set (keys.json)."""
    return HttpResponse(signing.public_key_pem(), content_type="application/x-pem-file")


@cache_control(public=True, max_age=300)
def key_set(request):
    """Every key that ever signed receipts and checkpoints, with its id and validity period:
    what an auditor or a citizen checks with, offline, after any rotation."""
    return JsonResponse(signing.key_set_document(), json_dumps_params={"indent": 2})


@login_required
def receipt(request, number: str):
    """The printable receipt with its QR code, for the staff of the centre that took it."""
    try:
        found = services.receipt_get(number=number[:40])
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    require_centre_view(request.user, found.entry.centre, Role.COUNTER_OFFICER, Role.CENTRE_MANAGER)
    return render(
        request,
        "ledger/receipt.html",
        {"receipt": found, "entry": found.entry, "qr": qr_svg(verify_url(found.code))},
    )


# The ledger's days: nothing was paid before, and the end of the calendar overflowed (500).
PERIOD_LIMITS = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


class BadPeriod(ValueError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def _period(request) -> tuple[dt.date, dt.date]:
    """The report's days; an unreadable or out-of-range date is a BadPeriod naming its field
    (a mistyped date is refused, not silently replaced by today)."""
    today = clock.local_date()
    days = []
    for field in ("since", "until"):
        text = request.GET.get(field) or today.isoformat()
        try:
            if not text.isascii() or len(text) != 10:
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise BadPeriod(field) from None
        if not PERIOD_LIMITS[0] <= day <= PERIOD_LIMITS[1]:
            raise BadPeriod(field)
        days.append(day)
    first, last = days
    return (first, last) if first <= last else (last, first)


@login_required
def revenue(request, code: str | None = None):
    """Revenue by MDA, centre, service and day: every centre (Secretariat) or one centre (its
    manager, or the Secretariat); ?format=csv downloads the rows."""
    if code is None:
        require_staff(request.user, Role.SECRETARIAT)
        centre = None
    else:
        centre = get_object_or_404(Centre, code=code[:40])
        require_centre_view(request.user, centre, Role.CENTRE_MANAGER)
    try:
        first, last = _period(request)
    except BadPeriod as exc:
        message = _("%(field)s: enter a date (YYYY-MM-DD) from %(low)s to %(high)s.") % {
            "field": exc.field,
            "low": PERIOD_LIMITS[0].isoformat(),
            "high": PERIOD_LIMITS[1].isoformat(),
        }
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    rows = reports.revenue(first=first, last=last, centre=centre)
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.revenue_csv(rows), content_type="text/csv")
        name = f"revenue-{centre.code if centre else 'all'}-{first}-{last}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "centre": centre,
        "first": first,
        "last": last,
        "rows": rows,
        "total": sum((r["net"] for r in rows), Decimal("0.00")),
        "by_mda": reports.totals_by(rows, "mda"),
        "by_centre": reports.totals_by(rows, "centre"),
        "by_service": reports.totals_by(rows, "service"),
        "by_day": reports.totals_by(rows, "day"),
        "by_method": reports.revenue_by_method(first=first, last=last, centre=centre),
        "csv_query": urlencode({"since": first, "until": last, "format": "csv"}),
    }
    return render(request, "ledger/revenue.html", context)


@accepts_uploads
@login_required
def reconciliation(request):
    """The Secretariat compares a day of the ledger with the provider's account of it and sees
    every difference: an uploaded M-Pesa statement, or for card, Pesapal's status of each card
    order of the day (fetched now: the acquirer's own answer)."""
    require_staff(request.user, Role.SECRETARIAT)
    context = {"day": clock.local_date(), "differences": None, "errors": {}, "method": "mpesa"}
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("day", "")[:10])
        except ValueError:
            day = None
            context["errors"]["day"] = _("Enter the statement's date.")
        if request.POST.get("method") == "card":
            # The card acquirer's own status of each card order of the day is its statement.
            context["method"] = "card"
            if not context["errors"]:
                context["day"] = day
                try:
                    lines = reports.statement_fetch(method="card", day=day)
                    context["differences"] = reports.reconcile_lines(
                        lines=lines, day=day, method="card"
                    )
                except DomainError as exc:
                    context["errors"]["card_day"] = exc.message
            status = 400 if context["errors"] else 200
            return render(request, "ledger/reconciliation.html", context, status=status)
        upload = request.FILES.get("statement")
        if upload is None:
            context["errors"]["statement"] = _("Choose the statement file (CSV).")
        if not context["errors"]:
            context["day"] = day
            try:
                text = upload.read(settings.HUDUMA_MAX_UPLOAD_BYTES + 1)
                if len(text) > settings.HUDUMA_MAX_UPLOAD_BYTES:
                    raise BadStatement(_("The statement is too large."), field="statement")
                try:
                    decoded = text.decode("utf-8-sig")
                except UnicodeDecodeError as exc:
                    raise BadStatement(
                        _("The statement is not a UTF-8 CSV file."), field="statement"
                    ) from exc
                context["differences"] = reports.reconcile(statement=decoded, day=day)
            except DomainError as exc:
                context["errors"][exc.field or "statement"] = exc.message
        status = 400 if context["errors"] else 200
        return render(request, "ledger/reconciliation.html", context, status=status)
    return render(request, "ledger/reconciliation.html", context)


@login_required
def refunds(request):
    """Refunds of the officer's centre (all for the Secretariat): ask for one, or approve."""
    user = request.user
    require_staff(user, Role.COUNTER_OFFICER, Role.CENTRE_MANAGER, Role.SECRETARIAT)
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "request":
                services.refund_request(
                    receipt_number=request.POST.get("number", "")[:40],
                    amount=request.POST.get("amount", "")[:20],
                    reason=request.POST.get("reason", "")[:300],
                    by=user,
                )
                messages.success(request, _("Refund asked: another officer must approve it."))
            elif action in ("approve", "reject"):
                try:
                    refund_id = int(request.POST.get("refund", "")[:12])
                except ValueError as exc:
                    raise DomainError(_("Unknown refund."), field="refund") from exc
                if not Refund.objects.filter(pk=refund_id).exists():
                    raise DomainError(_("Unknown refund."), field="refund", status=404)
                if action == "approve":
                    services.refund_approve(refund_id=refund_id, by=user)
                    messages.success(request, _("Refund approved and posted."))
                else:
                    services.refund_reject(refund_id=refund_id, by=user)
                    messages.success(request, _("Refund rejected."))
            return redirect("ledger:refunds")
        except DomainError as exc:
            errors[exc.field or "refund"] = exc.message
    pending = Refund.objects.select_related(
        "payment__receipt", "payment__centre", "requested_by"
    ).filter(status=Refund.Status.PENDING)
    if not has_role(user, Role.SECRETARIAT):
        pending = pending.filter(payment__centre_id=user.centre_id)
    return render(
        request,
        "ledger/refunds.html",
        {"pending": pending[:200], "errors": errors},
        status=400 if errors else 200,
    )

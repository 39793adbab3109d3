"""Ledger pages: the public receipt check and public key, staff receipts, reports, reconciliation."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from huduma.accounts.models import Role
from huduma.accounts.permissions import require_centre_view
from huduma.core.errors import DomainError
from huduma.core.qr import qr_svg
from huduma.ledger import services, signing

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
    """The key that checks receipts and checkpoints offline (PEM, Ed25519)."""
    return HttpResponse(signing.public_key_pem(), content_type="application/x-pem-file")


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

"""The admin site behind the two-factor sign-in: django-otp's OTPAdminSite, with the staff
sign-in (password, then the authenticator code) in place of the admin's own login form."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class TwoFactorAdminSite(OTPAdminSite):
    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in fully (TwoFactorRequiredMiddleware sends the unverified to their code
            # first) but not admin staff: sending them to sign in again would loop.
            raise PermissionDenied("Your account cannot use the admin")
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("accounts:login")
        )

"""Staff sign-in (password, then an authenticator code for those who need one), the staff
pages of a centre (each checked for role and centre scope), and the pairing of registered
devices."""

from base64 import b32encode
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from huduma.accounts import devices, lockout, services
from huduma.accounts.forms import CodeForm, DeviceForm, PairForm, UnlockForm
from huduma.accounts.lockout import lockout_response
from huduma.accounts.models import Device, Role, User
from huduma.accounts.permissions import (
    can_view_centre,
    device_may_be_second_factor,
    has_role,
    needs_two_factor,
    require_centre,
    require_centre_view,
    watches_every_centre,
    works_at,
)
from huduma.core.errors import DomainError
from huduma.core.qr import qr_svg
from huduma.core.throttle import client_address
from huduma.places.models import Centre

# Where each kind of device goes once paired (URL names, so accounts imports no other app).
DEVICE_START = {Device.Kind.FEEDBACK_TABLET: "feedback:tablet"}
COUNTER_OFFICER_START = "queues:my_counter"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # An address that failed too often waits, unless this is the officer's known device.
        try:
            lockout.source_check(request, (request.POST.get("username") or "")[:150])
        except DomainError as exc:
            return render(
                request,
                "accounts/login.html",
                {"form": self.get_form(), "errors": {"id_username": exc.message}},
                status=exc.status,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if not needs_two_factor(user) or _registered_device_factor(self.request, user):
            lockout.remember_device(self.request, response, user.get_username())
        return response

    def get_default_redirect_url(self):
        # A counter officer's day is at their counter: they land on it (queues decides which).
        user = self.request.user
        if user.is_authenticated and user.role == Role.COUNTER_OFFICER:
            return resolve_url(COUNTER_OFFICER_START)
        return super().get_default_redirect_url()


def _registered_device_factor(request, user) -> bool:
    """A counter officer or Centre Manager at their registered device (the browser of an
    earlier complete sign-in of theirs, second factor included): that device is the second
    factor, and the sign-in is complete."""
    if not (device_may_be_second_factor(user) and lockout.known_device_id(request, user.username)):
        return False
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return False
    otp_login(request, device)
    services.sign_in_completed(user=user)
    return True


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "accounts:home"


@login_required
def two_factor(request):
    """The second step of signing in: enrol an authenticator app, or type its current code."""
    user = request.user
    if not needs_two_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    if _registered_device_factor(request, user):
        return redirect(_next_url(request))
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        response = lockout_response(request, credentials=credentials)
        logout(request)
        return response
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    enrolling = device is None
    if enrolling:
        device = services.totp_enrolment_device(user=user)
    form = CodeForm(request.POST or None)
    errors = {}
    if request.method == "POST":
        if form.is_valid() and services.totp_check(
            user=user, device=device, code=form.cleaned_data["code"]
        ):
            otp_login(request, device)
            services.sign_in_completed(user=user)
            response = redirect(_next_url(request))
            lockout.remember_device(request, response, user.get_username())
            return response
        if "code" in form.errors:
            errors["code"] = form.errors["code"][0]
        else:
            errors["code"] = _(
                "That code is wrong or has expired. Enter the code your app shows now."
            )
            # A wrong code counts toward the lockout like a wrong password.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                response = lockout_response(request, credentials=credentials)
                logout(request)
                return response
    context = {
        "form": form,
        "errors": errors,
        "enrolling": enrolling,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    if enrolling:
        secret = b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr"] = qr_svg(device.config_url, box_size=6)
    return render(request, "accounts/two_factor.html", context, status=400 if errors else 200)


def unlock(request):
    """A locked officer lifts their own lockout with their password and authenticator code."""
    form = UnlockForm(request.POST or None)
    errors, status = {}, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.unlock_with_second_factor(**form.cleaned_data)
            except DomainError as exc:
                errors, status = {"code": exc.message}, exc.status
            else:
                if user is not None:
                    messages.success(request, _("Your sign-in is unlocked. Sign in now."))
                    return redirect("accounts:login")
                errors, status = {"code": _("The password or the code is wrong.")}, 400
        else:
            errors, status = {name: errs[0] for name, errs in form.errors.items()}, 400
    return render(request, "accounts/unlock.html", {"form": form, "errors": errors}, status=status)


@login_required
def home(request):
    if not request.user.role:
        raise PermissionDenied("Staff only")
    if request.user.centre_id and not watches_every_centre(request.user):
        return redirect("accounts:centre", code=request.user.centre.code)
    # Monitors have no centre pages: they see complaints, not queues.
    centres = Centre.objects.none()
    if watches_every_centre(request.user):
        centres = Centre.objects.filter(status=Centre.Status.OPEN).select_related("county")
    return render(request, "accounts/home.html", {"centres": centres})


@login_required
def centre(request, code: str):
    centre = get_object_or_404(Centre, code=code)
    require_centre_view(request.user, centre)
    staff = (
        User.objects.filter(centre=centre, is_active=True)
        .select_related("mda")
        .order_by("role", "last_name")
    )
    counters = centre.counters.prefetch_related("skills__service").order_by("number")
    return render(
        request,
        "accounts/centre.html",
        {
            "centre": centre,
            "staff": staff,
            "counters": counters,
            "can_view": can_view_centre(request.user, centre),
            # Links to the queue's working pages only for those who may use them.
            "can_issue": works_at(request.user, centre)
            and has_role(request.user, Role.RECEPTION, Role.CENTRE_MANAGER, Role.COUNTER_OFFICER),
            "can_serve": works_at(request.user, centre)
            and has_role(request.user, Role.COUNTER_OFFICER, Role.CENTRE_MANAGER),
            "can_watch": watches_every_centre(request.user)
            or (works_at(request.user, centre) and has_role(request.user, Role.CENTRE_MANAGER)),
        },
    )


# --- registered devices ---------------------------------------------------------------------


def _managed_centre(request, code: str) -> Centre:
    centre = get_object_or_404(Centre, code=code)
    require_centre(request.user, centre, Role.CENTRE_MANAGER)
    return centre


def _pairing_context(request, device: Device, code: str) -> dict:
    url = request.build_absolute_uri(reverse("devices:pair") + "?" + urlencode({"code": code}))
    return {"paired_device": device, "pairing_code": code, "pairing_url": url, "qr": qr_svg(url)}


@login_required
def device_list(request, code: str):
    centre = _managed_centre(request, code)
    form = DeviceForm(request.POST or None, centre=centre)
    context = {"centre": centre, "form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device, pairing_code = devices.device_register(
                    centre=centre, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                context["errors"] = {exc.field or "name": exc.message}
                status = 400
            else:
                context.update(_pairing_context(request, device, pairing_code))
                context["form"] = DeviceForm(centre=centre)
        else:
            context["errors"] = {name: errs[0] for name, errs in form.errors.items()}
            status = 400
    context["devices"] = centre.devices.select_related("counter").order_by("kind", "name")
    return render(request, "accounts/devices.html", context, status=status)


@login_required
@require_POST
def device_action(request, code: str, device_id, action: str):
    centre = _managed_centre(request, code)
    device = get_object_or_404(Device, pk=device_id, centre=centre)
    try:
        if action == "revoke":
            devices.device_revoke(device=device, actor=request.user)
            messages.success(request, _("%(name)s can no longer be used.") % {"name": device.name})
        elif action == "pairing-code":
            pairing_code = devices.device_pairing_code_issue(device=device, actor=request.user)
            context = {
                "centre": centre,
                "form": DeviceForm(centre=centre),
                "devices": centre.devices.select_related("counter").order_by("kind", "name"),
                **_pairing_context(request, device, pairing_code),
            }
            return render(request, "accounts/devices.html", context)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:devices", centre.code)


# Pairing is public (the device has no account): wrong codes are limited per address and
# nationwide (devices.device_pair); right codes never, so a centre pairs all its tablets.
def device_pair(request):
    form = PairForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            device, token = devices.device_pair(
                code=form.cleaned_data["code"], source=client_address(request)
            )
        except DomainError as exc:
            context["errors"] = {"code": exc.message}
            return render(request, "accounts/device_pair.html", context, status=exc.status)
        # A device never holds a staff session: whoever was signed in on it is signed out.
        logout(request)
        if device.kind == Device.Kind.KIOSK:
            response = redirect("queues:kiosk", device.centre.code)
        else:
            response = redirect(DEVICE_START.get(device.kind, "devices:paired"))
        devices.set_device_cookie(response, token)
        return response
    if request.method == "POST":
        context["errors"] = {"code": _("Enter the pairing code")}
        return render(request, "accounts/device_pair.html", context, status=400)
    return render(request, "accounts/device_pair.html", context)


@devices.device_required()
def device_paired(request):
    return render(request, "accounts/device_paired.html", {"device": request.device})

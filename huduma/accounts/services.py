"""Account verbs: sign-in events in the audit chain, lockout bookkeeping and TOTP devices."""

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from huduma.accounts.lockout import LOCKED_OUT_ACTION, source_failed
from huduma.accounts.models import Citizen, User
from huduma.accounts.permissions import needs_two_factor
from huduma.core import audit, clock
from huduma.core.errors import DomainError
from huduma.core.throttle import target_check, target_missed

TOTP_DEVICE_NAME = "Authenticator app"
UNLOCK_WRONG_TRIES = 5
UNLOCK_WINDOW_S = 3600
# Session key of the last activity, for the idle timeout (accounts.middleware).
LAST_ACTIVITY_KEY = "huduma_last_activity"


def mark_active(request) -> None:
    request.session[LAST_ACTIVITY_KEY] = int(clock.now().timestamp())


def record_sign_in(sender, request, user, **kwargs) -> None:
    audit.record(action="auth.sign_in", instance=user, actor=user)
    if request is not None and hasattr(request, "session"):
        mark_active(request)
    if not needs_two_factor(user):
        sign_in_completed(user=user)


def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # The attempted username only: never the password, and nothing personal beyond it.
    username = str(credentials.get("username", ""))[:150]
    audit.record(action="auth.sign_in_failed", object_type="accounts.user", object_repr=username)
    source_failed(request, username)


def record_lockout(sender, request, username, ip_address=None, **kwargs) -> None:
    """axes' user_locked_out: record a new lockout (its count sets the next one's length)."""
    # axes also sends the signal for each retry during a lockout; only a new lockout has a count.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    audit.record(
        action=LOCKED_OUT_ACTION, object_type="accounts.user", object_repr=str(username or "")
    )


def sign_in_completed(*, user) -> None:
    """The whole sign-in succeeded (second factor included): forget the failures, the known
    devices' own buckets included."""
    axes_reset(username=user.get_username())
    AccessAttempt.objects.filter(username__startswith=f"{user.get_username()}#").delete()


@transaction.atomic
def unlock_with_second_factor(*, username: str, password: str, code: str):
    """A locked officer lifts their own lockout: their password and a code from their
    authenticator. Limited per username, whatever the address. Returns the user, or None."""
    target_check(
        "unlock", username, limit=UNLOCK_WRONG_TRIES, message=_("Too many tries."), field="code"
    )
    user = User.objects.filter(username=username, is_active=True).first()
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if user is not None
        else None
    )
    if (
        device is None
        or not user.check_password(password)
        or not code
        or not device.verify_token(code)
    ):
        target_missed("unlock", username, window_s=UNLOCK_WINDOW_S)
        return None
    sign_in_completed(user=user)
    audit.record(action="auth.unlocked_with_second_factor", instance=user, actor=user)
    return user


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The not-yet-confirmed device being enrolled; reloading the page keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_check(*, user, device: TOTPDevice, code: str) -> bool:
    """Check a 6-digit code; the first right code confirms a device being enrolled."""
    if device.user_id != user.pk or not device.verify_token(code):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit.record(action="auth.two_factor_enrolled", instance=user, actor=user)
    return True


# --- citizens known by phone -------------------------------------------------------------------


def citizen_language(*, phone: str) -> str | None:
    """The language a citizen chose on a channel that knows them by phone (USSD), if any."""
    return Citizen.objects.filter(phone=phone).values_list("language", flat=True).first()


def citizen_language_set(*, phone: str, language: str) -> Citizen:
    """Remember the language for this phone (E.164): every channel then speaks it to them.
    One row per phone (unique), so two sessions at once cannot make two citizens."""
    if language not in ("en", "sw"):
        raise DomainError(_("Choose English or Kiswahili."), field="language")
    citizen, _created = Citizen.objects.update_or_create(
        phone=phone, defaults={"language": language}
    )
    return citizen

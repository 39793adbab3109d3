"""Staff accounts (role, centre, MDA), the citizens we notify, and registered devices."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.ids import uuid7


class Role(models.TextChoices):
    RECEPTION = "reception", _("Reception / floor marshal")
    COUNTER_OFFICER = "counter_officer", _("Counter officer")
    BACK_OFFICE = "back_office", _("Back-office officer")
    CENTRE_MANAGER = "centre_manager", _("Centre Manager")
    SECRETARIAT = "secretariat", _("Huduma Kenya Secretariat")
    MONITOR = "monitor", _("External monitor (EACC, Ombudsman)")
    SYSADMIN = "sysadmin", _("System administrator")
    CONTACT_AGENT = "contact_agent", _("Contact-centre agent")
    COUNSELLOR = "counsellor", _("Tele-counsellor")
    TECHNICAL_COMMITTEE = "technical_committee", _("Technical Committee member")


# Who works for no single centre. The one place national roles are listed; permissions.py
# derives every check from these sets, so the monitor cannot be national in one place and not
# in another.
NATIONAL_ROLES = frozenset(
    {
        Role.SECRETARIAT,
        Role.SYSADMIN,
        Role.MONITOR,
        Role.CONTACT_AGENT,
        Role.COUNSELLOR,
        Role.TECHNICAL_COMMITTEE,
    }
)
CENTRE_ROLES = frozenset(
    {Role.RECEPTION, Role.COUNTER_OFFICER, Role.CENTRE_MANAGER, Role.BACK_OFFICE}
)
# National roles that watch every centre (live views, staff lists): read only, never the
# queue's actions. Monitors (EACC, Ombudsman) see complaints, not centres' queues.
CENTRE_WATCHER_ROLES = frozenset({Role.SECRETARIAT, Role.SYSADMIN})
# Roles that must sign in with a second factor (TOTP), as must anyone who can enter the admin.
TWO_FACTOR_ROLES = frozenset({Role.SECRETARIAT, Role.SYSADMIN})
# Roles that also sign in with a second factor (settings.STAFF_SECOND_FACTOR_AT_COUNTERS): a
# TOTP code, or their registered device, the browser of an earlier complete sign-in of theirs.
DEVICE_FACTOR_ROLES = frozenset({Role.COUNTER_OFFICER, Role.CENTRE_MANAGER})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    centre = models.ForeignKey(
        "places.Centre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("The one centre this staff member works at."),
    )
    mda = models.ForeignKey(
        "catalogue.MDA",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("The MDA that seconded this officer, or the monitor's institution."),
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=[("en", "English"), ("sw", "Kiswahili")], default="en"
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["reception", "counter_officer", "centre_manager"])
                | models.Q(centre__isnull=False),
                name="centre_staff_have_a_centre",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Citizen(models.Model):
    """A citizen known by phone number, with the language we write to them in."""

    phone = models.CharField(_("phone"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=[("en", "English"), ("sw", "Kiswahili")], default="sw"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return self.name or _("Citizen %(id)s") % {"id": self.pk}


class Device(models.Model):
    """A registered device (feedback tablet, kiosk, field kit), paired once, then holding a
    revocable token. It acts for its centre (and counter), never as a member of staff."""

    class Kind(models.TextChoices):
        FEEDBACK_TABLET = "feedback_tablet", _("Feedback tablet")
        KIOSK = "kiosk", _("Self-service kiosk")
        FIELD_KIT = "field_kit", _("Outreach field kit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be paired")
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    centre = models.ForeignKey("places.Centre", on_delete=models.PROTECT, related_name="devices")
    counter = models.ForeignKey(
        "places.Counter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        help_text=_("The counter a feedback tablet faces; empty for the hall."),
    )
    name = models.CharField(_("name"), max_length=80)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    # Only SHA-256 digests are stored: a copy of the database pairs nothing and opens nothing.
    # NULL, not "", when absent, so the unique constraints ignore devices without one.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    pairing_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    pairing_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    paired_at = models.DateTimeField(_("paired"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        ordering = ["centre", "kind", "name"]
        verbose_name = _("registered device")
        verbose_name_plural = _("registered devices")
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="device_name_unique_in_centre"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

"""Demo data: counters and staff at a few centres, so every capability has something to run on.

Idempotent like the reference loader. All demo accounts share one password, printed by
`make demo`; never load this on a production server.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from huduma.accounts.models import Role, User
from huduma.catalogue.models import MDA, CounterService, Service
from huduma.places.models import Centre, Counter

DEMO_CENTRES = ("gpo-nairobi", "kisumu", "eldoret")
# The MDAs whose services get counters, in counter order; the rest are served at the
# general enquiries counter.
COUNTER_MDAS = (
    "NRB",
    "CRD",
    "NHIF",
    "NSSF",
    "KRA",
    "NTSA",
    "DCI",
    "BRS",
    "HELB",
    "NPS",
    "IEBC",
    "AGPO",
)


# What the apps above accounts add to the demo once its staff exist. Each registers its step in
# its AppConfig.ready (accounts imports none of them); `load_demo` runs the steps in the order
# of INSTALLED_APPS and prints the lines each returns.
_demo_steps: list[Callable[[], list[str]]] = []


def register_demo_step(step: Callable[[], list[str]]) -> None:
    if step not in _demo_steps:
        _demo_steps.append(step)


def demo_steps() -> list[Callable[[], list[str]]]:
    return list(_demo_steps)


@dataclass
class DemoLogin:
    username: str
    role: str
    centre: str
    totp_uri: str = ""  # the authenticator-app key, for accounts that sign in with a code


def _demo_totp(user: User) -> str:
    """Enrol an authenticator for a demo account that needs one (kept across re-runs), so the
    demo signs in with the same two-factor step as production; returns its otpauth:// URI."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return device.config_url


def _secretariat_group() -> Group:
    group, _ = Group.objects.get_or_create(name="Secretariat")
    perms = Permission.objects.filter(
        content_type__app_label__in=["catalogue", "places", "accounts", "core", "notify"]
    )
    group.permissions.set(perms)
    return group


def _user(username: str, password_hash: str, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, password=password_hash, **fields)
        user.save()
    else:
        for key, value in fields.items():
            setattr(user, key, value)
        user.password = password_hash
        user.save()
    return user


@transaction.atomic
def load_demo_data(password: str) -> list[DemoLogin]:
    password_hash = make_password(password)
    logins: list[DemoLogin] = []
    mdas = {m.code: m for m in MDA.objects.all()}
    services = list(Service.objects.filter(is_active=True).select_related("mda"))
    by_mda: dict[str, list[Service]] = {}
    for service in services:
        by_mda.setdefault(service.mda.code, []).append(service)
    counter_mdas = [code for code in COUNTER_MDAS if code in by_mda]
    other = [s for code, items in by_mda.items() if code not in counter_mdas for s in items]

    sec = _user(
        "secretariat",
        password_hash,
        role=Role.SECRETARIAT,
        first_name="Sara",
        last_name="Wanjiku",
        is_staff=True,
    )
    sec.groups.add(_secretariat_group())
    logins.append(
        DemoLogin("secretariat", "Secretariat (catalogue admin at /admin/)", "all", _demo_totp(sec))
    )
    sysadmin = _user(
        "sysadmin",
        password_hash,
        role=Role.SYSADMIN,
        first_name="Sam",
        last_name="Otieno",
        is_staff=True,
        is_superuser=True,
    )
    logins.append(DemoLogin("sysadmin", "System administrator", "all", _demo_totp(sysadmin)))
    eacc = mdas.get("EACC")
    _user(
        "monitor.eacc",
        password_hash,
        role=Role.MONITOR,
        mda=eacc,
        first_name="Mary",
        last_name="Achieng",
    )
    logins.append(DemoLogin("monitor.eacc", "EACC monitor", "all"))
    # The Commission on Administrative Justice: a monitor, and the independent reviewer of
    # appeals and overdue cases at the top (huduma/complaints/permissions.py).
    _user(
        "monitor.caj",
        password_hash,
        role=Role.MONITOR,
        mda=mdas.get("CAJ"),
        first_name="Grace",
        last_name="Wambui",
    )
    logins.append(DemoLogin("monitor.caj", "Commission on Administrative Justice", "all"))

    for centre_code in DEMO_CENTRES:
        centre = Centre.objects.filter(code=centre_code).first()
        if centre is None:
            continue
        short = centre_code.split("-")[0]
        number = 0
        for mda_code in counter_mdas:
            number += 1
            counter, _ = Counter.objects.get_or_create(
                centre=centre, number=number, defaults={"name": mdas[mda_code].code}
            )
            skills = list(by_mda[mda_code])
            # Cross-training: every third counter also serves the next MDA's services.
            if number % 3 == 0 and number < len(counter_mdas):
                skills += by_mda[counter_mdas[number]]
            for service in skills:
                CounterService.objects.get_or_create(counter=counter, service=service)
            for n in (1, 2):  # at least two officers per service, so outreach can take one
                _user(
                    f"officer.{short}.{number}{'ab'[n - 1]}",
                    password_hash,
                    role=Role.COUNTER_OFFICER,
                    centre=centre,
                    mda=mdas[mda_code],
                    first_name=f"Officer {number}{'AB'[n - 1]}",
                    last_name=centre.name.removeprefix("Huduma Centre "),
                )
        number += 1
        general, _ = Counter.objects.get_or_create(
            centre=centre, number=number, defaults={"name": "General"}
        )
        for service in other:
            CounterService.objects.get_or_create(counter=general, service=service)
        _user(
            f"officer.{short}.{number}a",
            password_hash,
            role=Role.COUNTER_OFFICER,
            centre=centre,
            first_name="General officer",
            last_name=centre.name.removeprefix("Huduma Centre "),
        )
        manager = _user(
            f"manager.{short}",
            password_hash,
            role=Role.CENTRE_MANAGER,
            centre=centre,
            first_name="Manager",
            last_name=centre.name.removeprefix("Huduma Centre "),
        )
        _user(
            f"reception.{short}",
            password_hash,
            role=Role.RECEPTION,
            centre=centre,
            first_name="Reception",
            last_name=centre.name.removeprefix("Huduma Centre "),
        )
        nrb = mdas.get("NRB")
        _user(
            f"backoffice.{short}.nrb",
            password_hash,
            role=Role.BACK_OFFICE,
            centre=centre,
            mda=nrb,
            first_name="Back office",
            last_name="NRB",
        )
        logins += [
            # Counter officers and managers sign in with a second factor too (a code at a new
            # device): the demo enrols an authenticator for them as for the Secretariat.
            DemoLogin(f"manager.{short}", "Centre Manager", centre.name, _demo_totp(manager)),
            DemoLogin(f"reception.{short}", "Reception", centre.name),
            DemoLogin(
                f"officer.{short}.1a",
                "Counter officer, counter 1",
                centre.name,
                _demo_totp(User.objects.get(username=f"officer.{short}.1a")),
            ),
            DemoLogin(f"backoffice.{short}.nrb", "Back-office officer (NRB)", centre.name),
        ]
    return logins


def demo_device_pairing_codes() -> list[tuple[str, str]]:
    """A kiosk and a counter-1 feedback tablet at GPO Nairobi, each with a fresh pairing code
    (valid for minutes, like any): (what, code). Re-running gives new codes, never new devices."""
    from huduma.accounts import devices
    from huduma.accounts.models import Device

    centre = Centre.objects.get(code="gpo-nairobi")
    manager = User.objects.get(username="manager.gpo")
    counter = Counter.objects.filter(centre=centre, number=1).first()
    wanted = [
        (Device.Kind.KIOSK, "Demo kiosk", None),
        (Device.Kind.FEEDBACK_TABLET, "Demo tablet, counter 1", counter),
    ]
    codes = []
    for kind, name, at_counter in wanted:
        device = Device.objects.filter(centre=centre, kind=kind, name=name).first()
        if device is None:
            device, code = devices.device_register(
                centre=centre, kind=kind, name=name, counter=at_counter, actor=manager
            )
        else:
            code = devices.device_pairing_code_issue(device=device, actor=manager)
        codes.append((name, code))
    return codes

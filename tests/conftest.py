"""The small world every test runs in: two centres, a few services, named staff.

alice: counter officer at GPO Nairobi; bob: Centre Manager at GPO Nairobi;
charlie: counter officer at Kisumu; sam: Secretariat; mona: EACC monitor.
"""

import os
import re
import shutil
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from huduma.accounts.models import Role, User
from huduma.catalogue.models import (
    MDA,
    CentreService,
    CounterService,
    Requirement,
    Service,
    ServiceChannel,
)
from huduma.catalogue.services import service_refresh_search
from huduma.notify.backends import MemoryBackend
from huduma.places.models import Centre, Counter, County

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = "/usr/bin/chromium"


def require_postgres():
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI=true: this test must run on PostgreSQL")
        pytest.skip("needs PostgreSQL")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The public holidays the migration seeds, put back if a transactional test (which empties
    every table) ran against a reused test database."""
    from huduma.core.holidays import holidays_seed

    with django_db_blocker.unblock():
        holidays_seed()


@pytest.fixture(autouse=True)
def holidays_present(request, django_db_blocker):
    """The seeded public holidays, before every test that uses the database: a transactional
    test (a browser test, a live server) empties every table when it ends, and whichever test
    a worker runs next (the order differs under pytest-xdist) must still find them."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    from huduma.core.holidays import holidays_seed
    from huduma.core.models import Holiday

    with django_db_blocker.unblock():
        if not Holiday.objects.exists():
            holidays_seed()


@pytest.fixture(autouse=True)
def fresh_reference_cache():
    """Rows cached by an earlier test (rolled back since) must not leak into the next."""
    from huduma.core import clock, refcache

    refcache.clear()
    clock.holidays_changed()
    yield
    refcache.clear()
    clock.holidays_changed()


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request in Swahili leaves Swahili active in the thread (LocaleMiddleware does not
    reset it): the next test must not read its messages in Swahili by accident."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_BACKEND = "memory"
    MemoryBackend.outbox = []
    MemoryBackend.fail_next = 0
    yield MemoryBackend


def make_service(
    mda,
    code,
    name_en,
    name_sw,
    *,
    fee="100.00",
    days=5,
    group="A",
    requirements=(("National ID card", "Kitambulisho cha kitaifa"),),
    channels=("centre",),
    keywords_en="",
    keywords_sw="",
    portable=True,
):
    service = Service.objects.create(
        code=code,
        mda=mda,
        group=group,
        name_en=name_en,
        name_sw=name_sw,
        description_en=f"{name_en}.",
        description_sw=f"{name_sw}.",
        keywords_en=keywords_en,
        keywords_sw=keywords_sw,
        fee_kes=Decimal(fee),
        turnaround_days=days,
        portable=portable,
        needs_documents=bool(requirements),
    )
    for n, (en, sw) in enumerate(requirements):
        Requirement.objects.create(service=service, position=n, text_en=en, text_sw=sw)
    for channel in channels:
        ServiceChannel.objects.create(
            service=service,
            channel=channel,
            how_en=f"Apply at {channel}.",
            how_sw=f"Omba kupitia {channel}.",
        )
    service_refresh_search(service=service)
    service.refresh_from_db()
    return service


class World:
    pass


def sign_in_verified(client, user):
    """force_login, then mark the session as past the two-factor step (a confirmed TOTP device),
    as the Secretariat, system administrators and admin users need to reach their pages."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def world(db):
    w = World()
    nairobi = County.objects.create(code=47, name="Nairobi", capital="Nairobi")
    kisumu = County.objects.create(code=42, name="Kisumu", capital="Kisumu")
    w.gpo = Centre.objects.create(code="gpo-nairobi", name="Huduma Centre GPO", county=nairobi)
    w.kisumu = Centre.objects.create(code="kisumu", name="Huduma Centre Kisumu", county=kisumu)
    w.nrb = MDA.objects.create(
        code="NRB", name_en="National Registration Bureau", name_sw="Ofisi ya Usajili wa Kitaifa"
    )
    w.nhif = MDA.objects.create(
        code="NHIF",
        name_en="National Hospital Insurance Fund",
        name_sw="Mfuko wa Kitaifa wa Bima ya Afya",
    )
    w.kra = MDA.objects.create(
        code="KRA", name_en="Kenya Revenue Authority", name_sw="Mamlaka ya Ushuru Kenya"
    )
    w.id_dup = make_service(
        w.nrb,
        "NRB-ID-DUPLICATE",
        "Replacement of a lost ID card",
        "Kubadilisha kitambulisho kilichopotea",
        keywords_en="duplicate id, lost identity card",
        keywords_sw="kitambulisho",
        requirements=(("Police abstract", "Hati ya polisi"),),
    )
    w.nhif_reg = make_service(
        w.nhif,
        "NHIF-REGISTRATION",
        "NHIF registration",
        "Usajili wa NHIF",
        group="B",
        fee="0.00",
        days=0,
        keywords_en="health insurance",
        keywords_sw="bima ya afya",
        channels=("centre", "ehuduma"),
    )
    w.kra_pin = make_service(
        w.kra,
        "KRA-PIN",
        "KRA PIN registration",
        "Usajili wa PIN ya KRA",
        group="C",
        fee="0.00",
        days=0,
        keywords_en="tax pin",
        keywords_sw="ushuru",
        channels=("centre", "ehuduma"),
        portable=False,
    )
    for centre in (w.gpo, w.kisumu):
        for service in (w.id_dup, w.nhif_reg, w.kra_pin):
            CentreService.objects.create(centre=centre, service=service)
    w.counters = {}
    for centre in (w.gpo, w.kisumu):
        for number, services in ((1, [w.id_dup]), (2, [w.nhif_reg]), (3, [w.kra_pin, w.nhif_reg])):
            counter = Counter.objects.create(centre=centre, number=number)
            for service in services:
                CounterService.objects.create(counter=counter, service=service)
            w.counters[(centre.code, number)] = counter

    def staff(username, role, centre=None, mda=None, **extra):
        user = User.objects.create_user(
            username=username,
            password="pw-" + username,
            role=role,
            centre=centre,
            mda=mda,
            first_name=username.title(),
            **extra,
        )
        return user

    w.alice = staff("alice", Role.COUNTER_OFFICER, w.gpo, w.nrb)
    w.bob = staff("bob", Role.CENTRE_MANAGER, w.gpo)
    w.charlie = staff("charlie", Role.COUNTER_OFFICER, w.kisumu, w.nhif)
    w.sam = staff("sam", Role.SECRETARIAT, is_staff=True, is_superuser=True)
    w.mona = staff("mona", Role.MONITOR)
    return w


@pytest.fixture
def reference(db):
    """The full national reference data, loaded by the real loader (no boundary polygons)."""
    from huduma.catalogue.loader import load_reference_data

    return load_reference_data(with_boundaries=False)


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        if IN_CI:
            pytest.fail("CI=true: Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium not installed")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page):
    """Run axe-core (served from the PyPI package, never a CDN) and fail on WCAG A/AA issues."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]})
    violations = results.response.get("violations", [])
    assert not violations, results.generate_report()


# A page that refreshes itself must stay right when nobody touches it: a browser test marked
# `@pytest.mark.idle_pages("<template>", ...)` leaves it idle for three of its own polls with
# `idle_then_use`, then uses it. tests/test_idle_rule.py fails for a polling template that no
# such test names, so a new polling page cannot skip it.
IDLE_LONGEST_POLL_SECONDS = 2.0
_EVERY = re.compile(r"every\s+(\d+(?:\.\d+)?)(ms|s)\b")


@pytest.fixture
def fast_polls(settings):
    """Every self-refreshing page polls each second, so an idle test takes seconds."""
    for name in (
        "QMS_CONSOLE_POLL_SECONDS",
        "QMS_TICKET_POLL_SECONDS",
        "QMS_DISPLAY_POLL_SECONDS",
        "QMS_LIVE_POLL_SECONDS",
        "QMS_LIVE_SATISFACTION_POLL_SECONDS",
        "QMS_LIVE_BREACHES_POLL_SECONDS",
        "EIFD_POLL_SECONDS",
    ):
        setattr(settings, name, 1)
    settings.KIOSK_IDLE_SECONDS = settings.KIOSK_TICKET_SECONDS = 1
    return settings


def idle_then_use(page, polls: int = 3) -> dict[str, int]:
    """Leave `page` untouched for `polls` of its own refresh intervals, read from the page (its
    `hx-trigger="every Ns"` elements, or a kiosk's `data-kiosk-idle` timer), then give it back
    to the test, which uses it. Fails when the page refreshes nothing, when an interval is too
    long for a test (make it a setting), when a poller fired fewer than `polls` times, or when
    a request answered 4xx/5xx or a script failed meanwhile. Returns the polls seen by path."""
    pollers = page.eval_on_selector_all(
        "[hx-trigger*='every']",
        "els => els.map(e => [e.getAttribute('hx-get'), e.getAttribute('hx-trigger')])",
    )
    intervals: dict[str, float] = {}
    for url, trigger in pollers:
        match = _EVERY.search(trigger or "")
        assert url and match, f"a poller without a URL or an interval: {url!r} {trigger!r}"
        seconds = float(match[1]) / (1000 if match[2] == "ms" else 1)
        intervals[urlsplit(url).path] = seconds
    timer = page.evaluate("() => document.body.getAttribute('data-kiosk-idle')")
    assert intervals or timer, "this page refreshes nothing: not an idle test"
    longest = max([*intervals.values(), float(timer or 0)])
    assert longest <= IDLE_LONGEST_POLL_SECONDS, (
        f"a {longest} s poll makes a slow idle test: set its setting to 1 (fast_polls)"
    )
    seen: dict[str, int] = dict.fromkeys(intervals, 0)
    failures: list[str] = []

    def on_response(response):
        path = urlsplit(response.url).path
        if path in seen:
            seen[path] += 1
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    def on_error(error):
        failures.append(f"script error: {error}")

    page.on("response", on_response)
    page.on("pageerror", on_error)
    try:
        page.wait_for_timeout(int((polls * longest + 0.8) * 1000))
    finally:
        page.remove_listener("response", on_response)
        page.remove_listener("pageerror", on_error)
    assert not failures, failures
    short = {path: n for path, n in seen.items() if n < polls}
    assert not short, f"pollers that fired fewer than {polls} times while idle: {short}"
    return seen


class Clock:
    """Sets the time every domain rule reads (huduma.core.clock.now)."""

    def __init__(self, monkeypatch, start):
        self.current = start
        monkeypatch.setattr("huduma.core.clock.now", lambda: self.current)

    def set(self, moment):
        self.current = moment

    def advance(self, **delta):
        import datetime as dt

        self.current += dt.timedelta(**delta)
        return self.current


@pytest.fixture
def clock(monkeypatch):
    """A Tuesday morning in Nairobi, 09:00, that tests move forward by hand."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    return Clock(monkeypatch, dt.datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Africa/Nairobi")))


@pytest.fixture
def officers(world):
    """Extra counter officers at GPO so every counter can be staffed."""
    from huduma.accounts.models import Role, User

    names = {}
    for number in (1, 2, 3):
        names[number] = User.objects.create_user(
            username=f"gpo{number}",
            password="pw",
            role=Role.COUNTER_OFFICER,
            centre=world.gpo,
            first_name=f"Officer{number}",
        )
    return names


def pair_device(world, centre, kind, name="Kiosk"):
    """Register and pair a device at `centre`; returns its token (the verb checks no role:
    the Centre Manager's page does)."""
    from huduma.accounts import devices

    manager = world.bob if centre == world.gpo else world.charlie
    _device, code = devices.device_register(centre=centre, kind=kind, name=name, actor=manager)
    return devices.device_pair(code=code)[1]


@pytest.fixture
def kiosk_token(world):
    """The token of a kiosk paired at GPO Nairobi (a kiosk is a registered device)."""
    return pair_device(world, world.gpo, "kiosk")


@pytest.fixture
def kiosk(client, kiosk_token):
    """The test client acting as GPO Nairobi's paired kiosk (its device cookie set)."""
    client.cookies["huduma_device"] = kiosk_token
    return client


def callback_outcome(url: str, body: dict) -> str:
    """What a delivered STK callback led to, as stored with it (never in the HTTP answer)."""
    from huduma.notify.models import InboundWebhook
    from huduma.payments.services import stk_callback_key

    secret = url.rstrip("/").rsplit("/", 1)[1]
    key = stk_callback_key(secret=secret, body=body)
    return InboundWebhook.objects.get(provider="mpesa", kind="stk", provider_id=key).outcome[
        "outcome"
    ]


def callback_secret(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


class Sandbox:
    """The Daraja sandbox's callbacks, kept (PAYMENTS_SANDBOX_DELIVERY=manual) for the test to
    deliver over HTTP to the callback URL, as Safaricom would."""

    def __init__(self, client):
        from huduma.payments.providers import SandboxDaraja

        self.client = client
        self.sent = SandboxDaraja.outbox
        self.sent.clear()
        SandboxDaraja.processing.clear()

    def deliver(self, *, late: bool | None = None) -> list[dict]:
        from django.conf import settings

        from huduma.payments.providers import LATE_CALLBACK_SECONDS

        answers = []
        pending, self.sent[:] = list(self.sent), []
        for url, body, delay in pending:
            if late is not None and (delay >= LATE_CALLBACK_SECONDS) != late:
                self.sent.append((url, body, delay))
                continue
            path = url.removeprefix(settings.PUBLIC_URL)
            response = self.client.post(path, body, content_type="application/json")
            assert response.status_code == 200, response.content
            # The answer is the same whatever happened; the outcome is kept with the callback.
            assert response.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
            answers.append({**response.json(), "outcome": callback_outcome(url, body)})
        return answers


@pytest.fixture
def sandbox(db):
    from django.test import Client

    return Sandbox(Client())


@pytest.fixture
def real_cache(settings):
    """A working cache (the tests' default is a dummy), empty before and after: for the limits
    on tries, which count in the cache."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


# The longest files, started first: with the files shared out one at a time between processes
# (`--dist loadfile`), a long file collected last runs alone at the end while the other
# processes wait. Measured with `--durations` (whole file, set-up included); the order of the
# rest does not change.
LONGEST_FIRST = (
    "test_api_fuzz.py",
    "test_outreach_kit_audit.py",
    "test_reference_loader.py",
    "test_search_phrasings.py",
    "test_outreach_slow_link.py",
    "test_assistant_questions.py",
    "test_deploy_connections.py",
    "test_outreach_fieldkit.py",
    "test_assistant_channels.py",
    "test_demo.py",
    "test_browser_admin.py",
    "test_outreach_kit_restore.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))

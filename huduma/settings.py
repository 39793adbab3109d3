"""Huduma settings, read from the environment once, failing at start-up on a bad value."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUDUMA_VAR_DIR", BASE_DIR / "var"))
# What the SMS provider accepted, until the database has it (huduma/notify/journal.py).
SMS_SENT_JOURNAL_DIR = os.environ.get("SMS_SENT_JOURNAL_DIR", str(VAR_DIR / "sms-accepted"))
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}")
    return int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("HUDUMA_DEMO", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # A field kit signs only its own sessions: it makes its key at its first start, like the demo.
    field_kit = os.environ.get("HUDUMA_MODE") == "field"
    if not (DEBUG or DEMO or field_kit or env_bool("HUDUMA_TESTING")):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # The demo generates its own key once and keeps it under var/, so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The id of this installation: "central" for the national server, a kit id for outreach kits.
NODE_ID = os.environ.get("HUDUMA_NODE_ID", "central")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "ninja",  # serves the API docs (Swagger UI) from our own static files, not a CDN
    "huey.contrib.djhuey",
    "import_export",
    "huduma.core",
    "huduma.places",
    "huduma.catalogue",
    "huduma.accounts",
    "huduma.notify",
    "huduma.queues",
    "huduma.complaints",
    "huduma.feedback",
    "huduma.applications",
    "huduma.ledger",
    "huduma.payments",
    "huduma.outreach",
    "huduma.staffing",
    # Faces over the apps' services (no app imports them):
    "huduma.channels.ussd",
    "huduma.channels.contact",
    "huduma.channels.assistant",
    # Reads every app; read by none:
    "huduma.performance",
    "huduma.insights",
]

MIDDLEWARE = [
    "huduma.core.outage.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "huduma.core.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (which answers static files with their own pre-compressed copy) and
    # before everything that writes the body or the Vary header (huduma.core.compression).
    "huduma.core.compression.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huduma.core.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "huduma.urls"
WSGI_APPLICATION = "huduma.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["huduma.accounts.backends.CachedModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "huduma" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "huduma.core.context_processors.complaints",
                "huduma.core.context_processors.payments_sandbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'huduma.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the worker read while the other writes; the timeout makes
    # concurrent writers wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # While PostgreSQL is away (a restart, a network cut) a request fails within this many
    # seconds with a 503 (huduma.core.outage) instead of hanging; when it is back, the
    # health check below replaces the broken persistent connection without a restart.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "3")),
        # A silent partition (packets dropped, no reset) must not hang a request for its whole
        # length: the kernel gives up on data PostgreSQL has not acknowledged after
        # DB_TCP_USER_TIMEOUT_MS, and probes a connection silent for DB_KEEPALIVES_IDLE s (a
        # query sent, no answer coming back) with the same limit, so a request on a kept
        # connection fails within about idle + user timeout (README "Connections"), then a 503.
        "keepalives": 1,
        "keepalives_idle": env_int("DB_KEEPALIVES_IDLE", 2),
        "keepalives_interval": 1,
        "keepalives_count": 3,
        "tcp_user_timeout": env_int("DB_TCP_USER_TIMEOUT_MS", 3000),
        # A runaway query is stopped by the server (the reports' longest is well under this).
        "options": f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 30000)}",
    }
    DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0)
    if DB_POOL_MAX_SIZE:
        # Django's psycopg pool: each process holds at most DB_POOL_MAX_SIZE connections (one
        # per Granian blocking thread, README "Connections"); a request that finds none free
        # within DB_POOL_TIMEOUT s gets a 503 (huduma.core.outage), never a new connection.
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(2, DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": env_int("DB_POOL_TIMEOUT", 3),
            "max_idle": 300,
            # Django passes check=ConnectionPool.check_connection: a connection broken while
            # idle in the pool is replaced before a request gets it.
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them, not each thread
    if env_bool("DB_SERVER_SIDE_BINDING", False):
        # Parameters bound by the server: psycopg prepares a statement after a few runs.
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_HEALTH_CHECKS", True) and not (
    DATABASES["default"].get("OPTIONS", {}).get("pool")
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sw", _("Kiswahili"))]
LOCALE_PATHS = [BASE_DIR / "huduma" / "locale"]
TIME_ZONE = "Africa/Nairobi"
USE_I18N = True
USE_TZ = True

# The hall kiosk goes back to its attract screen after this many seconds untouched while a
# citizen chooses, and sooner on the printed ticket, so no ticket waits for the next person.
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 60)
KIOSK_TICKET_SECONDS = env_int("KIOSK_TICKET_SECONDS", 20)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "huduma" / "static"]
# Without collectstatic (tests, benches) WhiteNoise serves the app folders' files as they are.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes content-hashed names and a .gz of each (huduma.core.staticfiles):
    # WhiteNoise (or nginx, deploy/nginx-huduma.conf) serves them compressed, cached for a year.
    "staticfiles": {"BACKEND": "huduma.core.staticfiles.StaticFilesStorage"},
}

# Request size limits (huduma.core.middleware answers 413 or 400 before anything is read).
# Every form and JSON body of the platform is a few KB; only the admin's imports send files.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HUDUMA_MAX_BODY_BYTES", 256 * 1024)
HUDUMA_MAX_UPLOAD_BYTES = env_int("HUDUMA_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# How long a verb waits for a named lock (core/locks.py) before answering 503 "try again".
HUDUMA_LOCK_TIMEOUT_S = env_int("HUDUMA_LOCK_TIMEOUT_MS", 5000) / 1000
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("HUDUMA_MAX_FORM_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # larger uploads are spooled to a temporary file

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Background work: Huey on SQLite by default, on Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "huduma",
        # Queuing a task fails fast while Redis is away; the request goes on (the outbox row
        # is written, the sweep delivers it).
        "url": REDIS_URL
        + ("&" if "?" in REDIS_URL else "?")
        + "socket_connect_timeout=1&socket_timeout=5&socket_keepalive=true&health_check_interval=30",
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "huduma",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Cache and sessions: Redis when REDIS_URL is set (shared by every worker process), else each
# process keeps its own small in-memory cache and sessions stay in the database.
if REDIS_URL:
    # The cache fails soft (huduma.core.redis_cache): a Redis outage slows pages, never fails
    # them; sessions (cached_db) are read from the database meanwhile.
    CACHES = {
        "default": {
            "BACKEND": "huduma.core.redis_cache.SoftRedisCache",
            "LOCATION": REDIS_URL,
            # A silent partition costs a request at most socket_timeout; a connection idle
            # longer than health_check_interval is checked before use.
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1,
                "socket_keepalive": True,
                "health_check_interval": 30,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Notifications: "console" (demo), "memory" (tests), "file", "africastalking" (production).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Shorter than the worker's delivery lease (30 s, notify/services.py), as the SMS provider's is.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@huduma.example")
AFRICASTALKING_USERNAME = os.environ.get("AFRICASTALKING_USERNAME", "")
AFRICASTALKING_API_KEY = os.environ.get("AFRICASTALKING_API_KEY", "")
AFRICASTALKING_SENDER_ID = os.environ.get("AFRICASTALKING_SENDER_ID", "")
AFRICASTALKING_SANDBOX = env_bool("AFRICASTALKING_SANDBOX", False)
if SMS_BACKEND == "africastalking" and not (AFRICASTALKING_USERNAME and AFRICASTALKING_API_KEY):
    raise ImproperlyConfigured(
        "SMS_BACKEND=africastalking needs AFRICASTALKING_USERNAME and AFRICASTALKING_API_KEY"
    )
# Payments: "sandbox" (a Daraja look-alike that posts real callbacks; the default and the demo)
# or "daraja" (Safaricom, credentials from the environment). The sandbox posts its callbacks
# through a Huey task ("task") or keeps them for tests to deliver ("manual"). With DEBUG off,
# `check` and the server refuse a sandbox provider (or Daraja's or Pesapal's sandbox
# environment) and missing keys (huduma/payments/checks.py), unless HUDUMA_PAYMENTS_SANDBOX=1
# declares a test installation: then every page, SMS and receipt says SANDBOX, and the public
# receipt check answers "not a receipt".
PAYMENTS_SANDBOX = env_bool("HUDUMA_PAYMENTS_SANDBOX", False)
MPESA_PROVIDER = os.environ.get("MPESA_PROVIDER", "sandbox")
MPESA_ENVIRONMENT = os.environ.get("MPESA_ENVIRONMENT", "sandbox")
MPESA_CONSUMER_KEY = os.environ.get("MPESA_CONSUMER_KEY", "")
MPESA_CONSUMER_SECRET = os.environ.get("MPESA_CONSUMER_SECRET", "")
MPESA_SHORTCODE = os.environ.get("MPESA_SHORTCODE", "")
MPESA_PASSKEY = os.environ.get("MPESA_PASSKEY", "")
# Card payments through Pesapal API 3.0 ("pesapal"), or off (empty, the default): card is
# refused until configured. PESAPAL_ENVIRONMENT "sandbox" is Pesapal's test mode
# (cybqa.pesapal.com), "live" takes real money (pay.pesapal.com); PESAPAL_IPN_ID is the id
# `manage.py pesapal_register_ipn` prints. PESAPAL_BASE_URL overrides the address (tests).
CARD_PROVIDER = os.environ.get("CARD_PROVIDER", "")
PESAPAL_ENVIRONMENT = os.environ.get("PESAPAL_ENVIRONMENT", "sandbox")
PESAPAL_CONSUMER_KEY = os.environ.get("PESAPAL_CONSUMER_KEY", "")
PESAPAL_CONSUMER_SECRET = os.environ.get("PESAPAL_CONSUMER_SECRET", "")
PESAPAL_IPN_ID = os.environ.get("PESAPAL_IPN_ID", "")
PESAPAL_BASE_URL = os.environ.get("PESAPAL_BASE_URL", "").rstrip("/")
# The secret part of the C2B confirmation and validation URLs registered with Daraja for the
# paybill (manage.py c2b_register_urls). Empty: C2B is off, and M-Pesa codes taken offline are
# not checked (they stay held). Letters and digits only: Daraja refuses some words in URLs.
MPESA_C2B_SECRET = os.environ.get("MPESA_C2B_SECRET", "")
PAYMENTS_SANDBOX_DELIVERY = os.environ.get("PAYMENTS_SANDBOX_DELIVERY", "task")
SMS_OUTBOX_FILE = os.environ.get("SMS_OUTBOX_FILE", str(VAR_DIR / "sms-outbox.jsonl"))

# mHuduma over USSD (Africa's Talking). The callback and end-of-session URLs carry
# ?token=USSD_CALLBACK_TOKEN (empty: the channel is off, 404); USSD_ALLOWED_IPS (addresses or
# networks, comma-separated) also limits who may call them. Each phone may make
# USSD_REQUESTS_PER_MINUTE requests a minute (a person makes a few).
USSD_CALLBACK_TOKEN = os.environ.get("USSD_CALLBACK_TOKEN", "")
USSD_ALLOWED_IPS = env_list("USSD_ALLOWED_IPS")
USSD_REQUESTS_PER_MINUTE = env_int("USSD_REQUESTS_PER_MINUTE", 30)

# The public complaint contacts printed on every charter.
COMPLAINTS_PHONE = os.environ.get("HUDUMA_COMPLAINTS_PHONE", "+254 20 690 0000 (demo)")
COMPLAINTS_EMAIL = os.environ.get("HUDUMA_COMPLAINTS_EMAIL", "complaints@huduma.example")
COMPLAINTS_SHORT_CODE = os.environ.get("HUDUMA_SHORT_CODE", "1919 (demo)")
# The Huduma Contact Centre's number, offered wherever a search finds nothing.
CONTACT_CENTRE_PHONE = os.environ.get("HUDUMA_CONTACT_CENTRE", "1919 (demo)")
# The public address of this installation, written in the links SMS carry (rating, survey,
# complaint tracking). Set it in production.
# The platform's Ed25519 signing key (receipts, chain checkpoints): never in the database.
# PEM text in HUDUMA_SIGNING_KEY, or a file; the demo and tests generate the file under var/.
HUDUMA_SIGNING_KEY = os.environ.get("HUDUMA_SIGNING_KEY", "")
HUDUMA_SIGNING_KEY_FILE = os.environ.get(
    "HUDUMA_SIGNING_KEY_FILE", str(VAR_DIR / "signing_key.pem")
)
# The published key set (public keys with their validity, /receipts/keys.json), kept beside the
# key; `manage.py rotate_signing_key` writes it.
HUDUMA_SIGNING_KEYSET_FILE = os.environ.get(
    "HUDUMA_SIGNING_KEYSET_FILE",
    str(Path(HUDUMA_SIGNING_KEY_FILE).with_name("signing-keys.json")),
)
# Where signed chain checkpoints are also written every minute (a file on another volume;
# empty: none), and the witnesses outside the installation: an HTTP endpoint that receives each
# checkpoint, and/or an email to the monitors through the outbox. Production refuses to start
# without a signing key, a sink and a witness (huduma/ledger/checks.py).
HUDUMA_CHECKPOINT_SINK_FILE = os.environ.get(
    "HUDUMA_CHECKPOINT_SINK_FILE", str(VAR_DIR / "checkpoints.jsonl") if DEMO else ""
)
HUDUMA_CHECKPOINT_EMAIL = env_bool("HUDUMA_CHECKPOINT_EMAIL", False)
HUDUMA_CHECKPOINT_WITNESS_URL = os.environ.get("HUDUMA_CHECKPOINT_WITNESS_URL", "")
PUBLIC_URL = os.environ.get("HUDUMA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Complaints: working hours each level has before a complaint escalates, days before a resolved
# complaint closes by itself, days after closing in which the citizen may reopen it.
COMPLAINT_CENTRE_HOURS = float(os.environ.get("COMPLAINT_CENTRE_HOURS", "16"))
COMPLAINT_MDA_HOURS = float(os.environ.get("COMPLAINT_MDA_HOURS", "24"))
# The top has deadlines too: the Secretariat and the monitors pass an unanswered complaint to
# the Commission on Administrative Justice, whose own overdue cases are flagged.
COMPLAINT_SECRETARIAT_HOURS = float(os.environ.get("COMPLAINT_SECRETARIAT_HOURS", "40"))
COMPLAINT_MONITOR_HOURS = float(os.environ.get("COMPLAINT_MONITOR_HOURS", "40"))
COMPLAINT_REVIEW_HOURS = float(os.environ.get("COMPLAINT_REVIEW_HOURS", "80"))
COMPLAINT_AUTO_CLOSE_DAYS = int(os.environ.get("COMPLAINT_AUTO_CLOSE_DAYS", "7"))
COMPLAINT_REOPEN_DAYS = int(os.environ.get("COMPLAINT_REOPEN_DAYS", "14"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Payment callback URLs carry a secret: never written to a log (see huduma/core/logs.py).
    "filters": {"callback_secret": {"()": "huduma.core.logs.CallbackSecretFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        name: {"filters": ["callback_secret"]}
        for name in ("django.request", "django.server", "granian.access")
    },
}
# Shared secret in the delivery-report callback URL given to the SMS provider.
NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")

# Queue management: the waiting-time standard the dispatch policy protects, and how many
# places from the front a virtual-ticket holder gets the "come now" SMS.
# Centres, counters, services, counter skills and the signed-in user are cached in each
# process for this many seconds (0: off); a change made in another process shows within it.
REFERENCE_CACHE_SECONDS = float(os.environ.get("REFERENCE_CACHE_SECONDS", "5"))
# Wait-estimate statistics kept in each process this long (the shared cache keeps them 10 s).
QMS_LOCAL_STATS_SECONDS = float(os.environ.get("QMS_LOCAL_STATS_SECONDS", "2"))
QMS_WAIT_STANDARD_MINUTES = int(os.environ.get("QMS_WAIT_STANDARD_MINUTES", "30"))
QMS_NEAR_FRONT_PLACES = int(os.environ.get("QMS_NEAR_FRONT_PLACES", "3"))
# How often a virtual ticket's page asks whether it changed (a tiny request; 204 if not).
QMS_TICKET_POLL_SECONDS = int(os.environ.get("QMS_TICKET_POLL_SECONDS", "15"))
# How often a counter console refreshes its waiting counts: a queue changes in minutes, and
# 200 consoles at 10 s are 20 requests a second for a whole centre.
QMS_CONSOLE_POLL_SECONDS = env_int("QMS_CONSOLE_POLL_SECONDS", 10)
# The other pages that refresh themselves (tests shorten these to one second, so a test that
# leaves a page idle for three polls takes seconds): the hall display's calls, the manager's
# live view's queues, satisfaction panel and late applications, and the feedback tablet.
QMS_DISPLAY_POLL_SECONDS = env_int("QMS_DISPLAY_POLL_SECONDS", 1)
QMS_LIVE_POLL_SECONDS = env_int("QMS_LIVE_POLL_SECONDS", 5)
QMS_LIVE_SATISFACTION_POLL_SECONDS = env_int("QMS_LIVE_SATISFACTION_POLL_SECONDS", 10)
QMS_LIVE_BREACHES_POLL_SECONDS = env_int("QMS_LIVE_BREACHES_POLL_SECONDS", 30)
EIFD_POLL_SECONDS = env_int("EIFD_POLL_SECONDS", 2)
# Huduma Mashinani: the standing imprest each outreach starts with (KES; the documents give
# about 50,000), and how many months back the staff rotation counts days away.
OUTREACH_IMPREST_KES = env_int("OUTREACH_IMPREST_KES", 50_000)
OUTREACH_ROTATION_MONTHS = env_int("OUTREACH_ROTATION_MONTHS", 6)

# --- Deployment behind a TLS proxy, security headers (issue 7, "a real deployment") ----------
# Kept in one block: the proxy, HSTS, CSP and `check --deploy` settings. See deploy/ and the
# README's "Running in production".
from csp.constants import NONE, SELF

from huduma.core.proxy import parse_networks

# Addresses (or CIDR networks) of the reverse proxies allowed to say who the client is
# (X-Forwarded-For) and that it spoke https (X-Forwarded-Proto); from anyone else those headers
# are dropped by huduma.core.proxy.TrustedProxyMiddleware, which runs first.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
parse_networks(TRUSTED_PROXIES)  # fail at start-up on a bad value
MIDDLEWARE.insert(0, "huduma.core.proxy.TrustedProxyMiddleware")
# X-Forwarded-Proto: https marks a request as secure (CSRF, secure cookies, HSTS). Safe to leave
# on: the middleware drops the header unless the request came from a trusted proxy.
BEHIND_TLS_PROXY = env_bool("SECURE_PROXY_SSL_HEADER", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None

# The TLS proxy redirects http:// to https:// itself (deploy/nginx-huduma.conf); Django doing it
# too would also redirect the plain-http health checks made on the machine.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# HSTS is sent on https responses only, i.e. (behind the proxy) thanks to the proxy header.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SILENCED_SYSTEM_CHECKS = []
if TRUSTED_PROXIES and not SECURE_SSL_REDIRECT:
    # security.W008 (SECURE_SSL_REDIRECT off): the TLS proxy in front redirects to https.
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if not SECURE_HSTS_PRELOAD:
    # security.W021 (no HSTS preload): joining the browsers' preload list is a one-way door for
    # the whole domain and every subdomain; the domain's owner decides (SECURE_HSTS_PRELOAD=1).
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp): scripts and styles from our own static files only, no
# inline code. The admin and the Swagger UI at /api/docs (django-ninja's page loads its scripts
# and reads its settings from a JSON block, all from our static files) satisfy it unchanged.
INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# --- end of the deployment block --------------------------------------------------------------

# --- Staff accounts: lockout, two-factor sign-in, idle timeout (issue 7) -------------------
# Kept in one block, after everything else, so that it merges cleanly with other changes.
# Progressive lockout (django-axes): failures counted per username; the lockout doubles with
# each further lockout of that username within a day (huduma/accounts/lockout.py).
STAFF_SIGNIN_FAILURE_LIMIT = int(os.environ.get("STAFF_SIGNIN_FAILURE_LIMIT", "5"))
STAFF_LOCKOUT_MINUTES = int(os.environ.get("STAFF_LOCKOUT_MINUTES", "15"))
# A signed-in staff session ends after this many minutes without activity (0: never).
STAFF_IDLE_TIMEOUT_MINUTES = int(os.environ.get("STAFF_IDLE_TIMEOUT_MINUTES", "30"))
if STAFF_SIGNIN_FAILURE_LIMIT < 1 or STAFF_LOCKOUT_MINUTES < 1 or STAFF_IDLE_TIMEOUT_MINUTES < 0:
    raise ImproperlyConfigured(
        "STAFF_SIGNIN_FAILURE_LIMIT and STAFF_LOCKOUT_MINUTES must be at least 1, "
        "STAFF_IDLE_TIMEOUT_MINUTES at least 0"
    )

INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
# Axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
# OTPMiddleware right after authentication (it marks request.user verified or not); the idle
# and two-factor checks after messages (they leave one); axes last, as its documentation asks.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE += [
    "huduma.accounts.middleware.StaffIdleTimeoutMiddleware",
    "huduma.accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]
AXES_FAILURE_LIMIT = STAFF_SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "huduma.accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "huduma.accounts.lockout.signin_username"
AXES_LOCKOUT_CALLABLE = "huduma.accounts.lockout.lockout_response"
AXES_CLIENT_STR_CALLABLE = "huduma.accounts.lockout.client_str"
# The client address the rate limits use (the trusted-proxy rule lives there), not ipware.
AXES_CLIENT_IP_CALLABLE = "huduma.core.throttle.client_address"
# The count is reset when the whole sign-in succeeds, second factor included (services.py):
# a password alone must not clear the wrong codes typed after it.
AXES_RESET_ON_SUCCESS = False
# A retry during a lockout neither counts nor extends it; repeated lockouts do (see above).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Sign-ins are already in the audit chain.
AXES_DISABLE_ACCESS_LOG = True
# No start-up banner in every management command.
AXES_VERBOSE = False
# Counter officers and Centre Managers sign in with a second factor too: a TOTP code, or their
# registered device (the known-device cookie of an earlier complete sign-in of theirs).
STAFF_SECOND_FACTOR_AT_COUNTERS = env_bool("STAFF_SECOND_FACTOR_AT_COUNTERS", True)
# Two-factor sign-in (django-otp, TOTP): lockout is axes' job, so no second throttle that
# would refuse a right code typed just after a wrong one.
OTP_TOTP_ISSUER = "Huduma"
OTP_TOTP_THROTTLE_FACTOR = 0
# axes warns when the lockout ignores the address. Deliberate: counting per address would lock
# a whole centre out (its officers share one address) and let a botnet guess freely.
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "axes.W006"]

# Instant feedback: how long after a ticket is finished the counter's tablet offers to rate it
# (it then returns to idle), and how long after a visit ends without a rating the SMS link goes.
FEEDBACK_TABLET_WINDOW_MINUTES = int(os.environ.get("FEEDBACK_TABLET_WINDOW_MINUTES", "3"))
FEEDBACK_SMS_AFTER_MINUTES = int(os.environ.get("FEEDBACK_SMS_AFTER_MINUTES", "10"))
FEEDBACK_LINK_DAYS = int(os.environ.get("FEEDBACK_LINK_DAYS", "3"))

# --- Field kit (Huduma Mashinani, issue 11) ---------------------------------------------------
# HUDUMA_MODE=field runs this same software on an outreach laptop: its own SQLite database under
# HUDUMA_VAR_DIR, the node id and ticket prefix it was given at enrolment (var/fieldkit.json,
# written by `manage.py fieldkit enroll`), SMS held in its outbox until they reach the centre
# server at sync, and no call to a payment provider (M-Pesa codes are recorded, and verified by
# the server at sync). See huduma/outreach/kit.py.
HUDUMA_MODE = os.environ.get("HUDUMA_MODE", "centre")
if HUDUMA_MODE not in ("centre", "field"):
    raise ImproperlyConfigured(f"HUDUMA_MODE must be centre or field, got {HUDUMA_MODE!r}")
FIELD_KIT_FILE = Path(os.environ.get("HUDUMA_FIELD_KIT_FILE", VAR_DIR / "fieldkit.json"))
# The outreach's own ticket prefix, given at enrolment (empty on a centre server).
FIELD_TICKET_PREFIX = ""
if HUDUMA_MODE == "field":
    import json as _json

    if not os.environ.get("DATABASE_URL"):
        DATABASES["default"]["NAME"] = str(VAR_DIR / "fieldkit.sqlite3")
    if FIELD_KIT_FILE.exists():
        _kit = _json.loads(FIELD_KIT_FILE.read_text())
        NODE_ID = _kit["node_id"]
        FIELD_TICKET_PREFIX = _kit.get("ticket_prefix", "")
    MPESA_PROVIDER = "sandbox"  # never called on a kit; verified by the server at sync
    PAYMENTS_SANDBOX_DELIVERY = "manual"
# A kit's seconds between automatic sync attempts after a failure, at first and at most.
FIELD_SYNC_MIN_BACKOFF_S = env_int("FIELD_SYNC_MIN_BACKOFF_S", 60)
FIELD_SYNC_MAX_BACKOFF_S = env_int("FIELD_SYNC_MAX_BACKOFF_S", 900)

# --- Huduma Contact Centre (issue 20, docs/contact-centre.md) ----------------------------------
# The telephony system's call events are accepted only with this shared secret (header
# X-Huduma-Call-Secret, or ?token= for Africa's Talking, whose callback URL carries it) and, when
# the list is set, only from these addresses. Empty secret: every event is refused.
CONTACT_CALL_EVENT_SECRET = os.environ.get(
    "CONTACT_CALL_EVENT_SECRET", "demo-call-secret" if DEMO else ""
)
CONTACT_CALL_EVENT_ALLOWED_IPS = env_list("CONTACT_CALL_EVENT_ALLOWED_IPS", "")
# Numbers that reach the tele-counselling queue (its notes are read by counsellors only).
CONTACT_COUNSELLING_NUMBERS = env_list("CONTACT_COUNSELLING_NUMBERS", "")
# A call is "answered within target" when an agent picked it up within this many seconds.
CONTACT_ANSWER_TARGET_SECONDS = env_int("CONTACT_ANSWER_TARGET_SECONDS", 20)
# How often the desk's figures and waiting calls refresh themselves.
CONTACT_DESK_POLL_SECONDS = env_int("CONTACT_DESK_POLL_SECONDS", 5)
# Africa's Talking Voice: the agents' SIP addresses (or phones) a new call is dialled to.
CONTACT_AT_DIAL = env_list("CONTACT_AT_DIAL", "")

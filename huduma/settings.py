"""Huduma settings, read from the environment once, failing at start-up on a bad value."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUDUMA_VAR_DIR", BASE_DIR / "var"))
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


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("HUDUMA_DEMO", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not (DEBUG or DEMO or env_bool("HUDUMA_TESTING")):
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
    "huduma.feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
elif env_bool("DB_SERVER_SIDE_BINDING", False):
    # Parameters bound by the server: psycopg prepares a statement after a few runs.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True}
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

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "huduma" / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

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
        "url": REDIS_URL,
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
    CACHES = {
        "default": {"BACKEND": "huduma.core.redis_cache.ReusingRedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Notifications: "console" (demo), "memory" (tests), "file", "africastalking" (production).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@huduma.example")
AFRICASTALKING_USERNAME = os.environ.get("AFRICASTALKING_USERNAME", "")
AFRICASTALKING_API_KEY = os.environ.get("AFRICASTALKING_API_KEY", "")
AFRICASTALKING_SENDER_ID = os.environ.get("AFRICASTALKING_SENDER_ID", "")
AFRICASTALKING_SANDBOX = env_bool("AFRICASTALKING_SANDBOX", False)
if SMS_BACKEND == "africastalking" and not (AFRICASTALKING_USERNAME and AFRICASTALKING_API_KEY):
    raise ImproperlyConfigured(
        "SMS_BACKEND=africastalking needs AFRICASTALKING_USERNAME and AFRICASTALKING_API_KEY"
    )
SMS_OUTBOX_FILE = os.environ.get("SMS_OUTBOX_FILE", str(VAR_DIR / "sms-outbox.jsonl"))

# The public complaint contacts printed on every charter.
COMPLAINTS_PHONE = os.environ.get("HUDUMA_COMPLAINTS_PHONE", "+254 20 690 0000 (demo)")
COMPLAINTS_EMAIL = os.environ.get("HUDUMA_COMPLAINTS_EMAIL", "complaints@huduma.example")
COMPLAINTS_SHORT_CODE = os.environ.get("HUDUMA_SHORT_CODE", "1919 (demo)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
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

# Instant feedback: how long after a ticket is finished the counter's tablet offers to rate it
# (it then returns to idle), and how long after a visit ends without a rating the SMS link goes.
FEEDBACK_TABLET_WINDOW_MINUTES = int(os.environ.get("FEEDBACK_TABLET_WINDOW_MINUTES", "3"))
FEEDBACK_SMS_AFTER_MINUTES = int(os.environ.get("FEEDBACK_SMS_AFTER_MINUTES", "10"))
FEEDBACK_LINK_DAYS = int(os.environ.get("FEEDBACK_LINK_DAYS", "3"))
# The address citizens' SMS links point to.
PUBLIC_URL = os.environ.get("HUDUMA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

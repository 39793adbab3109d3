"""Settings for the test suite: tasks run synchronously, SMS go to memory, no secrets needed."""

import os

os.environ.setdefault("HUDUMA_TESTING", "1")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("SMS_BACKEND", "memory")
os.environ.setdefault("NOTIFY_CALLBACK_TOKEN", "test-callback-token")
os.environ.setdefault("PAYMENTS_SANDBOX_DELIVERY", "manual")
os.environ.setdefault("MPESA_C2B_SECRET", "testc2bsecret")

from huduma.settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only

# Estimates must see every change at once in tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# ...and the per-process copy of the estimate statistics is off.
QMS_LOCAL_STATS_SECONDS = 0

# Templates name the static files as they are in the app folders (served by WhiteNoise from
# there), so a manifest left in var/static by a collectstatic run cannot point a test at stale
# copies. tests/test_compression.py collects into a temporary folder with the production storage.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Most tests sign counter officers and Centre Managers in with force_login (the password step
# only): the second factor at counters is switched on by the tests of that behaviour
# (tests/test_second_factor_at_counters.py), as production has it.
STAFF_SECOND_FACTOR_AT_COUNTERS = False

# A test's commit need not wait for the disk (nothing a test writes must survive a crash): the
# suite's thousands of commits and table flushes otherwise wait on WAL flushes.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"

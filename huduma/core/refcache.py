"""A short-lived, per-process cache of reference rows read on every queue request.

Centres, counters, services, who may serve what, and the signed-in staff user change a few
times a day but are read by every counter action. Reading them from here instead of the
database saves most of a request's time (see bench/qms_load.py).

Rules:
- Entries live at most ``settings.REFERENCE_CACHE_SECONDS`` (default 5; 0 turns the cache off).
- Saving or deleting any registered model in this process empties the whole cache at once;
  other processes see the change when their entries expire, within that many seconds.
- Cached model instances are shared: treat them as read-only. Code that needs to change a row
  loads it from the database (and, for anything that matters, locks it).
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from django.conf import settings
from django.db.models.signals import post_delete, post_save

_MISSING = object()
_lock = threading.Lock()
_cache: TTLCache | None = None
_cache_ttl: float | None = None


def _now() -> float:
    return time.monotonic()


def _store() -> TTLCache | None:
    global _cache, _cache_ttl
    ttl = float(getattr(settings, "REFERENCE_CACHE_SECONDS", 5))
    if ttl <= 0:
        return None
    if _cache is None or _cache_ttl != ttl:
        _cache, _cache_ttl = TTLCache(maxsize=4096, ttl=ttl, timer=lambda: _now()), ttl
    return _cache


def get(key: tuple, load: Callable[[], Any]) -> Any:
    """The cached value of `key`, loading (and caching) it on a miss. None is cached too."""
    store = _store()
    if store is None:
        return load()
    with _lock:
        value = store.get(key, _MISSING)
    if value is _MISSING:
        value = load()
        with _lock:
            store[key] = value
    return value


def clear(**_signal_kwargs) -> None:
    with _lock:
        if _cache is not None:
            _cache.clear()


def invalidate_on_change(*models) -> None:
    """Empty the cache whenever a row of one of `models` is saved or deleted here."""
    for model in models:
        uid = f"refcache-{model._meta.label_lower}"
        post_save.connect(clear, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(clear, sender=model, dispatch_uid=uid + "-delete", weak=False)

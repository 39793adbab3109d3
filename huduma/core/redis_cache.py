"""Django's Redis cache, keeping one client per connection pool, and failing soft.

Django's backend builds a new ``redis.Redis`` client (and its table of some 200 response
callbacks) for every cache call; sessions and queue statistics make several calls per request.
A client is thread-safe and only borrows connections from its pool, so one per pool will do.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class SoftRedisCache(ReusingRedisCache):
    """The Redis cache, failing soft: while Redis is away every read is a miss and every
    write is dropped, so a cache outage slows pages down instead of failing them.

    Sessions (cached_db) then come from the database, rate limits let requests through, and
    statistics are recomputed. After a failure Redis is left alone for RETRY_SECONDS, so an
    outage costs one failed connection attempt per process per interval, not one per call.
    """

    RETRY_SECONDS = 1.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _soft(self, call, fallback):
        if time.monotonic() < self._down_until:
            return fallback()
        try:
            return call()
        except RedisError as exc:
            with self._lock:
                first = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + self.RETRY_SECONDS
            if first:
                logger.warning("cache unavailable (%s); serving without it", type(exc).__name__)
            return fallback()

    def get(self, key, default=None, version=None):
        return self._soft(
            lambda: super(SoftRedisCache, self).get(key, default, version), lambda: default
        )

    def get_many(self, keys, version=None):
        return self._soft(lambda: super(SoftRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key, version=None):
        return self._soft(lambda: super(SoftRedisCache, self).has_key(key, version), lambda: False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._soft(
            lambda: super(SoftRedisCache, self).set(key, value, timeout, version), lambda: None
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(
            lambda: super(SoftRedisCache, self).set_many(data, timeout, version), lambda: list(data)
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(
            lambda: super(SoftRedisCache, self).add(key, value, timeout, version), lambda: False
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(
            lambda: super(SoftRedisCache, self).touch(key, timeout, version), lambda: False
        )

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")

        return self._soft(lambda: super(SoftRedisCache, self).incr(key, delta, version), missing)

    def delete(self, key, version=None):
        return self._soft(lambda: super(SoftRedisCache, self).delete(key, version), lambda: False)

    def delete_many(self, keys, version=None):
        self._soft(lambda: super(SoftRedisCache, self).delete_many(keys, version), lambda: None)

    def clear(self):
        self._soft(lambda: super(SoftRedisCache, self).clear(), lambda: None)

"""Django's Redis cache, keeping one client per connection pool.

Django's backend builds a new ``redis.Redis`` client (and its table of some 200 response
callbacks) for every cache call; sessions and queue statistics make several calls per request.
A client is thread-safe and only borrows connections from its pool, so one per pool will do.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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

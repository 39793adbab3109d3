"""With Redis away, the cache fails soft: pages and sign-ins keep working from the database."""

import socket
import time

import pytest
from django.core.cache import caches

from huduma.core.redis_cache import SoftRedisCache

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def redis_away(settings):
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "huduma.core.redis_cache.SoftRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return caches["default"]  # Django builds the cache anew when CACHES changes


def test_cache_calls_answer_as_misses_while_redis_is_away(redis_away):
    assert isinstance(redis_away, SoftRedisCache)
    started = time.monotonic()
    assert redis_away.get("k", "default") == "default"
    redis_away.set("k", 1)
    assert redis_away.add("k", 1) is False
    assert redis_away.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        redis_away.incr("k")
    assert redis_away.get_or_set("k", 7) == 7
    assert time.monotonic() - started < 2  # one failed attempt, then Redis is left alone


def test_staff_sign_in_and_pages_work_while_redis_is_away(client, world, redis_away):
    response = client.post("/staff/sign-in/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302, response.content
    assert client.get("/staff/centres/gpo-nairobi/").status_code == 200  # session from the DB
    assert client.get("/centres/").status_code == 200
    reply = client.post(
        "/api/queues/centres/gpo-nairobi/join",
        {"services": ["NHIF-REGISTRATION"], "phone": "0712345678", "requirements_confirmed": True},
        content_type="application/json",
    )
    assert reply.status_code == 201  # the rate limit (on the cache) let it through

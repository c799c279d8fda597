"""Redis stopped: the portal computes without its cache instead of answering 500, and uses
Redis again when it is back."""

import socket
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from workstudy import freshness

DOWN = {"default": {"BACKEND": "workstudy.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:9/0",
                    "OPTIONS": {"socket_timeout": 0.2}}}


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.mark.django_db
def test_pages_answer_when_redis_is_down(settings, director_client, principal_a_client, submission_a, monkeypatch):
    settings.CACHES = DOWN
    cache = caches["default"]
    started = time.monotonic()
    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)
    assert cache.get_many(["a", "b"]) == {} and cache.add("k", 1) is False and cache.incr("n") is None
    assert time.monotonic() - started < 2, "a Redis that is down does not hold a request"

    monkeypatch.setattr(freshness, "in_transaction", lambda: False)  # go through the cache, as in production
    calls = []
    assert freshness.cached("test:key", lambda: calls.append(1) or 42) == 42 and calls == [1]
    for client, name in ((director_client, "dashboard"), (principal_a_client, "dashboard"),
                         (director_client, "years")):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_the_same_backend_uses_redis_when_it_is_up(settings):
    settings.CACHES = {"default": {**DOWN["default"], "LOCATION": "redis://127.0.0.1:6379/15"}}
    cache = caches["default"]
    cache.set("fallback-test", {"v": 1}, 30)
    assert cache.get("fallback-test") == {"v": 1}
    cache.delete("fallback-test")
    assert cache.get("fallback-test") is None


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds(settings, monkeypatch):
    """A Redis that does not answer costs a page one timeout, not one per value it reads; the
    process asks it again a few seconds later."""
    import redis
    from django.core.cache.backends.redis import RedisCache

    from workstudy import cache as resilient

    settings.CACHES = {"default": {**DOWN["default"], "LOCATION": "redis://127.0.0.1:9/1"}}
    asked = []

    def timing_out(self, key, default=None, version=None):
        asked.append(key)
        raise redis.exceptions.TimeoutError("no answer")

    monkeypatch.setattr(RedisCache, "get", timing_out)
    clock = [1000.0]
    monkeypatch.setattr(resilient.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(resilient.ResilientRedisCache, "_resting", {})
    cache = caches["default"]
    assert [cache.get(f"part:{n}", "computed") for n in range(30)] == ["computed"] * 30
    assert asked == ["part:0"]
    clock[0] += resilient.RETRY_AFTER + 0.1
    assert cache.get("again", "computed") == "computed" and asked == ["part:0", "again"]

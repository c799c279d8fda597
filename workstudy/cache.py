"""The shared cache (Redis) that never takes the portal down with it.

Everything the portal keeps in the cache can be computed again (figures, warnings, rendered
sheets), so when Redis is stopped or unreachable a read is a miss and a write is skipped: pages
stay up, a little slower, and the portal uses Redis again as soon as it is back. Each failure is
logged, at most once a minute per process. Short socket timeouts (``REDIS_TIMEOUT``, 0.5 s by
default) keep a Redis that does not answer from holding a request for long, and after a failure
the process leaves that Redis alone for :data:`RETRY_AFTER` seconds: a page that reads many
kept values (the summary reads one per app and part) waits at most one timeout, not one each.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

_LOG_EVERY = 60.0
RETRY_AFTER = 5.0


class ResilientRedisCache(RedisCache):
    _last_logged = 0.0
    # Per Redis location: until when this process answers without asking it (after a failure).
    _resting: dict[str, float] = {}

    def __init__(self, server, params):
        super().__init__(server, params)
        timeout = float(params.get("OPTIONS", {}).get("socket_timeout", 0.5))
        self._options.setdefault("socket_timeout", timeout)
        self._options.setdefault("socket_connect_timeout", timeout)

    def _failed(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged > _LOG_EVERY:
            ResilientRedisCache._last_logged = now
            logger.warning("cache unavailable (%s: %s); computing without it", operation, exc)

    def _safely(self, operation: str, default, *args, **kwargs):
        import redis

        where = str(self._servers)
        if time.monotonic() < ResilientRedisCache._resting.get(where, 0.0):
            return default
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            ResilientRedisCache._resting[where] = time.monotonic() + RETRY_AFTER
            self._failed(operation, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._safely("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._safely("get_many", {}, keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("set_many", list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("add", False, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._safely("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._safely("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._safely("has_key", False, key, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safely("touch", False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._safely("incr", None, key, delta, version)

    def clear(self):
        return self._safely("clear", False)

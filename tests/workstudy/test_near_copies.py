"""Kept values are also kept in each process (workstudy.freshness._NearCopies): read from the
shared cache once per process and stamps, a copy of their own for every caller, read again
after a write moves the stamps or after NEAR_TTL seconds, and never more than the limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import SchoolFactory
from workstudy import freshness


@pytest.fixture
def near(settings, monkeypatch):
    """The process's copies on (1 MB), emptied, and how often the shared cache is asked."""
    settings.PORTAL_KEPT_IN_PROCESS_MB = 1
    freshness._near.clear()
    cache.clear()
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: asked.append(key) or real_get(key, *args, **kwargs))
    yield asked
    freshness._near.clear()


def _counting(value):
    made = []

    def compute():
        made.append(1)
        return value

    return compute, made


@pytest.mark.django_db(transaction=True)
def test_a_kept_value_is_read_from_the_shared_cache_once_per_process(near):
    compute, made = _counting({"rows": [1, 2, 3]})
    first = freshness.cached("test:near", compute)
    first["rows"].append(99)  # a caller changing its copy changes nobody else's
    assert freshness.cached("test:near", compute) == {"rows": [1, 2, 3]}
    assert freshness.cached("test:near", compute) == {"rows": [1, 2, 3]}
    assert len(made) == 1 and len(near) == 1  # computed once, the shared cache asked once

    # Another process (its copies gone) finds it in the shared cache, not computing it again.
    freshness._near.clear()
    assert freshness.cached("test:near", compute) == {"rows": [1, 2, 3]} and len(made) == 1 and len(near) == 2


@pytest.mark.django_db(transaction=True)
def test_a_write_moves_the_stamps_past_the_copy(near):
    compute, made = _counting(["before"])
    assert freshness.cached("test:near", compute, apps=()) == ["before"]
    SchoolFactory()  # a school: the core's stamp moves
    compute_after, made_after = _counting(["after"])
    assert freshness.cached("test:near", compute_after, apps=()) == ["after"]
    assert len(made) == 1 and len(made_after) == 1


@pytest.mark.django_db(transaction=True)
def test_a_copy_is_used_for_a_minute_at_most(near, monkeypatch):
    compute, made = _counting([1])
    freshness.cached("test:near", compute)
    freshness.cached("test:near", compute)
    assert len(near) == 1
    monkeypatch.setattr(freshness, "NEAR_TTL", 0)  # a copy made now is stale at once
    freshness._near.clear()
    for _ in range(3):
        freshness.cached("test:near", compute)
    assert len(near) == 4  # each call asked the shared cache again
    assert len(made) == 1


@pytest.mark.django_db(transaction=True)
def test_the_copies_stay_within_their_limit(near):
    big = "x" * 250_000  # under a quarter of the megabyte: four fit, a fifth pushes the oldest out
    for n in range(6):
        freshness.cached(f"test:big{n}", lambda n=n: big + str(n))
    assert freshness._near._size <= 1024 * 1024
    near.clear()
    freshness.cached("test:big5", lambda: "never")  # the newest: still kept here
    freshness.cached("test:big0", lambda: "never")  # the oldest: asked of the shared cache again
    assert near == [key for key in near if "test:big0" in key] and len(near) == 1
    too_big = "y" * 300_000  # over a quarter of the limit: never kept here
    freshness.cached("test:huge", lambda: too_big)
    near.clear()
    freshness.cached("test:huge", lambda: too_big)
    assert len(near) == 1


@pytest.mark.django_db(transaction=True)
def test_off_when_the_limit_is_zero(near, settings):
    settings.PORTAL_KEPT_IN_PROCESS_MB = 0
    compute, made = _counting([1])
    for _ in range(3):
        freshness.cached("test:near", compute)
    assert len(near) == 3 and len(made) == 1 and freshness._near._size == 0


@pytest.mark.django_db(transaction=True)
def test_the_shared_cache_and_the_process_keep_the_same_bytes(near):
    freshness.cached("test:near", lambda: {"figure": "1.00"})
    [(key, (_expires, kept))] = freshness._near._items.items()
    assert cache.get(key) == kept and isinstance(kept, bytes)  # pickled once, when computed

"""The one cache: keyed by generation, LRU-bounded, single flight, errors not cached."""

from __future__ import annotations

import threading

import pytest

from clusterkg.store.cache import GenerationCache


def test_concurrent_first_requests_compute_once():
    cache = GenerationCache()
    calls = []
    started = threading.Event()
    release = threading.Event()

    def make():
        calls.append(1)
        started.set()
        release.wait(5)
        return "value"

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(0, "k", make)))]
    threads[0].start()
    started.wait(5)
    # Four more callers arrive while the first is still computing.
    threads += [
        threading.Thread(target=lambda: results.append(cache.get(0, "k", make))) for _ in range(4)
    ]
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert results == ["value"] * 5
    assert len(calls) == 1


def test_a_new_generation_recomputes_and_the_lru_is_bounded():
    cache = GenerationCache(size=2)
    assert cache.get(0, "a", lambda: 1) == 1
    assert cache.get(0, "a", lambda: 2) == 1
    assert cache.get(1, "a", lambda: 3) == 3
    cache.get(1, "b", lambda: 4)
    assert len(cache) == 2
    assert cache.get(0, "a", lambda: 5) == 5  # evicted as the oldest


def test_an_error_reaches_the_caller_and_is_not_cached():
    cache = GenerationCache()

    def fail():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        cache.get(0, "k", fail)
    assert cache.get(0, "k", lambda: "ok") == "ok"

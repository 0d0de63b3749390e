"""Work nobody waits for any more is stopped (clusterkg.store.abandon): a query in a worker
as soon as its requester has gone; work shared by several requests only once all have gone."""

from __future__ import annotations

import threading
import time

import pytest

import clusterkg
from clusterkg.store import abandon
from clusterkg.store.cache import GenerationCache

RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(4)) + " }"
)


def test_a_query_whose_requester_has_gone_is_stopped_and_its_worker_freed():
    kg = clusterkg.open(query_timeout=60, workers=1)
    try:
        kg.query("ASK {}")  # the worker is up: what follows measures the query alone
        engine = kg.kg.engine
        leaves_at = time.monotonic() + 0.5
        start = time.monotonic()
        with (
            abandon.watching(lambda: time.monotonic() > leaves_at),
            pytest.raises(abandon.RequesterGone, match="closed its connection"),
        ):
            kg.query(RUNAWAY)
        # Stopped a poll after the requester left, not at the 60 s limit (a loaded machine
        # may take a while to kill and reap; the query alone runs for minutes).
        assert time.monotonic() - start < 10
        assert engine.abandoned == 1 and engine.timeouts == 0
        # The one worker was replaced: the next query is answered.
        assert kg.query("ASK { ?s ?p ?o }").rows == [{"boolean": True}]
    finally:
        kg.close()


def test_a_requester_that_stays_is_answered_in_full():
    kg = clusterkg.open(workers=1)
    try:
        with abandon.watching(lambda: False):
            rows = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        assert int(rows[0]["n"]) > 0
        assert kg.kg.engine.abandoned == 0
    finally:
        kg.close()


def _shared_run(owner_leaves: bool, follower_leaves: bool | None) -> list[bool]:
    """What the shared computation sees when its owner (and a follower, unless None) leave."""
    cache = GenerationCache()
    started, release = threading.Event(), threading.Event()
    seen: list[bool] = []
    owner_gone, follower_gone = threading.Event(), threading.Event()

    def make() -> int:
        started.set()
        release.wait(10)
        seen.append(abandon.requester_gone())
        return 1

    def ask(gone: threading.Event | None) -> None:
        with abandon.watching(None if gone is None else gone.is_set):
            try:
                cache.get(0, "view", make)
            except abandon.RequesterGone:
                pass

    owner = threading.Thread(target=ask, args=(owner_gone,))
    owner.start()
    assert started.wait(10)
    follower = threading.Thread(target=ask, args=(follower_gone,))
    if follower_leaves is not None:
        follower.start()
        # it joins the computation in progress (waited for, not slept on: a loaded machine
        # may start the thread late)
        deadline = time.monotonic() + 10
        while len(cache._pending[(0, "view")].requesters) < 2:
            assert time.monotonic() < deadline, "the follower never joined"
            time.sleep(0.01)
    if owner_leaves:
        owner_gone.set()
    if follower_leaves:
        follower_gone.set()
    release.set()
    owner.join(10)
    if follower_leaves is not None:
        follower.join(10)
    return seen


def test_shared_work_goes_on_while_any_requester_waits_for_it():
    assert _shared_run(owner_leaves=True, follower_leaves=False) == [False]
    assert _shared_run(owner_leaves=False, follower_leaves=True) == [False]


def test_shared_work_stops_when_every_requester_has_gone():
    assert _shared_run(owner_leaves=True, follower_leaves=True) == [True]
    assert _shared_run(owner_leaves=True, follower_leaves=None) == [True]


def test_work_for_the_cli_or_python_is_never_abandoned():
    assert abandon.current() is None and not abandon.requester_gone()

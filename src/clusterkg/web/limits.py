"""Fair share of the query workers: no client holds them all, and no request queues for ever.

Every request to a route that may run a query (``/sparql``, ``/queries/<name>``, ``/id/...``,
every ``/api/*`` route and the pages built from the graph) takes a *slot* for as long as it
runs. There are as many slots as query workers (``Settings.workers``), and one client (the
remote address) holds at most ``Settings.client_share`` of them. A request that finds no slot
waits up to ``Settings.queue_wait`` seconds for one (at most :data:`WAITING_PER_CLIENT` or
the client's share, whichever is more, of one client's requests wait at a time: one more is
refused at once, so a client's burst cannot hold every server thread in waiting), then is
answered:

- **429 Too Many Requests** when its client already holds its share (RFC 6585 section 4);
- **503 Service Unavailable** when the other clients fill the server (RFC 9110 section 15.6.4);

both with ``Retry-After`` (RFC 9110 section 10.2.3). This is admission control in front of the
worker pool (a bounded queue with per-client caps), so a slow client's queries wait in its own
share and never in front of everybody else's.

Under ``clusterkg serve --processes N`` each server process has its own workers and slots, and
a client's share counts its requests in every process: the processes share a
:class:`SharedCounts` table (made before they fork), so a client whose connections land on
several processes still runs at most its share at once.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import threading
import time
from collections import Counter
from typing import Any

from flask import Flask, current_app, g, request

from clusterkg.config import Settings
from clusterkg.store import abandon
from clusterkg.web.errors import ApiError

#: Endpoints that never run a query: static files, the limits text, the JSON-LD context.
FREE_ENDPOINTS = frozenset({"static", "sparql.limits", "ontology.context", "queries.listing"})


#: A client's requests that may wait for a slot at once (or its share, if more): a page's or
#: a script's requests in parallel wait for each other; more are refused at once.
WAITING_PER_CLIENT = 8

#: Seconds between two looks at the shared table while a request waits for its client's share
#: (a release in another process cannot wake this one's threads).
SHARED_POLL = 0.01


class SharedCounts:
    """Per-client counts of running requests, in shared memory, for forked server processes.

    A fixed table of ``size`` entries (a 64-bit hash of the client and its count) under one
    process-shared lock; a client's entry is found within ``window`` places of its hash's
    home. Made before the processes fork; every one of them then sees the same counts.
    """

    def __init__(self, size: int = 4096, window: int = 16) -> None:
        ctx = multiprocessing.get_context("fork")
        self.size = size
        self.window = window
        self._keys: Any = ctx.RawArray("Q", size)
        self._counts: Any = ctx.RawArray("i", size)
        self._lock = ctx.Lock()

    @staticmethod
    def _key(client: str) -> int:
        digest = hashlib.blake2b(client.encode("utf-8", "replace"), digest_size=8).digest()
        return int.from_bytes(digest, "little") or 1

    def _find(self, key: int, free: bool) -> int | None:
        home = key % self.size
        spare = None
        for i in range(self.window):
            at = (home + i) % self.size
            if self._keys[at] == key:
                return at
            if spare is None and self._counts[at] <= 0:
                spare = at
        return spare if free else None

    def try_take(self, client: str, cap: int) -> bool | None:
        """Count one more request of ``client`` if it runs fewer than ``cap``: True if counted,
        False if its share is taken, None if the table has no room (every entry near the
        client's is another client's running requests)."""
        key = self._key(client)
        with self._lock:
            at = self._find(key, free=True)
            if at is None:
                return None
            if self._keys[at] != key:
                self._keys[at] = key
                self._counts[at] = 0
            if self._counts[at] >= cap:
                return False
            self._counts[at] += 1
            return True

    def give_back(self, client: str) -> None:
        """Count one request of ``client`` less."""
        with self._lock:
            at = self._find(self._key(client), free=False)
            if at is not None and self._counts[at] > 0:
                self._counts[at] -= 1

    def held(self, client: str) -> int:
        """Requests ``client`` runs now, in every process."""
        with self._lock:
            at = self._find(self._key(client), free=False)
            return 0 if at is None else int(self._counts[at])


class FairShare:
    """Slots for ``total`` concurrent requests, at most ``per_client`` of them per client.

    With ``shared`` (a :class:`SharedCounts` of several server processes) ``total`` is this
    process's slots and ``per_client`` counts the client's requests in all processes.
    """

    def __init__(
        self,
        total: int,
        per_client: int,
        wait: float,
        retry_after: float,
        shared: SharedCounts | None = None,
    ) -> None:
        self.total = total
        self.per_client = per_client if shared is not None else min(per_client, total)
        self.wait = wait
        self.retry_after = retry_after
        self.shared = shared
        self._held: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()
        self._busy = 0
        self._own = False  # set by _take: whether the client's own share stopped it
        self._changed = threading.Condition()

    def held(self, client: str) -> int:
        """Slots ``client`` holds now (in every process, when they share the counts)."""
        if self.shared is not None:
            return self.shared.held(client)
        with self._changed:
            return self._held[client]

    def _take(self, client: str) -> bool:
        """Take a slot if the client's share and the server allow (holding ``_changed``);
        False if not (``self._own`` then says whether the client's share was the reason)."""
        if self._busy >= self.total:
            self._own = self.shared is None and self._held[client] >= self.per_client
            return False
        if self.shared is None:
            if self._held[client] >= self.per_client:
                self._own = True
                return False
        else:
            taken = self.shared.try_take(client, self.per_client)
            if not taken:
                self._own = taken is False
                return False
        self._held[client] += 1
        self._busy += 1
        return True

    def acquire(self, client: str) -> None:
        """Take a slot for ``client``, waiting up to ``wait`` seconds; raise :class:`ApiError`
        429 (the client's share is taken) or 503 (the server is full) when none frees."""
        deadline = time.monotonic() + self.wait
        with self._changed:
            self._own = False
            if self._take(client):
                return
            own_share_taken = self._own
            # Each waiting request holds a server thread: a client waits with a few at
            # most, and one more is answered now (429 or 503 as below).
            if self._waiting[client] < max(self.per_client, WAITING_PER_CLIENT):
                self._waiting[client] += 1
                try:
                    while True:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            break
                        # Another process's release wakes nobody here: look again shortly.
                        wait = left if self.shared is None else min(left, SHARED_POLL)
                        self._changed.wait(wait)
                        self._own = False
                        if self._take(client):
                            return
                        own_share_taken = self._own
                finally:
                    self._waiting[client] -= 1
                    if self._waiting[client] <= 0:
                        del self._waiting[client]
        seconds = str(max(1, math.ceil(self.retry_after)))
        if own_share_taken:
            raise ApiError(
                429,
                f"too many requests at once from {client}: {self.per_client} may run at a "
                f"time (CLUSTERKG_CLIENT_CONCURRENCY); retry after {seconds} s",
                {"Retry-After": seconds},
            )
        raise ApiError(
            503,
            f"all {self.total} query workers are busy with other clients; retry after {seconds} s",
            {"Retry-After": seconds},
        )

    def release(self, client: str) -> None:
        """Give back one slot of ``client``."""
        with self._changed:
            self._held[client] -= 1
            if self._held[client] <= 0:
                del self._held[client]
            self._busy -= 1
            if self.shared is not None:
                self.shared.give_back(client)
            self._changed.notify_all()


def _client() -> str:
    return request.remote_addr or "unknown"


def init_app(app: Flask, settings: Settings) -> None:
    """Put every query-running request of ``app`` through one :class:`FairShare` sized by
    ``settings`` (its ``workers``, ``client_share`` and ``queue_wait``); with several server
    processes (``settings.processes``) the client counts are a :class:`SharedCounts` for all
    of them, made here, before they fork."""
    share = FairShare(
        settings.workers,
        settings.client_share,
        settings.queue_wait,
        # A client's own queries end within the time limit at the latest.
        retry_after=min(settings.query_timeout, 10.0),
        shared=SharedCounts() if settings.processes > 1 else None,
    )
    app.extensions["clusterkg.fair_share"] = share

    @app.before_request
    def _take_slot() -> None:
        if request.method == "OPTIONS" or request.endpoint in FREE_ENDPOINTS:
            return
        if request.endpoint is None:
            return  # a 404 or 405 from routing: nothing runs
        client = _client()
        share.acquire(client)
        g.fair_share_client = client
        # A query of a client that closes its connection is stopped (clusterkg.store.abandon),
        # so its slot and worker free at once; waitress tells with channel_request_lookahead.
        gone = request.environ.get("waitress.client_disconnected")
        if gone is not None:
            g.abandon_token = abandon.watch(gone)

    @app.teardown_request
    def _give_back(_exc: BaseException | None) -> None:
        token = g.pop("abandon_token", None)
        if token is not None:
            abandon.unwatch(token)
        client = g.pop("fair_share_client", None)
        if client is not None:
            current_app.extensions["clusterkg.fair_share"].release(client)

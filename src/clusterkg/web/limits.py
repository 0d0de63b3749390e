"""Fair share of the query workers: no client holds them all, and no request queues for ever.

Every request to a route that may run a query (``/sparql``, ``/queries/<name>``, ``/id/...``,
every ``/api/*`` route and the pages built from the graph) takes a *slot* for as long as it
runs. There are as many slots as query workers (``Settings.workers``), and one client (the
remote address) holds at most ``Settings.client_share`` of them. A request that finds no slot
waits up to ``Settings.queue_wait`` seconds for one, then is answered:

- **429 Too Many Requests** when its client already holds its share (RFC 6585 section 4);
- **503 Service Unavailable** when the other clients fill the server (RFC 9110 section 15.6.4);

both with ``Retry-After`` (RFC 9110 section 10.2.3). This is admission control in front of the
worker pool (a bounded queue with per-client caps), so a slow client's queries wait in its own
share and never in front of everybody else's.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter

from flask import Flask, current_app, g, request

from clusterkg.config import Settings
from clusterkg.web.errors import ApiError

#: Endpoints that never run a query: static files, the limits text, the JSON-LD context.
FREE_ENDPOINTS = frozenset({"static", "sparql.limits", "ontology.context", "queries.listing"})


class FairShare:
    """Slots for ``total`` concurrent requests, at most ``per_client`` of them per client."""

    def __init__(self, total: int, per_client: int, wait: float, retry_after: float) -> None:
        self.total = total
        self.per_client = min(per_client, total)
        self.wait = wait
        self.retry_after = retry_after
        self._held: Counter[str] = Counter()
        self._busy = 0
        self._changed = threading.Condition()

    def held(self, client: str) -> int:
        """Slots ``client`` holds now."""
        with self._changed:
            return self._held[client]

    def acquire(self, client: str) -> None:
        """Take a slot for ``client``, waiting up to ``wait`` seconds; raise :class:`ApiError`
        429 (the client's share is taken) or 503 (the server is full) when none frees."""
        deadline = time.monotonic() + self.wait
        with self._changed:
            while True:
                own_share_taken = self._held[client] >= self.per_client
                if not own_share_taken and self._busy < self.total:
                    self._held[client] += 1
                    self._busy += 1
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
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
            self._changed.notify_all()


def _client() -> str:
    return request.remote_addr or "unknown"


def init_app(app: Flask, settings: Settings) -> None:
    """Put every query-running request of ``app`` through one :class:`FairShare` sized by
    ``settings`` (its ``workers``, ``client_share`` and ``queue_wait``)."""
    share = FairShare(
        settings.workers,
        settings.client_share,
        settings.queue_wait,
        # A client's own queries end within the time limit at the latest.
        retry_after=min(settings.query_timeout, 10.0),
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

    @app.teardown_request
    def _give_back(_exc: BaseException | None) -> None:
        client = g.pop("fair_share_client", None)
        if client is not None:
            current_app.extensions["clusterkg.fair_share"].release(client)

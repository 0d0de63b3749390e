"""Work nobody waits for any more is stopped: a query whose client has closed its connection.

A browser that leaves a page closes the connections of the requests still running for it (the
explorer's heavy view, a slow dashboard); a script killed by its user does the same. Without
this, the query runs on to the time limit in a worker, holding the worker and its client's fair
share (so the user's next page gets 429 or waits) for nothing. nginx stops a proxied request
on the same signal (its "499 client closed request").

The web layer says how to tell, per request, with :func:`watch` (a callable that is true
once the client has gone; waitress's ``waitress.client_disconnected``); the worker pool looks
at :func:`requester_gone` while it waits for a worker's answer and kills the worker when it is
true (:class:`RequesterGone`). A computation that several requests share (the single flight of
:class:`clusterkg.store.cache.GenerationCache`) is stopped only when every one of them has gone:
:func:`shared_by`. Calls from the CLI or Python set nothing and are never stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from clusterkg.store.errors import RequesterGone

__all__ = [
    "POLL_S",
    "RequesterGone",
    "current",
    "requester_gone",
    "shared_by",
    "unwatch",
    "watch",
    "watching",
]

#: True once the requester of the work running in this context has gone (None: never).
_GONE: ContextVar[Callable[[], bool] | None] = ContextVar("clusterkg_requester_gone", default=None)

#: Seconds between two looks while waiting for a worker: a gone client's worker is freed this
#: soon, at ten wake-ups a second per long query (nothing for a query faster than this).
POLL_S = 0.1


def requester_gone() -> bool:
    """Whether the requester of the work running now has gone."""
    gone = _GONE.get()
    return gone is not None and bool(gone())


def current() -> Callable[[], bool] | None:
    """The test of the work running now (None: it is never abandoned)."""
    return _GONE.get()


@contextmanager
def watching(gone: Callable[[], bool] | None) -> Iterator[None]:
    """Run the body as work for a requester that ``gone()`` says has left (None: never)."""
    token = watch(gone)
    try:
        yield
    finally:
        unwatch(token)


def watch(gone: Callable[[], bool] | None) -> Token[Callable[[], bool] | None]:
    """From now on in this context, the work is for a requester that ``gone()`` says has left;
    :func:`unwatch` with the token ends it (for frameworks whose hooks start and end a request
    apart, such as Flask's ``before_request`` and ``teardown_request``)."""
    return _GONE.set(gone)


def unwatch(token: Token[Callable[[], bool] | None]) -> None:
    """End what :func:`watch` started."""
    _GONE.reset(token)


def shared_by(tests: list[Callable[[], bool] | None]) -> Callable[[], bool] | None:
    """One test for work shared by several requesters: gone once every one of them is gone.

    ``tests`` may grow while the work runs (a later request joins it); a requester that can
    never go (None: the CLI, the Python API) keeps the work going.
    """

    def gone() -> bool:
        return all(t is not None and t() for t in list(tests))

    return gone

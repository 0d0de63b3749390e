"""The one cache of derived values (views, projections, indexes), keyed by the store's generation.

Every derived value (an explorer view, a supply-network projection, a label index, a dashboard)
is cached here under ``(generation, key)``. The generation grows with every change to the
store, so one staleness rule holds for all of them: a value is reused exactly while the data it
was computed from is unchanged. (Counting triples is not such a rule: an update that deletes
one triple and inserts another keeps the count.)

Concurrent first requests for the same key compute it once (single flight): the second caller
waits for the first one's result instead of doing the same expensive work again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from clusterkg.store import abandon

T = TypeVar("T")


class _Pending:
    """A computation in progress, which other callers of the same key wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        #: The requesters waiting for it (:mod:`clusterkg.store.abandon`): it is stopped only
        #: when every one of them has gone.
        self.requesters: list[Callable[[], bool] | None] = [abandon.current()]


class GenerationCache:
    """A thread-safe LRU of computed values keyed by ``(generation, key)``, single flight."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()

    def get(self, generation: int, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` once per ``key`` and generation; concurrent callers share one computation.

        An exception from ``make()`` reaches every caller waiting for it and is not cached.
        """
        full = (generation, key)
        with self._lock:
            if full in self._data:
                self._data.move_to_end(full)
                return self._data[full]
            pending = self._pending.get(full)
            owner = pending is None
            if owner:
                pending = self._pending[full] = _Pending()
            else:
                assert pending is not None
                pending.requesters.append(abandon.current())
        assert pending is not None
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            # Computed outside the lock: other keys stay served meanwhile; stopped only if
            # every request waiting for it has gone.
            with abandon.watching(abandon.shared_by(pending.requesters)):
                pending.value = make()
        except BaseException as exc:
            pending.error = exc
            raise
        finally:
            with self._lock:
                del self._pending[full]
                if pending.error is None:
                    self._data[full] = pending.value
                    while len(self._data) > self.size:
                        self._data.popitem(last=False)
            pending.done.set()
        return pending.value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

"""clusterkg: a knowledge graph of industrial clusters and their supply chains.

From Python: ``kg = clusterkg.open()``, then ``kg.query(...)``, ``kg.named(...)``,
``kg.scenario(...)``, ``kg.resilience(...)`` (:mod:`clusterkg.session`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterkg.version import __version__

if TYPE_CHECKING:
    from clusterkg.session import Session

__all__ = ["__version__", "open"]


def open(
    store: str | None = None, **kwargs: Any
) -> Session:  # clusterkg.open, as the issue names it
    """Open the knowledge graph; see :func:`clusterkg.session.open` for the arguments.

    Imported on first call, so that ``import clusterkg`` (and the CLI) stays quick.
    """
    from clusterkg.session import open as open_session

    return open_session(store, **kwargs)

"""Settings and the knowledge graph as every command opens them: one place, one way."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from clusterkg.config import Settings
from clusterkg.store.kg import KnowledgeGraph, open_kg


def settings(**overrides: object) -> Settings:
    """Defaults, ``CLUSTERKG_*`` variables, then the command's options (None: not given)."""
    return Settings.from_env(**overrides)


@contextmanager
def knowledge_graph(
    config: Settings,
    *,
    extra: Sequence[Path | str] = (),
    quiet: bool = True,
    log: Callable[[str], None] | None = None,
    create: bool = False,
) -> Iterator[KnowledgeGraph]:
    """The knowledge graph of ``config`` with ``extra`` files loaded, closed afterwards.

    The store's errors (a bad spec, an unreadable file) are :class:`~clusterkg.errors.
    UnusableInput`, which the entry point reports with exit status 2. Queries run in one
    killable worker process, so a command's queries stop at the same time limit as the
    server's (pyoxigraph cannot be interrupted from a thread).

    Commands read a store that exists: an ``oxigraph:DIR`` folder that does not is refused
    (exit 2) unless ``create`` (only ``load`` and ``import`` make stores).
    """
    if extra and log is not None:
        log(f"loading the knowledge graph and {len(extra)} extra file(s) ...")
    kg = open_kg(config, isolated=True, workers=1, extra=list(extra), quiet=quiet, create=create)
    try:
        yield kg
    finally:
        kg.close()

"""Fixtures for the analytics tests: the bundled knowledge graph and small generated networks."""

from __future__ import annotations

import pytest

from clusterkg.analytics.generate import Parameters, load_synthetic
from clusterkg.config import Settings
from clusterkg.store.kg import open_kg


@pytest.fixture(scope="session")
def kg():
    """The bundled curated graph in memory (read-only use)."""
    graph = open_kg(Settings.from_env(store="memory"))
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def kg_2000():
    """The curated graph plus a generated network of about 2,000 nodes (seed 7)."""
    graph = open_kg(Settings.from_env(store="memory"))
    load_synthetic(graph, Parameters(seed=7, scale=0.152))
    yield graph
    graph.close()

"""Fixtures of the data-layer tests (ontology, graphs, queries): the bundled knowledge graph
and the source texts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clusterkg.config import Settings, sources_dir
from clusterkg.store.kg import open_kg

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env(root=ROOT)


@pytest.fixture(scope="session")
def kg(settings):
    graph = open_kg(settings)
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The folder of source texts; skipped where absent, but a failure under CI."""
    folder = sources_dir()
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the source texts are missing at {folder} (set CLUSTERKG_SOURCES)")
        pytest.skip(f"source texts not found at {folder}; set CLUSTERKG_SOURCES to check quotes")
    return folder

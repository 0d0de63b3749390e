"""Fixtures of the SHACL engine tests: the repository's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env(root=ROOT)

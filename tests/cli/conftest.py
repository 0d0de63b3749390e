"""Fixtures of the CLI tests: the settings of the checkout and a click runner of ``clusterkg``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clusterkg.cli import main
from clusterkg.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env(root=ROOT)


@pytest.fixture()
def cli():
    """``cli(*args, input=None, env=None)``: run ``clusterkg ARGS`` in-process, stderr apart."""

    def invoke(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, env=env)

    return invoke

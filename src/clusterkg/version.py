"""The installed version of clusterkg (recorded in every analytics run's provenance)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clusterkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

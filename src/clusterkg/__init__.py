"""clusterkg: a knowledge graph of industrial clusters and their supply chains."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clusterkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

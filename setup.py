"""Build hook: ship the top-level ``ontology/``, ``graphs/`` and ``queries/`` inside the package.

The folders stay at the top of the repository, where they are edited and reviewed; a built
wheel (and so ``pip install .``, ``pipx install .``) carries a copy in ``clusterkg/data/``,
which :func:`clusterkg.config.bundled_root` finds through ``importlib.resources``. An editable
install copies nothing: the checkout's own folders are used directly, so an edit shows at once.
All other metadata is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# The same names as clusterkg.config.DATA_FOLDERS (the build cannot import the package).
DATA_FOLDERS = ("ontology", "graphs", "queries")


class BuildWithData(build_py):
    """``build_py`` that also copies the data folders to ``<build_lib>/clusterkg/data``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "clusterkg" / "data"
        # A previous build's copy may hold files since deleted from the repository.
        shutil.rmtree(target, ignore_errors=True)
        for name in DATA_FOLDERS:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"cannot build clusterkg: the {name}/ folder is missing at {HERE}")
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(".*", "*~"))


setup(cmdclass={"build_py": BuildWithData})

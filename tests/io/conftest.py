"""Fixtures of the io tests: a project root with the real ontology and a small fixed graph."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from clusterkg.config import Settings
from clusterkg.io.rml import RmlSetupFailed, setup_venv

DATA = Path(__file__).parent / "data"
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    """A clusterkg home: the real ontology (the contract) and ``data/graphs/base.ttl``."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "ontology").symlink_to(ONTOLOGY)
    shutil.copytree(DATA / "graphs", home / "graphs")
    return home


@pytest.fixture()
def settings(root: Path) -> Settings:
    return Settings.from_env(root=root, store="memory")


@pytest.fixture()
def env(root: Path, tmp_path: Path, monkeypatch) -> dict[str, str]:
    """Environment for CLI runs against ``root`` (also set in this process)."""
    monkeypatch.setenv("CLUSTERKG_HOME", str(root))
    monkeypatch.setenv("CLUSTERKG_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CLUSTERKG_STORE", raising=False)
    return {"CLUSTERKG_HOME": str(root), "CLUSTERKG_CACHE": str(tmp_path / "cache")}


def _write_csv(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture()
def write_csv():
    """``write_csv(path, text, bom=False)``: write CSV text as UTF-8 (with a BOM if asked)."""
    return _write_csv


@pytest.fixture(scope="session")
def rml_venv() -> Path:
    """The RML environment, made on first use; under CI a failure to make it fails."""
    where = Path(
        os.environ.get("CLUSTERKG_RML_VENV") or Path.home() / ".cache" / "clusterkg" / "rml-venv"
    )
    try:
        return setup_venv(where, log=lambda _msg: None)
    except RmlSetupFailed as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the RML environment could not be made under CI: {exc}")
        pytest.skip(f"the RML environment could not be made (PyPI unreachable?): {exc}")


@pytest.fixture()
def rml(rml_venv, monkeypatch) -> Path:
    monkeypatch.setenv("CLUSTERKG_RML_VENV", str(rml_venv))
    return rml_venv


#: A YARRRML mapping of firms.csv (id, name, cluster) to enterprises, shared by the RML tests.
MAPPING = """prefixes:
  ck: https://w3id.org/clusterkg/ontology#
  rdfs: http://www.w3.org/2000/01/rdf-schema#
mappings:
  firms:
    sources:
      - ['firms.csv~csv']
    s: https://w3id.org/clusterkg/id/enterprise/$(id)
    po:
      - [a, ck:Enterprise]
      - [rdfs:label, $(name), en~lang]
      - [ck:memberOf, https://w3id.org/clusterkg/id/cluster/$(cluster)~iri]
"""

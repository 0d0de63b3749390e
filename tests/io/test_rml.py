"""RML/YARRRML import: morph-kgc runs in its own virtualenv (``clusterkg rml-setup``).

The environment is made once (a minute or two, from PyPI) and reused from
``$CLUSTERKG_RML_VENV`` or ``~/.cache/clusterkg/rml-venv``; cache that folder in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rdflib import Graph, URIRef

from clusterkg.io.csv_import import ImportFailed
from clusterkg.io.rml import import_mapping, venv_python
from clusterkg.vocab import CK
from tests.io.conftest import MAPPING

CLI = [sys.executable, "-c", "from clusterkg.cli import main; main()"]


def test_mapping_of_joined_layout_imports_after_validation(rml, settings, tmp_path):
    (tmp_path / "firms.csv").write_text(
        "id,name,cluster\nfoo,Foo Co,cc-auto\nbar,Bar Co,cc-auto\n", encoding="utf-8"
    )
    (tmp_path / "map.yml").write_text(MAPPING, encoding="utf-8")
    target = tmp_path / "out.ttl"
    result = import_mapping(tmp_path / "map.yml", settings, into=target)
    foo = URIRef("https://w3id.org/clusterkg/id/enterprise/foo")
    assert (
        foo,
        CK.memberOf,
        URIRef("https://w3id.org/clusterkg/id/cluster/cc-auto"),
    ) in result.graph
    assert result.added == {"Enterprise": 2}
    assert target.exists()


def test_mapping_output_that_breaks_a_shape_is_refused(rml, settings, tmp_path):
    (tmp_path / "firms.csv").write_text("id,name,cluster\nfoo,Foo Co,chengdu\n", encoding="utf-8")
    (tmp_path / "map.yml").write_text(
        MAPPING.replace("cluster/$(cluster)", "region/$(cluster)"), encoding="utf-8"
    )
    target = tmp_path / "out.ttl"
    with pytest.raises(ImportFailed) as info:
        import_mapping(tmp_path / "map.yml", settings, into=target)
    assert any(
        "ck:memberOf must point to a ck:IndustrialCluster" in e.reason for e in info.value.errors
    )
    assert not target.exists()


def test_the_rml_environment_keeps_its_own_pins_and_the_core_keeps_its_own(rml):
    """morph-kgc's pins (pyoxigraph<0.4) hold in its environment, not in clusterkg's."""
    import pyoxigraph

    probe = subprocess.run(
        [str(venv_python(rml)), "-c", "import pyoxigraph; print(pyoxigraph.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().startswith("0.3.")
    assert not pyoxigraph.__version__.startswith(("0.3.", "0.4."))


def test_cli_mapping_import_as_a_user_runs_it(rml, env, tmp_path):
    (tmp_path / "firms.csv").write_text(
        "id,name,cluster\nfoo,Foo Example Co,cc-auto\n", encoding="utf-8"
    )
    (tmp_path / "map.yml").write_text(MAPPING, encoding="utf-8")
    target = tmp_path / "out.ttl"
    res = subprocess.run(
        [*CLI, "import", "--mapping", str(tmp_path / "map.yml"), "--into", str(target)],
        env={**os.environ, **env, "CLUSTERKG_RML_VENV": str(rml)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "Enterprise" in res.stdout
    g = Graph().parse(target, format="turtle")
    foo = URIRef("https://w3id.org/clusterkg/id/enterprise/foo")
    assert (foo, CK.memberOf, URIRef("https://w3id.org/clusterkg/id/cluster/cc-auto")) in g


def test_a_mapping_that_fails_in_morph_kgc_is_reported_cleanly(rml, settings, tmp_path):
    (tmp_path / "map.yml").write_text(MAPPING, encoding="utf-8")  # firms.csv is missing
    target = tmp_path / "out.ttl"
    with pytest.raises(ImportFailed) as info:
        import_mapping(tmp_path / "map.yml", settings, into=target)
    [error] = info.value.errors
    assert error.reason.startswith("the mapping failed:")
    assert "Traceback" not in info.value.report()
    assert not target.exists()


def test_without_the_rml_environment_the_error_says_how_to_make_it(env, tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERKG_RML_VENV", str(tmp_path / "no-such-venv"))
    (tmp_path / "map.yml").write_text(MAPPING, encoding="utf-8")
    res = subprocess.run(
        [*CLI, "import", "--mapping", str(tmp_path / "map.yml")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 1
    assert "clusterkg rml-setup" in res.stderr
    assert "Traceback" not in res.stderr

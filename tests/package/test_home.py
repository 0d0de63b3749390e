"""Where the data comes from: the bundled folders, and a user's ``CLUSTERKG_HOME`` over them.

The rule (README, "Your own data and queries"): a home's ``ontology/`` or ``graphs/`` replaces
the bundled one; a home's ``queries/`` adds named queries and replaces same-named ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkg.cli import main
from clusterkg.config import Settings, bundled_root, project_root
from clusterkg.errors import SettingsError
from clusterkg.queries import load_queries, run_named
from clusterkg.store.kg import open_kg
from clusterkg.web.queries_api import QueryRegistry

CHECKOUT = Path(__file__).resolve().parents[2]
BUNDLED_QUERIES = sorted(p.stem for p in (CHECKOUT / "queries").glob("*.rq"))
MINE = "# title: Mine\nSELECT ?n WHERE { BIND(7 AS ?n) }\n"
OVERRIDE = "# title: My deepest parts base\nSELECT ?n WHERE { BIND(42 AS ?n) }\n"
# One cluster, one statement: a graph nothing like the bundled ones.
ONE_CLUSTER = """@prefix ck: <https://w3id.org/clusterkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/clusterkg/id/cluster/my-cluster> rdfs:label "My cluster"@en .
"""


@pytest.fixture()
def home(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "home"
    (folder / "queries").mkdir(parents=True)
    (folder / "queries" / "mine.rq").write_text(MINE)
    (folder / "queries" / "deepest-parts-base.rq").write_text(OVERRIDE)
    monkeypatch.setenv("CLUSTERKG_HOME", str(folder))
    return folder


def test_a_source_checkout_uses_its_top_level_folders(monkeypatch):
    monkeypatch.delenv("CLUSTERKG_HOME", raising=False)
    assert bundled_root() == CHECKOUT
    settings = Settings.from_env()
    assert settings.ontology_dir == CHECKOUT / "ontology"
    assert settings.graphs_dir == CHECKOUT / "graphs"
    assert settings.query_dirs == (CHECKOUT / "queries",)


def test_a_home_with_queries_adds_and_overrides_named_queries(home):
    settings = Settings.from_env()
    assert settings.root == home.resolve()
    # No ontology/ or graphs/ in the home: the bundled ones are used.
    assert settings.ontology_dir == CHECKOUT / "ontology"
    assert settings.graphs_dir == CHECKOUT / "graphs"
    named = load_queries(settings.query_dirs)
    assert sorted(named) == sorted({*BUNDLED_QUERIES, "mine"})
    assert named["deepest-parts-base"].title == "My deepest parts base"
    assert named["cluster-members"].path == CHECKOUT / "queries" / "cluster-members.rq"


def test_the_overriding_query_is_the_one_that_runs(home):
    kg = open_kg(Settings.from_env(load_bundled=False))
    try:
        assert run_named(kg, "deepest-parts-base").records() == [{"n": 42}]
        assert run_named(kg, "mine").records() == [{"n": 7}]
    finally:
        kg.close()


def test_the_web_registry_merges_the_same_way(home):
    registry = QueryRegistry(Settings.from_env().query_dirs, check_interval=0)
    queries = registry.queries()
    assert sorted(queries) == sorted({*BUNDLED_QUERIES, "mine"})
    assert queries["deepest-parts-base"].title == "My deepest parts base"


def test_a_home_with_graphs_replaces_the_bundled_graphs(home):
    (home / "graphs").mkdir()
    (home / "graphs" / "mine.ttl").write_text(ONE_CLUSTER)
    settings = Settings.from_env()
    assert settings.graphs_dir == home.resolve() / "graphs"
    assert settings.ontology_dir == CHECKOUT / "ontology"
    kg = open_kg(settings)
    try:
        loaded = {Path(r.path).name for r in kg.loaded}
        assert "mine.ttl" in loaded and "sources.ttl" not in loaded
        assert "clusterkg.ttl" in loaded  # the bundled ontology is still there
    finally:
        kg.close()


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_a_home_that_cannot_be_used_is_refused_by_name(tmp_path, monkeypatch, make):
    folder = tmp_path / "nowhere"
    if make == "empty":
        folder.mkdir()
        (folder / "notes.txt").write_text("not a project")
    monkeypatch.setenv("CLUSTERKG_HOME", str(folder))
    with pytest.raises(SettingsError, match=f"CLUSTERKG_HOME={folder}"):
        project_root()


def test_the_cli_takes_a_home_option(home, monkeypatch):
    monkeypatch.delenv("CLUSTERKG_HOME")
    # env= makes the runner put CLUSTERKG_HOME back as it was (the option sets it for commands)
    runner = CliRunner(env={"CLUSTERKG_HOME": None})
    done = runner.invoke(main, ["--home", str(home), "queries", "--format", "json"])
    assert done.exit_code == 0, done.output
    titles = {q["name"]: q["title"] for q in json.loads(done.output)}
    assert sorted(titles) == sorted({*BUNDLED_QUERIES, "mine"})
    assert titles["deepest-parts-base"] == "My deepest parts base"


@pytest.mark.parametrize("how", ["option", "env"])
def test_the_cli_refuses_a_home_it_cannot_use(tmp_path, how):
    missing = tmp_path / "missing"
    runner = CliRunner(env={"CLUSTERKG_HOME": str(missing) if how == "env" else None})
    args = ["--home", str(missing)] if how == "option" else []
    done = runner.invoke(main, [*args, "queries"])
    assert done.exit_code == 2
    given_as = "--home" if how == "option" else "CLUSTERKG_HOME"
    assert f"{given_as}={missing}: no such folder" in done.output
    assert "Traceback" not in done.output

"""End to end on a user's own network: the fictitious 18-firm register of tests/io/data/network
(README there has the hand-worked answers), imported with ``clusterkg import`` into an
``oxigraph:DIR`` store holding the bundled graphs, analysed with ``--graph imports`` (only the
user's links, no bundled node), then served by ``clusterkg serve`` and asked over HTTP.

Expected values are the README's, worked out by hand from links.csv.
"""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from clusterkg.cli import main
from clusterkg.store.backends import OxigraphBackend
from clusterkg.store.query_engine import QueryEngine

# The README's hand-worked answers, kept once beside the fixture.
from tests.io.test_network_fixture import NETWORK, SPOF, STEPS, YIBIN, YIBIN_CASCADE
from tests.web.conftest import start_serve

YIBIN_BATTERY_MAKERS = {"FX-CELL-Y", "FX-PACK-B"}
CLI = [sys.executable, "-m", "clusterkg.cli"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The store after `clusterkg load` and the four imports; the alias of every firm IRI."""
    tmp = tmp_path_factory.mktemp("own")
    folder = tmp / "store"
    env = {"CLUSTERKG_CACHE": str(tmp / "cache")}
    res = CliRunner().invoke(main, ["load", str(folder)], env=env)
    assert res.exit_code == 0, res.output
    for name, kind in STEPS:
        res = CliRunner().invoke(
            main,
            ["import", str(NETWORK / name), "--kind", kind, "--store", f"oxigraph:{folder}"],
            env=env,
        )
        assert res.exit_code == 0, res.output
    gc.collect()  # the CLI's handle of the folder must be freed before reopening it
    backend = OxigraphBackend(folder)
    rows = QueryEngine(backend, row_limit=None).query(
        "SELECT ?f ?a WHERE { ?f <http://www.w3.org/2004/02/skos/core#altLabel> ?a "
        'FILTER(STRSTARTS(STR(?a), "FX-")) }'
    )
    alias = {str(r["f"]): str(r["a"]) for r in rows.records()}
    backend.close()
    del backend
    gc.collect()
    assert len(alias) == 18
    return folder, alias, env


def _cli_json(folder: Path, env: dict, *args: str) -> dict:
    done = subprocess.run(
        [*CLI, "analyze", *args, "--store", f"oxigraph:{folder}", "--format", "json"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **env},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _per_oem(entries: list[dict], alias: dict[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in entries:
        for oem in e["oems"]:
            out.setdefault(alias[oem], set()).add(alias[e["node"]])
    return out


def test_single_points_of_failure_of_my_network_from_the_cli(store):
    folder, alias, env = store
    report = _cli_json(
        folder, env, "resilience", "--section", "single-points", "--graph", "imports"
    )
    entries = report["single_points_of_failure"]
    assert _per_oem(entries, alias) == SPOF
    # Only the user's firms: no bundled node is mixed in.
    assert all(e["node"] in alias for e in entries)
    # Each entry carries the chain through which its OEMs fail, ending at the removed firm.
    elec = next(e for e in entries if alias[e["node"]] == "FX-ELEC")
    chain = elec["items"][0]["chain"]
    assert alias[chain[-1]["supplier"]] == "FX-ELEC"
    assert alias[chain[0]["customer"]] in ("FX-OEM-1", "FX-OEM-2")
    assert elec["value_at_risk"] > 0


def test_scenarios_by_selection_on_my_network_from_the_cli(store):
    folder, alias, env = store
    yibin = _cli_json(folder, env, "scenario", "--graph", "imports", "--remove-region", "Yibin")
    assert {alias[n] for n in yibin["removed"]} == YIBIN
    assert {alias[n] for n in yibin["cascaded"]} == YIBIN_CASCADE
    failed_oems = {alias[a["oem"]] for a in yibin["affected_oems"] if a["failed"]}
    assert failed_oems == {"FX-OEM-1", "FX-OEM-2"}
    for a in yibin["affected_oems"]:
        assert a["why"]["item"] and a["why"]["chain"], a  # why each OEM failed
    makers = _cli_json(
        folder,
        env,
        "scenario",
        "--graph",
        "imports",
        "--remove-region",
        "Yibin",
        "--kind",
        "BatteryMaker",
    )
    assert {alias[n] for n in makers["removed"]} == YIBIN_BATTERY_MAKERS
    assert makers["cascaded"] == []
    assert not any(a["failed"] for a in makers["affected_oems"])


def test_the_python_api_gives_the_same_risk_answer(store):
    import clusterkg

    folder, alias, env = store
    kg = clusterkg.open(store=f"oxigraph:{folder}")
    try:
        report = kg.resilience("single-points", graphs="imports")
        assert _per_oem(report["single_points_of_failure"], alias) == SPOF
        makers = kg.scenario(remove_regions="Yibin", kinds=["BatteryMaker"], graphs="imports")
        assert {alias[n] for n in makers.removed} == YIBIN_BATTERY_MAKERS
        assert makers.cascaded == []
    finally:
        kg.close()
    gc.collect()  # free the store folder for the server below


def test_the_served_store_gives_the_same_risk_answer(store):
    folder, alias, env = store
    proc, base = start_serve(CLI, "--store", f"oxigraph:{folder}", env=env)
    try:
        res = requests.get(f"{base}/api/resilience", params={"graph": "imports"}, timeout=60)
        assert res.status_code == 200, res.text
        assert _per_oem(res.json()["single_points_of_failure"], alias) == SPOF
        body = {"graph": "imports", "remove_regions": ["Yibin"], "kinds": ["BatteryMaker"]}
        count = requests.post(f"{base}/api/scenario/selection", json=body, timeout=60)
        assert count.status_code == 200 and count.json()["count"] == 2, count.text
        res = requests.post(f"{base}/api/scenario", json={**body, "kinds": []}, timeout=60)
        assert res.status_code == 200, res.text
        assert {alias[n] for n in res.json()["cascaded"]} == YIBIN_CASCADE
        # The explorer's force layout spreads the imported firms out (they were drawn within
        # a thousandth of one point beside the curated network's components).
        view = requests.get(
            f"{base}/api/graph", params={"view": "supply", "layout": "force"}, timeout=120
        )
        assert view.status_code == 200, view.text
        mine = [(n["x"], n["y"]) for n in view.json()["nodes"] if n["id"] in alias]
        assert len(mine) == 18
        xs, ys = zip(*mine, strict=True)
        assert max(max(xs) - min(xs), max(ys) - min(ys)) > 0.1
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)

"""The analyze/generate commands and the JSON routes, as a user runs them."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from clusterkg.cli import main

NEV = "https://w3id.org/clusterkg/id/group/chengdu-chongqing-nev-makers"


def test_cli_centrality_csv_and_json():
    r = CliRunner().invoke(main, ["analyze", "centrality", "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and {"node", "betweenness", "pagerank", "synthetic"} <= set(rows[0])
    assert {row["synthetic"] for row in rows} == {"false"}
    r = CliRunner().invoke(
        main, ["analyze", "centrality", "--format", "json", "--metric", "in_degree"]
    )
    body = json.loads(r.stdout)
    assert body["synthetic"] is False
    nev = next(x for x in body["rows"] if x["node"] == NEV)
    assert nev["in_degree"] == 7  # 7 distinct suppliers in chengdu-chongqing-supply.ttl


def test_cli_scenario_and_bad_region():
    r = CliRunner().invoke(
        main,
        [
            "analyze",
            "scenario",
            "--format",
            "json",
            "--remove",
            "group/nev-core-parts-makers-outside-chengdu-chongqing",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["cascaded"] == [NEV]
    r = CliRunner().invoke(main, ["analyze", "scenario", "--remove-region", "Atlantis"])
    assert r.exit_code == 2
    assert "no region named 'Atlantis'" in r.output and "Traceback" not in r.output


def test_cli_generate_is_byte_reproducible(tmp_path):
    a, b = tmp_path / "a.trig", tmp_path / "b.trig"
    for out in (a, b):
        r = CliRunner().invoke(
            main, ["generate", "--seed", "5", "--scale", "0.03", "--out", str(out)]
        )
        assert r.exit_code == 0, r.output
    assert a.read_bytes() == b.read_bytes()
    assert b"ck:SyntheticEntity" in a.read_bytes()
    r = CliRunner().invoke(
        main,
        [
            "analyze",
            "resilience",
            "--graph",
            "synthetic",
            "--data",
            str(a),
            "--section",
            "self-sufficiency",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["synthetic"] is True and len(body["self-sufficiency"]) == 6
    assert "SYNTHETIC" in r.stderr


def test_api_routes(client):
    r = client.get("/api/centrality?top=5&metric=in_degree")
    assert r.status_code == 200 and r.json["synthetic"] is False
    assert r.json["rows"][0]["node"] == NEV and len(r.json["rows"]) == 5
    r = client.post(
        "/api/scenario", json={"remove": ["group/nev-core-parts-makers-outside-chengdu-chongqing"]}
    )
    assert r.status_code == 200 and r.json["cascaded"] == [NEV]
    bad = client.post(
        "/api/scenario", json={"remove": "catl"}, headers={"Accept": "application/json"}
    )
    assert bad.status_code == 400 and "list of strings" in bad.json["error"]
    bad = client.post(
        "/api/scenario",
        json={"remove_regions": ["Atlantis"]},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400 and "Atlantis" in bad.json["error"]
    r = client.get("/api/resilience")
    assert r.status_code == 200
    nev_items = {
        x["item"].rsplit("/", 1)[-1]: x for x in r.json["sourcing"] if x["customer"] == NEV
    }
    assert nev_items["transmission"]["single_sourced"]
    assert nev_items["drive-motor"]["hhi"] == 1 / 3  # three suppliers, equal shares
    r = client.get("/api/indicators")
    assert r.status_code == 200 and len(r.json["clusters"]) == 6
    assert client.get("/api/centrality?graph=nope").status_code == 400

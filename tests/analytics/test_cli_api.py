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
    assert body["synthetic"] is True and len(body["self_sufficiency"]) == 6
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
    assert r.status_code == 200 and len(r.json["clusters"]) == 6 and r.json["synthetic"] is False
    assert client.get("/api/indicators?graph=curated").json == r.json
    refused = client.get("/api/indicators?graph=synthetic")  # was: the curated answer
    assert refused.status_code == 400 and "only the curated graph" in refused.get_data(as_text=True)
    assert client.get("/api/centrality?graph=nope").status_code == 400


CATL_YIBIN = "https://w3id.org/clusterkg/id/site/catl-yibin"


def test_region_scenario_names_the_unlinked_site_it_matched():
    # graphs/chengdu-chongqing-enterprises.ttl locates site:catl-yibin in Yibin, and no curated
    # supply link names it: the scenario removes nothing from the network and must say why.
    r = CliRunner().invoke(main, ["analyze", "scenario", "--remove-region", "Yibin"])
    assert r.exit_code == 0, r.output
    assert "removed 0 (and 1 entities without supply links)" in r.stdout
    assert "CATL battery base in Yibin" in r.stdout and "no supply link" in r.stdout
    assert "--graph synthetic" in r.stdout
    r = CliRunner().invoke(
        main, ["analyze", "scenario", "--remove-region", "Yibin", "--format", "json"]
    )
    body = json.loads(r.stdout)
    assert body["removed"] == [] and body["failed"] == []
    assert [e["iri"] for e in body["unlinked"]] == [CATL_YIBIN]
    assert body["unlinked"][0]["region"] == "https://w3id.org/clusterkg/id/region/yibin"


def test_region_scenario_json_route_reports_unlinked(client):
    r = client.post("/api/scenario", json={"remove_regions": ["Yibin"]})
    assert r.status_code == 200
    body = r.get_json()
    assert [e["iri"] for e in body["unlinked"]] == [CATL_YIBIN]
    assert any("CATL battery base in Yibin" in n for n in body["notes"])

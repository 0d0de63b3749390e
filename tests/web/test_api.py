"""The one ``/api/*`` blueprint: one scenario handler under two paths, one answer for a store
without a synthetic graph, and errors mapped once from the error hierarchy.

Expected values: Dongfeng Sokon's only stated supplier is its group of 37 support enterprises
in Sichuan, worth "1.3 billion yuan" a year (graphs/chengdu-chongqing-supply.ttl); the
reference for the generated network is the same generator's output loaded as a file.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from clusterkg.analytics.generate import generate
from clusterkg.config import Settings
from clusterkg.errors import Finding, UnusableInput
from clusterkg.store.kg import open_kg
from tests.web.conftest import make_app

ID = "https://w3id.org/clusterkg/id/"
SOKON = ID + "enterprise/dongfeng-sokon"
SOKON_GROUP = ID + "group/dongfeng-sokon-sichuan-support-enterprises"
JSON = {"Accept": "application/json"}


def test_both_scenario_paths_take_one_body_and_give_one_answer(client):
    new = client.post("/api/scenario", json={"remove": [SOKON_GROUP], "graph": "curated"})
    old = client.post("/api/graph/scenario", json={"remove": [SOKON_GROUP], "network": "curated"})
    assert new.status_code == old.status_code == 200
    assert new.get_json() == old.get_json()
    d = new.get_json()
    assert [a["oem"] for a in d["affected_oems"]] == [SOKON]
    assert d["lost_value_cny"] == 1_300_000_000
    assert d["ignored"] == [] and d["graph"] == "curated"
    assert d["labels"][SOKON_GROUP]


def test_scenario_names_outside_the_network_are_ignored_and_listed(client):
    d = client.post(
        "/api/scenario", json={"remove": ["enterprise/nowhere-at-all", SOKON_GROUP]}
    ).get_json()
    assert d["ignored"] == ["enterprise/nowhere-at-all"]
    assert [a["oem"] for a in d["affected_oems"]] == [SOKON]


def test_scenario_field_under_both_names_is_refused(client):
    r = client.post(
        "/api/scenario", json={"remove_regions": [], "regions": ["Yibin"]}, headers=JSON
    )
    assert r.status_code == 400 and "give remove_regions once" in r.get_json()["error"]


def test_store_without_synthetic_graph_answers_with_the_generated_network(tmp_path: Path):
    settings = Settings.from_env()
    kg = open_kg(settings)
    try:
        text, _ = generate(kg)
    finally:
        kg.close()
    trig = tmp_path / "synthetic.trig"
    trig.write_text(text, encoding="utf-8")
    query = {"graph": "synthetic", "metric": "in_degree", "top": 10000}
    with make_app(data=(trig,)) as with_graph:
        reference = with_graph.test_client().get("/api/centrality", query_string=query)
    assert reference.status_code == 200
    with make_app() as app:
        client = app.test_client()
        answer = client.get("/api/centrality", query_string=query, headers=JSON)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["synthetic"] is True
        assert answer.get_json()["rows"] == reference.get_json()["rows"]
        body = {"remove_regions": ["Yibin"], "graph": "synthetic"}
        one = client.post("/api/scenario", json=body, headers=JSON)
        two = client.post("/api/graph/scenario", json=body, headers=JSON)
        assert one.status_code == two.status_code == 200
        assert one.get_json() == two.get_json() and one.get_json()["synthetic"] is True


def test_errors_of_the_hierarchy_answer_with_their_status_and_message():
    probe = Blueprint("probe", __name__)

    @probe.get("/probe/<kind>")
    def raise_it(kind: str):
        if kind == "finding":
            raise Finding("3 rows violate the shapes")
        if kind == "unusable":
            raise UnusableInput("no region called Atlantis")
        raise RuntimeError("secret internals")

    with make_app() as app:
        app.register_blueprint(probe)
        client = app.test_client()
        r = client.get("/probe/finding", headers=JSON)
        assert r.status_code == 422 and r.get_json()["error"] == "3 rows violate the shapes"
        r = client.get("/probe/unusable", headers=JSON)
        assert r.status_code == 400 and r.get_json()["error"] == "no region called Atlantis"
        r = client.get("/probe/bug")
        text = r.get_data(as_text=True)
        assert r.status_code == 500 and r.headers["X-Request-Id"] in text
        assert "secret internals" not in text and "Traceback" not in text


def test_scenario_with_nothing_usable_says_why_each_name_was_not_taken(client):
    r = client.post("/api/scenario", json={"remove": ["enterprise/nowhere-at-all"]}, headers=JSON)
    assert r.status_code == 400
    assert "'enterprise/nowhere-at-all' is not in the supply network" in r.get_json()["error"]

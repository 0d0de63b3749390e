"""The analytics run through ``kg.engine.call`` (clusterkg.views.analysis): the same answers as
the analytics themselves, networks packed once, and the size cap's refusal for people."""

from __future__ import annotations

import pickle

import pytest

from clusterkg.analytics import resilience as rs
from clusterkg.analytics.scenarios import run_scenario
from clusterkg.config import Settings
from clusterkg.store.kg import open_kg
from clusterkg.views import analysis as an
from clusterkg.views import explorer as gd

SOKON = "https://w3id.org/clusterkg/id/group/dongfeng-sokon-sichuan-support-enterprises"


@pytest.fixture(scope="module")
def kg():
    kg = open_kg(Settings.from_env())
    yield kg
    kg.close()


def test_a_packed_network_is_the_network_and_is_unpickled_once_per_process(kg):
    network = gd.packed_supply(kg, "curated")
    assert gd.packed_supply(kg, "curated") is network  # cached per state of the store
    G = gd.supply(kg, "curated")
    assert (network.nodes, network.edges) == (G.number_of_nodes(), G.number_of_edges())
    first = an.unpack(network)
    assert an.unpack(network) is first
    assert sorted(first.edges(data=True)) == sorted(G.edges(data=True))


def test_the_worker_functions_answer_as_the_analytics_do(kg):
    network = gd.packed_supply(kg, "curated")
    G = gd.supply(kg, "curated")
    chosen = {"remove": [SOKON]}
    report = an.scenario_report(network, chosen, "and", 0.5)
    expected = run_scenario(G, remove=[SOKON], missing="note").to_dict()
    assert {k: v for k, v in report.items() if k != "labels"} == expected
    assert set(report["labels"]) == set(expected["failed"]) | set(expected["removed"])
    body = an.resilience_report(network, False, None)
    assert body["sourcing"] == rs.sourcing(G)
    assert "robustness" not in body
    rows = an.centrality_rows(network, ("in_degree",), 0, 256, "in_degree", 3)["rows"]
    assert len(rows) == 3 and rows[0]["in_degree"] >= rows[-1]["in_degree"]


def test_a_network_above_the_cap_is_refused_for_people_and_the_refusal_crosses_a_pipe():
    settings = Settings.from_env(analysis_max_nodes=10, analysis_max_edges=20)
    with pytest.raises(an.NetworkTooLarge) as info:
        an.check_network(11, 5, settings)
    assert info.value.http_status == 422
    message = str(info.value)
    assert "has 11 nodes and 5 edges" in message and "at most 10 nodes and 20 edges" in message
    assert "CLUSTERKG_ANALYSIS_MAX_NODES" in message
    # A worker sends it back pickled: it keeps its message and status.
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == message and again.http_status == 422
    an.check_network(10, 20, settings)  # at the cap: accepted

"""Analytics on the curated graph: a scenario with a known outcome, indicators, write-back."""

from __future__ import annotations

import pytest

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.indicators import cluster_indicators
from clusterkg.analytics.projection import resolve_region, supply_network
from clusterkg.analytics.scenarios import run_scenario
from clusterkg.analytics.writeback import now, results_graph, write_results
from clusterkg.config import Settings
from clusterkg.store.kg import open_kg
from clusterkg.vocab import ID

NEV = str(ID["group/chengdu-chongqing-nev-makers"])
OUTSIDE = str(ID["group/nev-core-parts-makers-outside-chengdu-chongqing"])


def test_losing_the_outside_makers_fails_the_chengdu_chongqing_nev_makers(kg):
    # graphs/chengdu-chongqing-supply.ttl: the NEV makers buy drive motors (also from Changan,
    # Seres), electronic controls (also from Landai, Yuebo) and transmissions ONLY from the
    # makers outside the region. Without those, transmissions are gone: AND over items fails
    # the NEV makers in round 1, and nothing else depends on them.
    G = supply_network(kg)
    assert not G.graph["synthetic"]
    rep = run_scenario(G, remove=[OUTSIDE])
    assert rep.removed == [OUTSIDE]
    assert rep.cascaded == [NEV] and rep.rounds == 1
    assert rep.lost_links == 3
    # the threshold rule: 3 of the NEV makers' 9 inbound links are lost (1/3 < 0.5)
    assert run_scenario(G, remove=[OUTSIDE], mode="threshold", theta=0.5).cascaded == []
    assert run_scenario(G, remove=[OUTSIDE], mode="threshold", theta=0.3).cascaded == [NEV]


def test_everything_outside_the_region_goes_with_located_outside_groups(kg):
    G = supply_network(kg)
    cc = resolve_region(kg, "Chengdu-Chongqing Economic Circle")
    assert cc == str(ID["region/chengdu-chongqing"])
    rep = run_scenario(G, keep_regions=[cc])
    assert OUTSIDE in rep.removed and NEV in rep.failed
    assert str(ID["enterprise/seres"]) not in rep.removed


def test_region_names_resolve_or_explain(kg):
    assert resolve_region(kg, "yibin") == str(ID["region/yibin"])
    with pytest.raises(AnalyticsError, match="no region named 'Atlantis'"):
        resolve_region(kg, "Atlantis")


def test_indicators_from_the_observations(kg):
    res = cluster_indicators(kg)
    assert res["counts_source"] == str(ID["source/six-auto-clusters"])
    rows = {r["cluster"].rsplit("/", 1)[-1]: r for r in res["clusters"]}
    cc = rows["chengdu-chongqing-auto"]
    # 45 of 259 vehicle enterprises, 1,398 of 12,892 parts enterprises (source 000)
    assert cc["vehicle_enterprises_share"] == pytest.approx(45 / 259)
    assert cc["parts_enterprises_share"] == pytest.approx(1398 / 12892)
    assert cc["parts_per_vehicle_enterprise"] == pytest.approx(1398 / 45)
    assert cc["parts_location_quotient"] == pytest.approx((1398 / 1443) / (12892 / 13151))
    shares = [61, 20, 53, 52, 28, 45]
    assert res["hhi"]["vehicle_enterprises"] == pytest.approx(sum((x / 259) ** 2 for x in shares))


def test_results_are_queryable_as_rdf():
    store = open_kg(Settings.from_env(store="memory"))
    firm = str(ID["enterprise/changan-automobile"])
    g, run = results_graph("centrality", {"k": 5}, {"betweenness": {firm: 0.25}}, started=now())
    assert write_results(store, g) == len(g)
    rows = store.query("""PREFIX ck: <https://w3id.org/clusterkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?firm ?betweenness ?version ?params WHERE {
          GRAPH <https://w3id.org/clusterkg/graph/analytics> {
            ?r ck:resultFor ?firm ; ck:metric ck:BetweennessCentrality ;
               ck:scoreValue ?betweenness ; prov:wasGeneratedBy ?run .
            ?run a ck:AnalysisRun ; ck:softwareVersion ?version ; ck:parameters ?params ;
                 prov:startedAtTime ?t } }""").records()
    assert [(r["firm"], r["betweenness"], r["params"]) for r in rows] == [(firm, 0.25, '{"k": 5}')]
    store.close()

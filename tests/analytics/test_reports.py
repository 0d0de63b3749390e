"""The analysis reports behind ``clusterkg analyze``: plain data, checked against the sources."""

from __future__ import annotations

import json

import pytest

from clusterkg.analytics import AnalyticsError, reports

NEV = "https://w3id.org/clusterkg/id/group/chengdu-chongqing-nev-makers"
OUTSIDE = "group/nev-core-parts-makers-outside-chengdu-chongqing"


def test_centrality_sorts_by_the_chosen_metric_and_cuts_the_reading_table(kg):
    report = reports.centrality(kg, metrics=["in_degree"], top=3)
    rows = report["json"]["rows"]
    nev = next(r for r in rows if r["node"] == NEV)
    assert nev["in_degree"] == 7  # 7 distinct suppliers in graphs/chengdu-chongqing-supply.ttl
    # betweenness was not chosen, so the rows sort by in_degree, highest first
    degrees = [r["in_degree"] for r in rows]
    assert degrees == sorted(degrees, reverse=True)
    assert rows[0]["node"] == NEV
    [[title, shown]] = report["tables"]
    assert "curated graph" in title and len(shown) == 3
    assert shown[0]["node"] == "group/chengdu-chongqing-nev-makers"
    assert report["rows"] is rows and report["synthetic"] is False
    assert report["write"]["scores"]["in_degree"][NEV] == 7
    json.dumps(report["json"], default=str)  # the JSON body is plain data


def test_an_unknown_metric_is_refused_by_name(kg):
    with pytest.raises(AnalyticsError, match="unknown metric closenes"):
        reports.centrality(kg, metrics=["closenes"])


def test_scenario_cascades_to_the_nev_makers(kg):
    report = reports.scenario(kg, remove=[OUTSIDE])
    assert report["json"]["cascaded"] == [NEV]
    # the selection's size comes first, before what it did
    assert report["lines"][0] == "the selection holds 1 node(s) (1 SupplierGroup)"
    assert report["lines"][1].startswith("removed 1, failed in total 2 (1 by cascade")
    titles = [t for t, _rows in report["tables"]]
    # the affected-OEM table appears only when some OEM lost a supplier; the cascade's table
    # lists every firm that failed without being removed, with the item it lost
    assert titles == ["Scenario damage per cluster"] + (
        ["Affected OEMs"] if report["json"]["affected_oems"] else []
    ) + ["Failed by cascade"]
    [cascaded] = dict(report["tables"])["Failed by cascade"]
    assert cascaded["firm"] == NEV[30:] and cascaded["lost_item"] and cascaded["chain"]


def test_the_affected_oem_table_says_why_in_words(kg):
    # Removing Dongfeng Sokon's support enterprises makes Dongfeng Sokon fail (auto parts).
    report = reports.scenario(kg, remove=["group/dongfeng-sokon-sichuan-support-enterprises"])
    [oem] = dict(report["tables"])["Affected OEMs"]
    assert oem["oem"] == "enterprise/dongfeng-sokon" and oem["failed"] is True
    assert oem["lost_item"] == "component/auto-parts"
    assert oem["chain"].startswith("enterprise/dongfeng-sokon <-component/auto-parts- group/")
    # A table shows why as the item and chain, never as a nested record printed as JSON.
    assert not any(isinstance(v, dict) for v in oem.values()), oem


def test_resilience_sections_and_their_tables(kg):
    report = reports.resilience(kg, section="sourcing")
    nev = {r["item"].rsplit("/", 1)[-1]: r for r in report["rows"] if r["customer"] == NEV[30:]}
    assert nev["drive-motor"]["hhi"] == pytest.approx(1 / 3)  # three suppliers, equal shares
    assert nev["transmission"]["single_sourced"]
    assert [t for t, _rows in report["tables"]] == ["Sourcing"]
    assert set(report["json"]) == {"synthetic", "graph", "sourcing"}
    spof = reports.resilience(kg, section="single-points")
    assert "single_points_of_failure" in spof["json"] and "by_region" in spof["json"]
    assert spof["lines"][0].startswith("single points of failure: a firm fails when")
    curves = reports.resilience(kg, section="robustness", strategies=["degree"], points=5)
    [row] = curves["rows"]
    assert row["strategy"] == "degree" and len(row["fractions"]) == len(row["lcc_mean"])
    [[_title, [shown]]] = curves["tables"]
    assert "fractions" not in shown and shown["R_lcc"] == row["R_lcc"]


def test_indicators_read_only_the_curated_observations(kg):
    report = reports.indicators(kg)
    assert len(report["json"]["clusters"]) == 6 and report["json"]["synthetic"] is False
    assert all("sources" not in r for r in report["rows"])
    with pytest.raises(AnalyticsError, match="curated"):
        reports.indicators(kg, "synthetic")

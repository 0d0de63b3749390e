"""One comparable-counts rule for the dashboards, the analytics and the named query.

The bundled graph states the six clusters' vehicle and parts enterprise counts in one source
(six-auto-clusters: Northeast 20 vehicle and 846 parts enterprises). Sources count
differently, so the counts come from the one source that states both for the most clusters
(:func:`clusterkg.analytics.indicators.comparable_counts`). A second source that states only
vehicle counts for all six clusters, or both counts for one cluster, must not change them.
"""

from __future__ import annotations

from pathlib import Path

from clusterkg.analytics.indicators import cluster_indicators
from clusterkg.config import Settings
from clusterkg.queries import run_named
from clusterkg.store.kg import open_kg
from clusterkg.views.dashboards import comparison
from clusterkg.views.explorer import AUTO_CLUSTERS

# An IRI that sorts before ".../source/six-auto-clusters", so a tie between the two sources
# on "states vehicle counts for six clusters" goes to it.
EXTRA = """@prefix ck: <https://w3id.org/clusterkg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/clusterkg/id/source/aaa-vehicle-census> a ck:SourceDocument ;
    <http://www.w3.org/2000/01/rdf-schema#label> "A second count" .
"""


def test_vehicle_counts_of_another_source_do_not_replace_the_comparable_ones(tmp_path: Path):
    lines = [EXTRA]
    for i, c in enumerate(AUTO_CLUSTERS):
        lines.append(
            f"<https://w3id.org/clusterkg/id/obs/census-{i}> a ck:Observation ; ck:indicator ck:VehicleEnterpriseCount ; "
            f'ck:refArea <{c}> ; ck:value 999 ; ck:refPeriod "2030" ; '
            "prov:wasDerivedFrom <https://w3id.org/clusterkg/id/source/aaa-vehicle-census> .\n"
        )
    extra = tmp_path / "census.ttl"
    extra.write_text("".join(lines), encoding="utf-8")
    kg = open_kg(Settings.from_env(), extra=[extra])
    try:
        rows = {r["slug"]: r for r in comparison(kg)["rows"]}
    finally:
        kg.close()
    northeast = rows["northeast-china-auto"]
    assert northeast["cells"]["VehicleEnterpriseCount"]["value"] == 20
    assert northeast["cells"]["PartsEnterpriseCount"]["value"] == 846
    assert northeast["ratio"] == 846 / 20
    assert not northeast["cells"]["VehicleEnterpriseCount"]["other_source"]


def test_one_cluster_counted_by_another_source_keeps_the_comparable_counts(tmp_path: Path):
    northeast = AUTO_CLUSTERS[3]
    assert northeast.endswith("northeast-china-auto")
    src = "<https://w3id.org/clusterkg/id/source/aaa-one-cluster>"
    extra = tmp_path / "one.ttl"
    extra.write_text(
        EXTRA.replace("<https://w3id.org/clusterkg/id/source/aaa-vehicle-census>", src)
        + "".join(
            f"<https://w3id.org/clusterkg/id/obs/one-{name}> a ck:Observation ; "
            f"ck:indicator ck:{name} ; ck:refArea <{northeast}> ; ck:value {value} ; "
            f"prov:wasDerivedFrom {src} .\n"
            for name, value in (("VehicleEnterpriseCount", 1), ("PartsEnterpriseCount", 2))
        ),
        encoding="utf-8",
    )
    kg = open_kg(Settings.from_env(), extra=[extra])
    try:
        named = [
            r
            for r in run_named(kg, "compare-auto-clusters", {}).records()
            if r["cluster"] == northeast
        ]
        analytics = {r["cluster"]: r for r in cluster_indicators(kg)["clusters"]}[northeast]
        dashboard = {r["iri"]: r for r in comparison(kg)["rows"]}[northeast]
    finally:
        kg.close()
    assert [(r["vehicleEnterprises"], r["partsEnterprises"]) for r in named] == [(20, 846)]
    assert (analytics["vehicle_enterprises"], analytics["parts_enterprises"]) == (20, 846)
    cells = dashboard["cells"]
    assert (cells["VehicleEnterpriseCount"]["value"], cells["PartsEnterpriseCount"]["value"]) == (
        20,
        846,
    )

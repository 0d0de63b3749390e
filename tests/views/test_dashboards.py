"""The cluster comparison takes its enterprise counts from the one comparable-counts rule.

The bundled graph states the six clusters' vehicle and parts enterprise counts in one source
(six-auto-clusters: Northeast 20 vehicle and 846 parts enterprises). A second source that
states only vehicle counts, for all six clusters, must not replace them: parts and vehicles
from different sources are counted differently and their ratio would mix them.
"""

from __future__ import annotations

from pathlib import Path

from clusterkg.config import Settings
from clusterkg.store.kg import open_kg
from clusterkg.views.dashboards import comparison
from clusterkg.views.explorer import AUTO_CLUSTERS

# An IRI that sorts before ".../source/six-auto-clusters", so a tie between the two sources
# on "states vehicle counts for six clusters" goes to it.
EXTRA = """@prefix ck: <https://w3id.org/clusterkg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/clusterkg/id/source/aaa-vehicle-census> a ck:SourceDocument .
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

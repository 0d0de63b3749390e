"""The shapes reject broken data with messages a person can act on, and accept ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.validate import validate_paths

PREFIXES = """
@prefix ck: <https://w3id.org/clusterkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix cur: <http://qudt.org/vocab/currency/> .
@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix cl: <https://w3id.org/clusterkg/id/cluster/> .
@prefix ent: <https://w3id.org/clusterkg/id/enterprise/> .
@prefix reg: <https://w3id.org/clusterkg/id/region/> .
@prefix obs: <https://w3id.org/clusterkg/id/obs/> .
@prefix sup: <https://w3id.org/clusterkg/id/supply/> .
@prefix pol: <https://w3id.org/clusterkg/id/policy/> .
@prefix comp: <https://w3id.org/clusterkg/id/component/> .
@prefix src: <https://w3id.org/clusterkg/id/source/> .

cl:c a ck:IndustrialCluster ; rdfs:label "C"@en ;
    prov:wasDerivedFrom src:six-auto-clusters ; ck:quote "a quote long enough" .
ent:a a ck:Enterprise ; rdfs:label "A"@en .
ent:b a ck:Enterprise ; rdfs:label "B"@en .
reg:r a ck:Province ; rdfs:label "R"@en .
"""

GOOD_OBS = """
obs:x a ck:Observation ; ck:indicator ck:PartsEnterpriseCount ; ck:refArea cl:c ;
    ck:value 846 ; ck:unit unit:NUM ; prov:wasDerivedFrom src:six-auto-clusters ;
    ck:quote "846 auto parts companies" .
"""

# (name, Turtle added to PREFIXES, focus node, words the message must contain)
BROKEN = [
    ("negative count", GOOD_OBS.replace("846 ;", "-5 ;"), "obs/x", "negative"),
    (
        "percentage 120",
        """
obs:x a ck:Observation ; ck:indicator ck:CapacityUtilisation ; ck:refArea cl:c ;
    ck:value 120 ; ck:unit unit:PERCENT ; prov:wasDerivedFrom src:six-auto-clusters ;
    ck:quote "a utilisation rate of 120%" .""",
        "obs/x",
        "percentage out of range",
    ),
    (
        "observation without source",
        GOOD_OBS.replace(
            'prov:wasDerivedFrom src:six-auto-clusters ;\n    ck:quote "846 auto parts companies"',
            'ck:statedValue "846"',
        ),
        "obs/x",
        "has no source",
    ),
    (
        "observation without quote",
        GOOD_OBS.replace(' ;\n    ck:quote "846 auto parts companies"', ""),
        "obs/x",
        "no verbatim quote",
    ),
    (
        "unit disagrees with indicator",
        GOOD_OBS.replace("unit:NUM", "unit:PERCENT"),
        "obs/x",
        "differs from its indicator",
    ),
    (
        "year out of range",
        GOOD_OBS.replace("ck:value 846 ;", 'ck:value 846 ; ck:refPeriod "1890"^^xsd:gYear ;'),
        "obs/x",
        "year out of range",
    ),
    ("text value", GOOD_OBS.replace("ck:value 846", 'ck:value "846"'), "obs/x", "numeric ck:value"),
    (
        "supply link to a non-enterprise",
        """
sup:x a ck:SupplyLink ; ck:supplier ent:a ; ck:customer reg:r ;
    ck:suppliedItem comp:drive-motor ; prov:wasDerivedFrom src:six-auto-clusters ;
    ck:quote "a quote long enough" .""",
        "supply/x",
        "ck:customer",
    ),
    (
        "self-supply",
        """
sup:x a ck:SupplyLink ; ck:supplier ent:a ; ck:customer ent:a ;
    ck:suppliedItem comp:drive-motor ; prov:wasDerivedFrom src:six-auto-clusters ;
    ck:quote "a quote long enough" .""",
        "supply/x",
        "supplies itself",
    ),
    (
        "negative supply value",
        """
sup:x a ck:SupplyLink ; ck:supplier ent:a ; ck:customer ent:b ;
    ck:suppliedItem comp:drive-motor ; ck:annualValueCNY -1 ;
    prov:wasDerivedFrom src:six-auto-clusters ; ck:quote "a quote long enough" .""",
        "supply/x",
        "non-negative number of yuan",
    ),
    (
        "two English labels",
        'ent:a rdfs:label "A again"@en .',
        "enterprise/a",
        "two labels in the same language",
    ),
    ("membership without source", "ent:a ck:memberOf cl:c .", "enterprise/a", "no source"),
    (
        "member of a non-cluster",
        """
ent:a ck:memberOf reg:r ; prov:wasDerivedFrom src:six-auto-clusters ;
    ck:quote "a quote long enough" .""",
        "enterprise/a",
        "ck:IndustrialCluster",
    ),
    (
        "policy without source",
        'pol:p a ck:Policy ; rdfs:label "P"@en .',
        "policy/p",
        "has no source",
    ),
    ("latitude out of range", "reg:r wgs84:lat 123.0 .", "region/r", "between -90 and 90"),
    (
        "region loop",
        """
reg:q a ck:City ; rdfs:label "Q"@en ; ck:partOf reg:r .
reg:r ck:partOf reg:q .""",
        "region/r",
        "must not loop",
    ),
]


@pytest.fixture(scope="module")
def base_files(settings) -> list[Path]:
    return [settings.ontology_dir, settings.graphs_dir / "sources.ttl"]


def _validate(settings, base_files, tmp_path, turtle: str):
    path = tmp_path / "fixture.ttl"
    path.write_text(PREFIXES + turtle, encoding="utf-8")
    return validate_paths([*base_files, path], ontology_dir=settings.ontology_dir)


def test_fixture_base_conforms(settings, base_files, tmp_path):
    report = _validate(settings, base_files, tmp_path, GOOD_OBS)
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("name,turtle,focus,words", BROKEN, ids=[b[0] for b in BROKEN])
def test_shapes_reject_broken_fixture(settings, base_files, tmp_path, name, turtle, focus, words):
    report = _validate(settings, base_files, tmp_path, turtle)
    assert not report.conforms
    hits = [
        v
        for v in report.violations
        if v.focus.endswith(focus) and words.lower() in v.message.lower()
    ]
    assert hits, f"{name}: expected {words!r} on {focus}; got:\n{report.to_text()}"
    # the report says which file the focus node comes from
    assert any("fixture.ttl" in f for v in hits for f in v.files)


def test_shipped_graphs_conform(settings):
    report = validate_paths(settings.bundled_paths(), ontology_dir=settings.ontology_dir)
    assert report.conforms, report.to_text()
    assert report.triples > 5000


SYNTHETIC_LINK = """
sup:gen a ck:SupplyLink, ck:SyntheticEntity ; ck:synthetic true ;
    ck:analysisRun <https://w3id.org/clusterkg/id/run/test> ;
    ck:supplier ent:a ; ck:customer ent:b ; ck:suppliedItem comp:drive-motor .
<https://w3id.org/clusterkg/id/run/test> a ck:AnalysisRun ; rdfs:label "test run"@en ;
    ck:parameters "{}" ; ck:softwareVersion "0" .
"""


def test_generated_links_need_the_synthetic_marker_not_a_quote(settings, base_files, tmp_path):
    report = _validate(settings, base_files, tmp_path, SYNTHETIC_LINK)
    assert report.conforms, report.to_text()
    unmarked = SYNTHETIC_LINK.replace(", ck:SyntheticEntity ; ck:synthetic true", "")
    report = _validate(settings, base_files, tmp_path, unmarked)
    assert any(
        v.focus.endswith("supply/gen") and "no source or no verbatim quote" in v.message
        for v in report.violations
    ), report.to_text()


def test_synthetic_entity_without_its_run_is_rejected(settings, base_files, tmp_path):
    orphan = SYNTHETIC_LINK.replace(
        "    ck:analysisRun <https://w3id.org/clusterkg/id/run/test> ;\n", ""
    )
    report = _validate(settings, base_files, tmp_path, orphan)
    assert not report.conforms
    assert any(v.focus.endswith("supply/gen") for v in report.violations), report.to_text()


def test_quads_files_are_validated_graph_by_graph(settings, base_files, tmp_path):
    trig = tmp_path / "bad.trig"
    trig.write_text(
        PREFIXES.replace("id:", "")
        + "<https://w3id.org/clusterkg/graph/x> {"
        + GOOD_OBS.replace("846 ;", "-5 ;")
        + "}",
        encoding="utf-8",
    )
    report = validate_paths([*base_files, trig], ontology_dir=settings.ontology_dir)
    assert any("negative" in v.message for v in report.violations), report.to_text()

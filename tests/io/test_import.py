"""CSV import: every kind imports and is queryable; bad rows are all reported; nothing partial."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from clusterkg.cli import main
from clusterkg.config import Settings
from clusterkg.io.csv_import import ImportFailed, import_csv
from clusterkg.io.templates import TEMPLATES
from clusterkg.store.backends import OxigraphBackend
from clusterkg.store.query_engine import QueryEngine
from clusterkg.vocab import CK, ID

# What each template's example row must add, worked out from the example by hand.
EXPECTED = {
    "enterprises": """ASK { GRAPH ?g {
        id:enterprise\\/example-battery-co a ck:BatteryMaker ;
          rdfs:label "Example Battery Co."@en , "示例电池有限公司"@zh ;
          skos:altLabel "EXAMPLE Battery" , "ExBat" ;
          ck:locatedIn id:region\\/chengdu ;
          ck:sector id:sector\\/auto-parts ;
          wgs84:lat 30.66 ; wgs84:long 104.07 } }""",
    "supply-links": """ASK { GRAPH ?g {
        id:supply\\/example-battery-co-to-changan-automobile-power-battery-2024 a ck:SupplyLink ;
          ck:supplier id:enterprise\\/example-battery-co ;
          ck:customer id:enterprise\\/changan-automobile ;
          ck:suppliedItem id:component\\/power-battery ; ck:annualValueCNY 123456789 ;
          ck:approximation ck:About ; ck:refPeriod "2024"^^xsd:gYear } }""",
    "observations": """ASK { GRAPH ?g {
        id:obs\\/example-battery-co-employment-2024 a ck:Observation ;
          ck:indicator ck:Employment ; ck:refArea id:enterprise\\/example-battery-co ;
          ck:value 1234 ; ck:unit unit:PERSON ; ck:statedValue "1,234 staff" } }""",
    "memberships": """ASK { GRAPH ?g {
        id:enterprise\\/example-battery-co ck:memberOf id:cluster\\/cc-auto } }""",
    "policies": """ASK { GRAPH ?g {
        id:policy\\/example-auto-parts-support-plan-fictitious a ck:Plan ;
          rdfs:label "EXAMPLE Auto Parts Support Plan (fictitious)"@en ,
            "示例汽车零部件扶持计划（虚构）"@zh ;
          ck:targets id:cluster\\/cc-auto ; dcterms:issued "2024-03-01"^^xsd:date } }""",
    "items": """ASK { GRAPH ?g {
        id:component\\/example-separator-film a skos:Concept ;
          skos:inScheme id:scheme\\/components ;
          rdfs:label "EXAMPLE separator film"@en , "示例隔膜"@zh ;
          skos:altLabel "EXAMPLE separator" ;
          skos:broader id:component\\/raw-materials-and-components ; skos:notation "EX-001" } }""",
    "regions": """ASK { GRAPH ?g {
        id:region\\/example-new-district a ck:District ;
          rdfs:label "EXAMPLE New District"@en , "示例新区"@zh ;
          ck:partOf id:region\\/chengdu ; wgs84:lat 30.5 ; wgs84:long 104.0 } }""",
    # A register's link: the same triples as a supply link, no quote, a ck:PrivateRegister source.
    "register-links": """ASK { GRAPH ?g {
        id:supply\\/example-battery-co-to-changan-automobile-power-battery-2024 a ck:SupplyLink ;
          ck:supplier id:enterprise\\/example-battery-co ;
          ck:suppliedItem id:component\\/power-battery ; ck:annualValueCNY 123456789 ;
          prov:wasDerivedFrom [ a ck:PrivateRegister ] .
        FILTER NOT EXISTS { id:supply\\/example-battery-co-to-changan-automobile-power-battery-2024 ck:quote ?q } } }""",
}
PREFIXES = """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
PREFIX id: <https://w3id.org/clusterkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def store_engine(path: Path) -> tuple[OxigraphBackend, QueryEngine]:
    """Reopen a store folder; an earlier handle in this process must be collected first,
    because RocksDB locks the folder until pyoxigraph's Store object is freed."""
    import gc

    gc.collect()
    backend = OxigraphBackend(path)
    return backend, QueryEngine(backend, row_limit=None)


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_template_example_imports_into_a_store_and_answers_sparql(kind, env, tmp_path, write_csv):
    runner = CliRunner()
    printed = runner.invoke(main, ["import", "--template", kind], env=env)
    assert printed.exit_code == 0
    header, example = printed.output.splitlines()
    assert header.split(",") == TEMPLATES[kind].names
    csv_file = write_csv(tmp_path / f"{kind}.csv", printed.output)
    store = tmp_path / "store"
    if kind in ("supply-links", "register-links", "observations", "memberships"):
        # These examples refer to the (fictitious) enterprises example: import it first.
        firms = runner.invoke(main, ["import", "--template", "enterprises"], env=env).output
        first = write_csv(tmp_path / "enterprises.csv", firms)
        done = runner.invoke(
            main,
            ["import", str(first), "--kind", "enterprises", "--store", f"oxigraph:{store}"],
            env=env,
        )
        assert done.exit_code == 0, done.output
    res = runner.invoke(
        main,
        [
            "import",
            str(csv_file),
            "--kind",
            kind,
            "--store",
            f"oxigraph:{store}",
            "--source",
            "Analyst list",
        ],
        env=env,
    )
    assert res.exit_code == 0, res.output
    assert "1 rows" in res.output
    backend, engine = store_engine(store)
    try:
        assert engine.query(PREFIXES + EXPECTED[kind]).boolean
        prov = engine.query(
            PREFIXES
            + """SELECT ?src ?title ?rows ?sha WHERE { GRAPH ?g {
            ?src a ck:SourceDocument ; dcterms:title ?title ; dcterms:extent ?rows ;
                 dcterms:identifier ?sha ; dcterms:created ?t }
            FILTER (?title = "Analyst list") }"""
        ).records()
        assert len(prov) == 1
        assert prov[0]["title"] == "Analyst list" and prov[0]["rows"] == 1
        import hashlib

        assert prov[0]["sha"] == "sha256:" + hashlib.sha256(csv_file.read_bytes()).hexdigest()
    finally:
        backend.close()
    if kind == "supply-links":
        # "Where does this number come from?" finds an imported amount as it finds a curated
        # one (both integers when whole: a decimal 123456789.0 matched no bound 123456789).
        import gc

        gc.collect()
        found = runner.invoke(
            main,
            ["query", "where-number-from", "--param", "value=123456789"]
            + ["--store", f"oxigraph:{store}", "--format", "csv"],
            env=env,
        )
        assert found.exit_code == 0, found.output
        assert "example-battery-co-to-changan-automobile-power-battery-2024" in found.output


def test_bom_semicolon_and_chinese_names(settings, tmp_path, write_csv):
    text = (
        "name_en;name_zh;type;region;cluster\n"
        "Chongqing Gear Works;重庆齿轮厂;PowertrainMaker;重庆;cc-auto\n"
    )
    text = text.replace(";cc-auto", ";cluster/cc-auto").replace(";重庆;", ";Chongqing;")
    f = write_csv(tmp_path / "gears.csv", text, bom=True)
    result = import_csv(f, "enterprises", settings)
    node = URIRef(ID["enterprise/chongqing-gear-works"])
    from rdflib.namespace import RDFS

    assert set(result.graph.objects(node, RDFS.label)) == {
        Literal("Chongqing Gear Works", lang="en"),
        Literal("重庆齿轮厂", lang="zh"),
    }
    assert (node, CK.memberOf, URIRef(ID["cluster/cc-auto"])) in result.graph


def test_reference_by_chinese_label_and_alias(settings, tmp_path, write_csv):
    f = write_csv(tmp_path / "e.csv", "name_en,region,parent\nChengdu Cells,成都,Changan\n")
    g = import_csv(f, "enterprises", settings).graph
    node = URIRef(ID["enterprise/chengdu-cells"])
    assert (node, CK.locatedIn, URIRef(ID["region/chengdu"])) in g
    assert (node, CK.subsidiaryOf, URIRef(ID["enterprise/changan-automobile"])) in g


def test_rows_refer_to_later_rows(settings, tmp_path, write_csv):
    f = write_csv(tmp_path / "e.csv", "name_en,parent\nChild Co,Parent Co\nParent Co,\n")
    g = import_csv(f, "enterprises", settings).graph
    assert (
        URIRef(ID["enterprise/child-co"]),
        CK.subsidiaryOf,
        URIRef(ID["enterprise/parent-co"]),
    ) in g


def test_ambiguous_reference_names_row_and_candidates(settings, tmp_path, write_csv):
    f = write_csv(
        tmp_path / "s.csv",
        "supplier,customer,item,quote\nExample Twin Motors,Example Cell Co.,power battery,Example Twin Motors supplies Example Cell Co.\n",
    )
    with pytest.raises(ImportFailed) as info:
        import_csv(f, "supply-links", settings)
    (err,) = info.value.errors
    assert (err.row, err.column, err.value) == (2, "supplier", "Example Twin Motors")
    assert "ambiguous" in err.reason
    assert (
        str(ID["enterprise/example-twin-a"]) in err.reason
        and str(ID["enterprise/example-twin-b"]) in err.reason
    )


def test_unknown_and_wrong_class_references(settings, tmp_path, write_csv):
    f = write_csv(
        tmp_path / "m.csv",
        "member,cluster\nAtlantis Motors,cc-auto\nExample Cell Co.,Chengdu\n".replace(
            "cc-auto", "cluster/cc-auto"
        ),
    )
    with pytest.raises(ImportFailed) as info:
        import_csv(f, "memberships", settings)
    errors = {(e.row, e.column): e.reason for e in info.value.errors}
    assert set(errors) == {(2, "member"), (3, "cluster")}
    assert "unknown" in errors[(2, "member")]
    assert str(ID["region/chengdu"]) in errors[(3, "cluster")]  # names what it found instead


TEN_FAULTS = """id,name_en,name_zh,type,region,cluster,lat,long
,Good One,,PartsSupplier,Chengdu,,,
,,无英文名,PartsSupplier,,,,
,Bad Type Co,,Bakery,,,,
,Far North Co,,,,,123,10
,Wordy Long Co,,,,,10,abc
,Atlantis Co,,,Atlantis,,,
,Good One,,,,,,
,=cmd|' /C calc'!A0,,,,,,
,Wrong Cluster Co,,,,Chengdu,,
,Half Place Co,,,,,30,
,Ragged Co,,,,,,,extra,cells
,Good Two,,,Chongqing,,,
"""


def test_ten_faults_reported_exactly_and_nothing_written(settings, env, tmp_path, write_csv):
    f = write_csv(tmp_path / "faults.csv", TEN_FAULTS)
    target = tmp_path / "imports.ttl"
    target.write_text("# an earlier import\n", encoding="utf-8")
    before = target.read_bytes()
    with pytest.raises(ImportFailed) as info:
        import_csv(f, "enterprises", settings, into=target)
    assert info.value.rows == list(range(3, 13))
    by_row = {e.row: e for e in info.value.errors}
    assert by_row[3].column == "name_en" and "required" in by_row[3].reason
    assert by_row[4].column == "type" and by_row[4].value == "Bakery"
    assert by_row[5].column == "lat" and "range" in by_row[5].reason
    assert by_row[6].column == "long" and "not a number" in by_row[6].reason
    assert by_row[7].column == "region" and "unknown" in by_row[7].reason
    assert by_row[8].column == "name_en" and "duplicate of row 2" in by_row[8].reason
    assert by_row[9].column == "name_en" and "formula" in by_row[9].reason
    assert by_row[10].column == "cluster" and "IndustrialCluster" in by_row[10].reason
    assert by_row[11].column == "long" and "both" in by_row[11].reason
    assert "cells but the header has" in by_row[12].reason
    assert target.read_bytes() == before
    # The same through the CLI: exit 1, the report on stderr, no traceback.
    res = CliRunner().invoke(
        main, ["import", str(f), "--kind", "enterprises", "--into", str(target)], env=env
    )
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    for row in range(3, 13):
        assert f"row {row}," in res.output
    assert "10 row(s)" in res.output and "nothing was written" in res.output
    assert target.read_bytes() == before


def test_units_ranges_and_periods_of_observations(settings, tmp_path, write_csv):
    f = write_csv(
        tmp_path / "o.csv",
        "indicator,area,value,unit,period,quote\n"
        "VehicleOutput,Chengdu,100,CNY,2023,vehicles made in Chengdu\n"
        "Share,Chengdu,120,PERCENT,2023,a share of the whole output\n"
        "Revenue,Chengdu,5e9,USD,23,revenue of firms in Chengdu\n"
        'vehicle output,Chongqing,"3,5",NUM,2023,vehicles made in Chongqing\n'
        "Revenue,Chongqing,5000,EUR,2023-13,revenue in Chongqing\n",
    )
    with pytest.raises(ImportFailed) as info:
        import_csv(f, "observations", settings)
    got = {(e.row, e.column) for e in info.value.errors}
    assert got == {(2, "unit"), (3, "value"), (4, "period"), (5, "value"), (6, "period")}


def test_existing_english_label_is_not_duplicated(settings, tmp_path, write_csv):
    f = write_csv(tmp_path / "e.csv", "name_en\nChangan\n")  # an alias of an existing firm
    with pytest.raises(ImportFailed) as info:
        import_csv(f, "enterprises", settings)
    assert str(ID["enterprise/changan-automobile"]) in info.value.errors[0].reason
    # Adding to the existing node with its IRI and the same label is fine.
    g = write_csv(
        tmp_path / "g.csv",
        "id,name_en,name_zh\nenterprise/example-cell-co,Example Cell Co.,示例电芯公司\n",
    )
    graph = import_csv(g, "enterprises", settings).graph
    assert (
        URIRef(ID["enterprise/example-cell-co"]),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("示例电芯公司", lang="zh"),
    ) in graph


def test_same_file_twice_into_a_store_is_refused(settings, tmp_path, write_csv):
    f = write_csv(tmp_path / "m.csv", "member,cluster\nChangan,cluster/cc-auto\n")
    spec = f"oxigraph:{tmp_path / 'store'}"
    import_csv(f, "memberships", settings, store=spec)
    with pytest.raises(ImportFailed) as info:
        import_csv(f, "memberships", settings, store=spec)
    assert "already imported" in info.value.errors[0].reason


def test_shacl_runs_over_the_merged_result(settings, tmp_path):
    """A row the per-row checks accept but a shape refuses is reported against its row."""
    from rdflib import Graph

    from clusterkg.io.csv_import import context_engines, shacl_problems
    from clusterkg.io.references import Resolver, ontology_graph
    from clusterkg.io.rows import Build

    engines, kg = context_engines(settings, None, None)
    ontology = ontology_graph(settings)
    build = Build(Graph(), URIRef(ID["source/base"]), Resolver(engines, ontology))
    node = URIRef(ID["enterprise/no-label"])
    from rdflib.namespace import PROV, RDF

    build.graph.add((node, RDF.type, CK.Enterprise))
    build.graph.add((node, PROV.wasDerivedFrom, URIRef(ID["source/base"])))
    # memberOf a region: sh:class ck:IndustrialCluster needs the region's type from the graph
    build.graph.add((node, CK.memberOf, URIRef(ID["region/chengdu"])))
    build.row_of[str(node)] = 7
    errors, _status = shacl_problems(build, engines, settings, ontology)
    kg.close()
    assert {e.row for e in errors} == {7}
    assert {e.column for e in errors} == {"name_en", "cluster"}


def test_settings_default_store_is_not_written(settings, tmp_path, write_csv):
    f = write_csv(tmp_path / "m.csv", "member,cluster\nChangan,cluster/cc-auto\n")
    result = import_csv(f, "memberships", Settings.from_env(root=settings.root))
    assert "checked only" in result.summary()

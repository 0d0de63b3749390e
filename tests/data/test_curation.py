"""Consistency of the curated graph: numbers agree with the words and quotes they come from,
every referenced resource is defined, and the coverage minimums of the sources are met."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from clusterkg.vocab import CK, ID

MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|trillion)?", re.I)


@pytest.fixture(scope="module")
def curated(settings) -> dict[str, Graph]:
    return {p.name: Graph().parse(p) for p in sorted(settings.graphs_dir.glob("*.ttl"))}


def test_stated_numbers_appear_in_their_quotes(curated):
    problems = []
    for name, g in curated.items():
        for node, stated in g.subject_objects(CK.statedValue):
            quotes = " ".join(str(q) for q in g.objects(node, CK.quote))
            problems += [
                f"{name}: {node}: {num!r} of {str(stated)!r} is in no quote"
                for num in re.findall(r"\d[\d,]*(?:\.\d+)?", str(stated))
                if num not in quotes
            ]
    assert not problems, "\n".join(problems)


def test_values_are_the_stated_numbers_in_base_units(curated):
    """322.7 billion yuan -> 322700000000; counts as written; percentages as written."""
    checked, problems = 0, []
    for name, g in curated.items():
        for node, stated in g.subject_objects(CK.statedValue):
            value = g.value(node, CK.value)
            m = NUMBER.search(str(stated))
            if value is None or m is None:
                continue  # a number in words ("six of the top 20") is checked by reading
            expected = Decimal(m.group(1).replace(",", "")) * MULTIPLIERS.get(
                (m.group(2) or "").lower(), 1
            )
            checked += 1
            if Decimal(str(value.toPython())) != expected and not _worded(str(stated)):
                problems.append(f"{name}: {node}: {str(stated)!r} but ck:value {value}")
    assert checked >= 100
    assert not problems, "\n".join(problems)


def _worded(text: str) -> bool:
    # "eight of the world's top 10", "largest ... for 11 consecutive years": the value is the
    # worded number or rank, and the digits belong to the context.
    return bool(re.match(r"(the |one|two|three|four|five|six|seven|eight|nine|ten)\b", text, re.I))


def test_every_referenced_resource_is_defined(settings, curated):
    union = Graph()
    for g in curated.values():
        union += g
    for path in settings.ontology_dir.glob("*.ttl"):
        if not path.name.startswith("shapes"):
            union.parse(path)
    undefined = sorted(
        {
            str(o)
            for s, p, o in union
            if isinstance(o, URIRef)
            and str(o).startswith(str(ID))
            and p != RDF.type
            and (union.value(o, RDF.type) is None or union.value(o, RDFS.label) is None)
        }
    )
    assert undefined == []


def test_coverage_minimums(kg):
    def count(cls: str) -> int:
        res = kg.engine.query(
            "PREFIX ck: <https://w3id.org/clusterkg/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/rdfs:subClassOf* ck:{cls} }}"
        )
        return int(res.records()[0]["n"])

    assert count("IndustrialCluster") >= 30
    assert count("Enterprise") >= 60
    assert count("Policy") >= 15
    assert count("Observation") >= 100
    assert count("SupplyLink") >= 10
    assert count("University") + count("ResearchInstitute") >= 5
    assert count("IndustrialPark") >= 5 and count("Platform") >= 2


def test_regions_form_a_hierarchy_with_coordinates(kg):
    rows = kg.engine.query("""
        PREFIX ck: <https://w3id.org/clusterkg/ontology#>
        PREFIX wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#>
        SELECT ?chain WHERE {
          <https://w3id.org/clusterkg/id/region/chongqing-shapingba> ck:partOf ?city .
          ?city ck:partOf* <https://w3id.org/clusterkg/id/region/china> .
          <https://w3id.org/clusterkg/id/region/yibin> ck:partOf <https://w3id.org/clusterkg/id/region/sichuan> ;
             wgs84:lat ?lat ; wgs84:long ?long .
          FILTER (?lat > 28 && ?lat < 29.5 && ?long > 104 && ?long < 105.5)
          BIND (1 AS ?chain)
        }""").rows
    assert rows, "Shapingba -> Chongqing -> China and Yibin (28.8 N, 104.6 E) in Sichuan"


def test_every_graph_file_is_described_in_the_readme(settings):
    readme = (settings.graphs_dir / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in settings.graphs_dir.glob("*.ttl") if f"`{p.name}`" not in readme]
    assert missing == []


def test_geely_power_batteries_count_as_bought_inside_chengdu_chongqing(kg):
    from clusterkg.analytics.projection import supply_network
    from clusterkg.analytics.resilience import self_sufficiency

    # 002: "in addition to power battery enterprises such as BYD and Geely, ... almost all the
    # drive motors, electronic controls, and transmissions of NEVs in the Chengdu-Chongqing
    # economic circle are purchased from manufacturers outside the region": Geely's batteries
    # come from inside. Hand count of the 17 links into the cluster's members (graphs/*.ttl):
    # inside 12 = Changan's and Dongfeng Sokon's Sichuan suppliers (2), Changan, Seres, Landai,
    # Yuebo (4), the 130 support enterprises (4 items), Guangyu Mingdao, Geely in Sichuan;
    # outside 3 = the outside makers' drive motors, electronic controls, transmissions;
    # unknown 2 = BYD Battery (no location stated) and the supply-demand platform's suppliers.
    link = (
        "https://w3id.org/clusterkg/id/supply/geely-to-chengdu-chongqing-nev-makers-power-battery"
    )
    (row,) = kg.engine.query(
        f"SELECT ?s WHERE {{ <{link}> <https://w3id.org/clusterkg/ontology#supplier> ?s }}"
    ).rows
    assert str(row["s"]).endswith("/site/geely-sichuan")
    cc = next(
        r
        for r in self_sufficiency(supply_network(kg))
        if r["cluster"].endswith("/chengdu-chongqing-auto")
    )
    assert (cc["inbound_links"], cc["inside"], cc["outside"], cc["unknown"]) == (17, 12, 3, 2)
    assert cc["share_inside"] == pytest.approx(12 / 17)


def test_key_nev_enterprise_counts_carry_no_year_the_text_does_not_state(kg):
    # 003: "According to the 2022 China New Energy Vehicle Industry Development Insight Report,
    # the Beijing-Tianjin-Hebei cluster hosts 91 key NEV enterprises ... The Yangtze River Delta
    # boasts 424 ... the Greater Bay Area is home to 119 ... the Western Triangle comprises 74":
    # "2022" names the report; no year of the counts is stated.
    rows = kg.engine.query(
        """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
        SELECT ?o ?v ?p WHERE { ?o ck:indicator ck:EnterpriseCount ; ck:value ?v ;
          ck:sector <https://w3id.org/clusterkg/id/sector/new-energy-vehicles> ;
          ck:statedValue ?s FILTER(CONTAINS(?s, "key NEV"))
          OPTIONAL { ?o ck:refPeriod ?p } }"""
    ).rows
    assert sorted(int(r["v"].value) for r in rows) == [74, 91, 119, 424]
    assert all(r.get("p") is None for r in rows), rows

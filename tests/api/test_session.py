"""The Python API: ``clusterkg.open()``, queries as plain data, named queries and analytics.

Expected values come from the curated Turtle, counted by hand:
``graphs/chengdu-chongqing-supply.ttl`` gives the Chengdu-Chongqing NEV makers
(``group/chengdu-chongqing-nev-makers``) nine supply links: power batteries from BYD Battery
and Geely, drive motors from Changan, Seres and the makers outside the region, electronic
controls from Landai, Yuebo and the outside makers, transmissions from the outside makers only.
``graphs/auto-clusters.ttl`` gives the Yangtze River Delta 5,849 parts and 61 vehicle
enterprises (5849 / 61 = 95.89, the highest ratio).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import clusterkg
from clusterkg.analytics import AnalyticsError
from clusterkg.errors import SettingsError, UnusableInput
from clusterkg.store.query_engine import QueryError
from tests.web.conftest import live, make_app

ID = "https://w3id.org/clusterkg/id/"
NEV_MAKERS = "group/chengdu-chongqing-nev-makers"
OUTSIDE = ID + "group/nev-core-parts-makers-outside-chengdu-chongqing"
NEV_SUPPLIERS = {
    (ID + "enterprise/byd-battery", "power battery"),
    # 002 places Geely's power batteries in the region: the link starts at Geely in Sichuan
    (ID + "site/geely-sichuan", "power battery"),
    (ID + "enterprise/changan-automobile", "drive motor"),
    (ID + "enterprise/seres", "drive motor"),
    (OUTSIDE, "drive motor"),
    (ID + "enterprise/chongqing-landai-powertrain", "electronic control"),
    (ID + "enterprise/chongqing-yuebo-transmission", "electronic control"),
    (OUTSIDE, "electronic control"),
    (OUTSIDE, "transmission"),
}
CHECKOUT = Path(__file__).resolve().parents[2]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def kg():
    with clusterkg.open() as session:
        yield session


def test_rows_are_plain_python_values(kg):
    result = kg.query(
        """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?i ?d ?f ?b ?s ?iri ?y ?t ?unbound WHERE {
          VALUES (?i ?d ?f ?b ?s ?iri ?y ?t) { (42 1.5 2.5e0 true "Yibin"@en
            <https://example.org/a> "2021"^^xsd:gYear "2021-05-01"^^xsd:date) } }"""
    )
    assert result.vars == ["i", "d", "f", "b", "s", "iri", "y", "t", "unbound"]
    assert result.rows == [
        {
            "i": 42,
            "d": 1.5,
            "f": 2.5,
            "b": True,
            "s": "Yibin",
            "iri": "https://example.org/a",
            "y": "2021",
            "t": "2021-05-01",
            "unbound": None,
        }
    ]
    # plain types, not Decimal, rdflib Literal or URIRef (both str subclasses)
    row = result.rows[0]
    types = [int, float, float, bool, str, str, str, str]
    assert [type(row[k]) for k in ("i", "d", "f", "b", "s", "iri", "y", "t")] == types


def test_ask_and_construct_results(kg):
    assert kg.query(
        "ASK { ?s a <https://w3id.org/clusterkg/ontology#IndustrialCluster> }"
    ).rows == [{"boolean": True}]
    graph = kg.query(
        f"CONSTRUCT {{ ?l <http://x/supplier> ?s }} WHERE {{ ?l "
        f"<https://w3id.org/clusterkg/ontology#customer> <{ID}{NEV_MAKERS}> ; "
        "<https://w3id.org/clusterkg/ontology#supplier> ?s }"
    )
    assert graph.vars == ["subject", "predicate", "object"]
    assert len(graph) == 9
    assert {r["object"] for r in graph.rows} == {s for s, _ in NEV_SUPPLIERS}


def test_named_query_with_a_parameter(kg):
    result = kg.named("enterprise-suppliers", customer=NEV_MAKERS)
    assert {(r["supplier"], r["item"]) for r in result.rows} == NEV_SUPPLIERS
    assert len(result) == 9


def test_named_query_parameters_are_checked(kg):
    with pytest.raises(QueryError, match="no parameter supplier"):
        kg.named("enterprise-suppliers", supplier=NEV_MAKERS)
    # Not an IRI nor an id path: looked up as a label or alias, as over HTTP and in the CLI.
    with pytest.raises(UnusableInput, match="no resource is called 'not an iri'"):
        kg.named("enterprise-suppliers", customer="not an iri")


def test_dataframe_keeps_numbers_as_numbers(kg):
    frame = kg.named("compare-auto-clusters").to_dataframe()
    assert list(frame.columns) == kg.named("compare-auto-clusters").vars
    top = frame.sort_values("partsPerVehicleEnterprise", ascending=False).iloc[0]
    assert top["cluster"] == ID + "cluster/yangtze-river-delta-auto"
    assert (top["partsEnterprises"], top["vehicleEnterprises"]) == (5849, 61)
    assert top["partsPerVehicleEnterprise"] == pytest.approx(95.89)
    assert str(frame["partsEnterprises"].dtype) == "int64"
    assert str(frame["partsPerVehicleEnterprise"].dtype) == "float64"


def test_to_json_is_the_rows(kg):
    result = kg.named("deepest-parts-base")
    doc = json.loads(result.to_json())
    assert doc == {"vars": result.vars, "rows": result.rows, "truncated": False}
    assert doc["rows"][0]["partsPerVehicleEnterprise"] == 95.89


def test_without_pandas_the_dataframe_error_says_what_to_install(tmp_path):
    code = (
        "import sys; sys.modules['pandas'] = None\n"  # what an absent package looks like
        "import clusterkg\n"
        "result = clusterkg.open(load_bundled=False).query('SELECT ?x WHERE { BIND(1 AS ?x) }')\n"
        "print(result.rows)\n"
        "try:\n    result.to_dataframe()\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr
    rows, message = done.stdout.splitlines()
    assert rows == "[{'x': 1}]"
    assert "pip install 'clusterkg[pandas]'" in message


def test_scenario_cascades_and_passes_options_through(kg):
    one = kg.scenario(remove="enterprise/byd-battery")  # a lone name is one firm
    assert one.failed == [ID + "enterprise/byd-battery"] and one.lost_links == 1
    both = kg.scenario(remove=["enterprise/byd-battery", "site/geely-sichuan"])
    # every power-battery supplier of the NEV makers is gone: AND over items fails them
    assert both.cascaded == [ID + NEV_MAKERS] and both.lost_links == 2
    # threshold mode: 2 of the NEV makers' 9 inbound links failed, a share of 0.22
    low = kg.scenario(
        remove=["enterprise/byd-battery", "site/geely-sichuan"], mode="threshold", theta=0.2
    )
    high = kg.scenario(
        remove=["enterprise/byd-battery", "site/geely-sichuan"], mode="threshold", theta=0.25
    )
    assert ID + NEV_MAKERS in low.failed and ID + NEV_MAKERS not in high.failed


def test_region_scenario_names_what_it_found(kg):
    report = kg.scenario(remove_regions="Yibin")
    assert report.removed == []
    assert [u["iri"] for u in report.unlinked] == [ID + "site/catl-yibin"]


def test_synthetic_analyses_need_a_generated_network():
    with clusterkg.open() as kg:
        with pytest.raises(AnalyticsError, match="call kg.generate"):
            kg.scenario(remove_regions="Yibin", graphs="synthetic")
        summary = kg.generate(seed=0, scale=0.05)
        assert (summary["seed"], summary["scale"]) == (0, 0.05)
        report = kg.scenario(remove_regions="Yibin", graphs="synthetic")
        # the generator anchors battery supply at CATL's Yibin base (docs/analytics.md)
        assert report.synthetic and ID + "site/catl-yibin" in report.removed
        assert kg.supply_network("curated").graph["synthetic"] is False


def test_resilience_sections(kg):
    hhi = {
        r["item"].rsplit("/", 1)[1]: r["hhi"]
        for r in kg.resilience("sourcing")
        if r["customer"] == ID + NEV_MAKERS
    }
    # equal shares (no values stated): HHI = n * (1/n)^2 = 1/n
    assert hhi == pytest.approx(
        {
            "power-battery": 1 / 2,
            "drive-motor": 1 / 3,
            "electronic-control": 1 / 3,
            "transmission": 1,
        }
    )
    curve = kg.resilience("robustness", strategy="degree", points=5)
    assert curve.parameters["strategy"] == "degree" and curve.parameters["points"] == 5
    with pytest.raises(
        AnalyticsError, match="use sourcing, self-sufficiency, critical, single-points, robustness"
    ):
        kg.resilience("fragility")


def test_open_an_oxigraph_folder_fills_it_once(tmp_path, kg):
    want = kg.query(COUNT).rows
    store = f"oxigraph:{tmp_path / 'store'}"
    with clusterkg.open(store=store) as first:
        assert first.kg.loaded and first.query(COUNT).rows == want
    with clusterkg.open(store=store) as again:
        assert again.kg.loaded == []  # already filled: not loaded twice
        assert again.query(COUNT).rows == want


def test_open_a_remote_sparql_endpoint(kg):
    with (
        make_app() as app,
        live(app) as url,
        clusterkg.open(store=f"sparql:{url}/sparql") as remote,
    ):
        here = kg.named("enterprise-suppliers", customer=NEV_MAKERS)
        there = remote.named("enterprise-suppliers", customer=NEV_MAKERS)
        assert there.rows == here.rows


def test_open_with_a_home_of_my_own_queries(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "seven.rq").write_text(
        "# title: Seven\nSELECT ?n WHERE { BIND(7 AS ?n) }\n"
    )
    with clusterkg.open(home=tmp_path, load_bundled=False) as mine:
        assert mine.named("seven").rows == [{"n": 7}]
        assert "deepest-parts-base" in mine.queries()  # the bundled ones stay


def test_open_refuses_what_it_cannot_use(tmp_path):
    with pytest.raises(TypeError, match="no setting row_limt"):
        clusterkg.open(row_limt=5)
    with pytest.raises(SettingsError, match="home=.*no such folder"):
        clusterkg.open(home=tmp_path / "missing")


def test_the_readme_example_runs_as_written(tmp_path):
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) == 3
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[1]  # the line after the column header
    assert "Yangtze River Delta" in first and "95.89" in first

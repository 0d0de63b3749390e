"""The query page (YASGUI) in headless Chromium: highlighting, completion from the graph's own
vocabulary, tabs and history kept in the browser, a table that sorts and filters, a chart,
downloads that fit the result kind, errors marked at their line, names for IRI parameters.

Every test also checks: no console error, no CSP violation, no request to another origin.
Expected values come from the graphs (six automobile clusters, Changan's IRI) and from the
query texts (lines and columns counted by hand).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from tests.browser.test_safe_pages import LISTEN

ROOT = Path(__file__).resolve().parents[2]
CK = "https://w3id.org/clusterkg/ontology#"
CLUSTERS = f"""PREFIX ck: <{CK}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?cluster ?label WHERE {{
  ?cluster a ck:IndustrialCluster ; rdfs:label ?label .
  FILTER(CONTAINS(?label, "auto") || CONTAINS(?label, "Auto"))
}}"""


@pytest.fixture()
def qpage(watched, live_site):
    """The query page with nothing kept from earlier tests (tabs, history)."""
    page = watched.page
    page.add_init_script(LISTEN)
    page.goto(live_site + "/query")
    page.evaluate("localStorage.clear()")
    page.goto(live_site + "/query", wait_until="networkidle")
    page.locator("#yasgui .CodeMirror").wait_for()
    yield watched
    assert page.evaluate("window.__csp") == []
    # A query the server refuses is answered 400, which Chromium logs as a failed load.
    assert [e for e in watched.errors if "status of 400" not in e] == []
    assert watched.foreign() == []


def write(page, text: str) -> None:
    """Replace the shown editor's text, as pasting it would."""
    page.click("#yasgui .tabPanel.active .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def run(page, text: str | None = None) -> None:
    if text is not None:
        write(page, text)
    page.keyboard.press("Control+Enter")
    page.locator("#meta").filter(has_text=re.compile(r"\d+ (rows?|triples?) in")).wait_for()


def hints(page, typed: str) -> list[str]:
    page.keyboard.insert_text(typed)
    page.keyboard.press("Control+Space")
    page.locator(".CodeMirror-hints li").first.wait_for()
    found = page.locator(".CodeMirror-hints li").all_inner_texts()
    page.keyboard.press("Escape")
    return found


def test_highlighting_and_completion_from_the_graphs_vocabulary(qpage):
    page = qpage.page
    assert "SELECT" in page.locator("#yasgui .CodeMirror-code .cm-keyword").all_inner_texts()
    write(page, "")
    assert any(
        h.startswith("skos: <http://www.w3.org/2004/02/skos/core#>")
        for h in hints(page, "PREFIX sko")
    )
    write(page, f"PREFIX ck: <{CK}>\nSELECT * WHERE {{\n  ?s a ck:Vehic")
    assert hints(page, "") == ["ck:VehicleManufacturer"]  # a class of ontology/clusterkg.ttl
    page.keyboard.insert_text("leManufacturer ; ")
    assert {"ck:memberCount", "ck:memberOf"} <= set(hints(page, "ck:memb"))


def test_tabs_and_history_stay_in_the_browser(qpage):
    page = qpage.page
    run(page, CLUSTERS)
    page.click("#yasgui button.addTab")
    second = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    run(page, second)
    page.reload(wait_until="networkidle")
    page.locator("#yasgui .CodeMirror").first.wait_for()
    assert page.locator("#yasgui .tabsList .tab").count() == 2
    active = page.locator("#yasgui .tabPanel.active .CodeMirror-code").inner_text()
    assert "COUNT(*)" in active
    options = page.locator("#history option").all_inner_texts()[1:]
    assert options[0] == second and options[1].startswith("SELECT ?cluster ?label")


def test_result_table_sorts_and_filters(qpage):
    page = qpage.page
    run(page, CLUSTERS)
    table = page.locator("#result-table")
    labels = [t.strip() for t in table.locator("tbody tr td:nth-child(3)").all_inner_texts()]
    assert len(labels) == int(page.locator("#meta").get_attribute("data-rows")) >= 6
    cells = table.locator("tbody tr td:nth-child(3)")
    ascending = sorted(labels)  # the cells show "label"@en: sorted as text
    table.locator("thead th", has_text="label").click()
    expect(cells).to_have_text(ascending)
    table.locator("thead th", has_text="label").click()
    expect(cells).to_have_text(ascending[::-1])
    # YASR filters as keys are typed
    page.locator(
        "#yasgui .tabPanel.active input[placeholder='Filter query results']"
    ).press_sequentially("Chengdu")
    kept = table.locator("tbody tr").all_inner_texts()
    assert len(kept) == sum("Chengdu" in t for t in labels) >= 1
    # clusterkg IRIs open this site's pages
    href = table.locator("tbody a").first.get_attribute("href")
    assert href.startswith("/id/cluster/")


def test_a_chart_of_numeric_results(qpage):
    page = qpage.page
    run(
        page,
        f"""PREFIX ck: <{CK}>
SELECT ?label (COUNT(?m) AS ?members) WHERE {{
  ?c a ck:IndustrialCluster ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
  ?m ck:memberOf ?c }} GROUP BY ?label ORDER BY DESC(?members) LIMIT 5""",
    )
    rows = int(page.locator("#meta").get_attribute("data-rows"))
    page.click("#yasgui .tabPanel.active button.select_chart")
    bars = page.locator("#result-chart rect.bar")
    assert bars.count() == rows
    widths = [float(b.get_attribute("width")) for b in bars.all()]
    assert widths == sorted(widths, reverse=True)  # ORDER BY DESC: the longest bar first


def _download(page, link: str, tmp_path):
    with page.expect_download() as info:
        page.click(link)
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_downloads_fit_the_result_kind(qpage, tmp_path):
    page = qpage.page
    run(page, CLUSTERS)
    links = page.locator("#downloads a")
    assert links.all_inner_texts() == ["CSV", "TSV", "JSON", "XML"]  # no Turtle for a SELECT
    path = _download(page, "#dl-json", tmp_path)  # saved as a file, the page stays
    assert path.name == "query-results.srj" and page.url.split("?")[0].endswith("/query")
    body = json.loads(path.read_text(encoding="utf-8"))
    assert body["head"]["vars"] == ["cluster", "label"]
    clusters = {b["cluster"]["value"] for b in body["results"]["bindings"]}

    write(
        page,
        CLUSTERS.replace("SELECT ?cluster ?label", "CONSTRUCT { ?cluster a ck:IndustrialCluster }"),
    )
    page.locator("#dl-turtle").wait_for()
    assert links.all_inner_texts() == ["Turtle", "N-Triples", "JSON-LD", "RDF/XML"]
    g = Graph().parse(_download(page, "#dl-turtle", tmp_path), format="turtle")
    assert {str(s) for s in g.subjects(RDF.type, URIRef(CK + "IndustrialCluster"))} == clusters


def _mark(page):
    """The text marked as the error (CodeMirror draws one span per token), and its 1-based
    line in the editor."""
    marks = page.locator("#yasgui .tabPanel.active .CodeMirror-code .query-error-mark")
    mark = marks.first
    mark.wait_for()
    line = mark.evaluate(
        "m => Array.from(m.closest('.CodeMirror-code').children).indexOf(m.closest('.CodeMirror-code > div')) + 1"
    )
    return "".join(marks.all_inner_texts()), line


def test_a_syntax_error_is_marked_on_its_line(qpage):
    page = qpage.page
    write(
        page, f"PREFIX ck: <{CK}>\nSELECT ?x WHERE {{\n  ?x a ck:Enterprise .\n  FILTER(?x = )\n}}"
    )
    page.keyboard.press("Control+Enter")
    error = page.locator("#error")
    error.wait_for()
    assert error.inner_text().startswith("Error at line 4, column 15: syntax error: unexpected `)`")
    assert _mark(page) == (")", 4)


def test_an_undeclared_prefix_is_named_and_marked(qpage):
    page = qpage.page
    write(page, "SELECT ?s WHERE {\n  ?s a x:Thing .\n}")
    page.keyboard.press("Control+Enter")
    page.locator("#error").wait_for()
    assert "prefix `x:` is not declared" in page.locator("#error").inner_text()
    assert "Unicode" not in page.locator("#error").inner_text()
    assert _mark(page) == ("x:Thing", 2)


def test_a_named_parameter_takes_a_name_with_suggestions(qpage):
    page = qpage.page
    page.select_option("#named", "enterprise-suppliers")
    field = page.locator("#param-customer")
    assert field.get_attribute("list") == "resource-names"
    field.fill("")
    field.press_sequentially("Changa")
    page.locator("#resource-names option[value='Changan Automobile']").wait_for(state="attached")
    field.fill("Changan")
    page.click("#run")
    page.locator("#result-table").wait_for()
    customers = page.locator("#result-table tbody tr td:nth-child(2) a")
    assert customers.count() >= 1
    assert {a.get_attribute("href") for a in customers.all()} == {
        "/id/enterprise/changan-automobile"
    }
    assert "name=enterprise-suppliers" in page.url and "customer=Changan" in page.url
    field.fill("Changn Automobile")
    page.click("#run")
    page.locator("#error").wait_for()
    assert "did you mean Changan Automobile" in page.locator("#error").inner_text()


def test_a_shared_link_opens_the_query_and_runs_it(qpage, live_site):
    page = qpage.page
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"
    run(page, query)
    shared = page.url  # the page keeps the query in its URL after a run
    assert "query=" in shared
    # YASGUI's own share links carry it in the fragment instead
    for url in (shared, live_site + "/query#" + shared.split("?", 1)[1]):
        page.evaluate("localStorage.clear()")
        page.goto(url, wait_until="networkidle")
        page.locator("#meta").filter(has_text="3 rows in").wait_for()
        assert (
            page.locator("#yasgui .tabPanel.active .CodeMirror-code").inner_text().count("VALUES")
            == 1
        )


def _bar_names(page) -> list[str]:
    """The names of the chart's bars (each bar's tooltip is "name: number")."""
    page.click("#yasgui .tabPanel.active button.select_chart")
    titles = page.locator("#result-chart rect.bar title").all_text_contents()
    return [t.rsplit(": ", 1)[0] for t in titles]


def test_chart_bars_are_named_by_the_label_column(qpage, live_site):
    # compare-auto-clusters gives ?cluster (an IRI) and ?label beside it: bars are the
    # clusters' labels (graphs/auto-clusters.ttl), not "https://w3id.org/clusterkg/id/cluster/y…".
    page = qpage.page
    page.goto(live_site + "/query?name=compare-auto-clusters", wait_until="networkidle")
    page.locator("#meta").filter(has_text=re.compile(r"\d+ rows? in")).wait_for()
    g = Graph().parse(ROOT / "graphs" / "auto-clusters.ttl", format="turtle")
    labels = {
        str(o)
        for s in g.subjects(RDF.type, URIRef(CK + "IndustrialCluster"))
        for o in g.objects(s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    }
    names = _bar_names(page)
    assert len(names) == int(page.locator("#meta").get_attribute("data-rows")) == 6
    assert set(names) <= labels, names
    shown = page.locator("#result-chart text.bar-label").all_text_contents()
    assert not any(t.startswith("http") for t in shown), shown


def test_chart_bars_without_a_label_column_are_named_by_the_iris_last_segment(qpage):
    page = qpage.page
    run(
        page,
        """SELECT ?c ?n WHERE { VALUES (?c ?n) {
  (<https://w3id.org/clusterkg/id/cluster/yibin-battery> 3)
  (<https://w3id.org/clusterkg/id/cluster/xian-auto> 2) } }""",
    )
    assert _bar_names(page) == ["yibin-battery", "xian-auto"]

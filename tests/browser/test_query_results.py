"""What the query page says about a result, in headless Chromium: a CONSTRUCT drawn by "view as
graph", a result cut at the row or byte limit stated as such, the server's time apart from the
page's drawing, and a large result that does not freeze the page.

Expected values come from the Turtle files, parsed with rdflib alone, and from the limits the
test servers are started with.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from tests.browser.conftest import serving
from tests.browser.test_query_page import run, write

CK = Namespace("https://w3id.org/clusterkg/ontology#")
GRAPHS = Path(__file__).resolve().parents[2] / "graphs"
SUPPLIES = """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
CONSTRUCT { ?s ck:supplies ?c } WHERE { ?l a ck:SupplyLink ; ck:supplier ?s ; ck:customer ?c }"""
OBSERVATION_PAIRS = """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
SELECT ?a ?b WHERE { ?a a ck:Observation . ?b a ck:Observation }"""


@pytest.fixture(scope="module")
def curated() -> Graph:
    g = Graph()
    for path in sorted(GRAPHS.glob("*.ttl")):
        g.parse(path)
    return g


def _query_page(watched, base: str):
    page = watched.page
    page.goto(base + "/query")
    page.evaluate("localStorage.clear()")
    page.goto(base + "/query", wait_until="networkidle")
    page.locator("#yasgui .CodeMirror").wait_for()
    return page


def test_view_as_graph_draws_the_construct_result(watched, live_site, curated):
    pairs = {
        (curated.value(link, CK.supplier), curated.value(link, CK.customer))
        for link in curated.subjects(RDF.type, CK.SupplyLink)
    }
    nodes = {n for pair in pairs for n in pair}
    assert len(pairs) > 3
    page = _query_page(watched, live_site)
    run(page, SUPPLIES)
    page.click("#meta a")
    page.locator("#graph-svg .node").first.wait_for()
    assert "Could not load" not in page.locator("#view-title").inner_text()
    assert page.locator("#graph-svg .edge").count() == len(pairs)
    assert page.locator("#graph-svg .node").count() == len(nodes)
    assert page.locator("#view").input_value() == "query"
    assert watched.errors == []


def test_a_result_cut_at_the_row_limit_says_so(watched):
    with serving(row_limit=5) as base:
        page = _query_page(watched, base)
        run(page, OBSERVATION_PAIRS)
        notice = page.locator("#truncated")
        notice.wait_for()
        assert notice.inner_text().startswith(
            "First 5 rows; the result was cut at the row limit (5 rows per result)"
        )
        assert page.locator("#meta").get_attribute("data-rows") == "5"
        # An uncut result has no such notice.
        run(page, "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }")
        assert notice.is_hidden()
    assert watched.errors == []


def test_a_result_cut_at_the_byte_limit_says_so(watched, curated):
    with serving(result_max_bytes=2048) as base:
        page = _query_page(watched, base)
        run(page, OBSERVATION_PAIRS)
        notice = page.locator("#truncated")
        notice.wait_for()
        rows = int(page.locator("#meta").get_attribute("data-rows"))
        assert 0 < rows < len(set(curated.subjects(RDF.type, CK.Observation))) ** 2
        assert notice.inner_text().startswith(
            f"First {rows:,} rows; the result was cut at the byte limit (2,048 bytes per result)"
        )
    assert watched.errors == []


def test_a_large_result_is_drawn_at_once_and_timed_apart(watched, live_site, curated):
    observations = len(set(curated.subjects(RDF.type, CK.Observation)))
    assert observations**2 > 10_000  # more than the row limit of the live site
    page = _query_page(watched, live_site)
    write(page, OBSERVATION_PAIRS)
    page.keyboard.press("Control+Enter")
    meta = page.locator("#meta").filter(has_text=re.compile(r"rows in"))
    meta.wait_for(timeout=20_000)
    text = meta.inner_text()
    m = re.fullmatch(r"10,000 rows in (\d+) ms \(server round trip\) · drawn in (\d+) ms", text)
    assert m, text
    # One page of the table is drawn, not 10,000 rows; drawing takes well under the seconds
    # that sanitising every cell took.
    assert int(m[2]) < 3000
    assert 0 < page.locator("#result-table tbody tr").count() <= 100
    assert page.locator("#truncated").is_visible()
    # The page answers at once: a click on the next page of the table.
    page.locator("#yasgui .tabPanel.active .dt-paging-button.next, #yasgui .next").first.click()
    assert page.locator("#result-table tbody tr td").first.inner_text().strip() != "1"
    assert watched.errors == []


def test_the_explorer_without_a_query_offers_no_query_view(watched, live_site):
    page = watched.page
    page.goto(live_site + "/graph?view=query&query=" + quote(SUPPLIES))
    page.locator("#graph-svg .node").first.wait_for()
    assert page.locator("#view-query").is_enabled()
    page.goto(live_site + "/graph")
    page.locator("#graph-svg .node").first.wait_for()
    assert page.locator("#view-query").is_disabled()


def test_the_editor_is_no_keyboard_trap(watched, live_site):
    page = _query_page(watched, live_site)
    # The page does not put the focus in the editor on load ...
    assert page.evaluate("document.activeElement === document.body")
    assert "Tab leaves the editor" in page.locator("#editor-keys").inner_text()
    # ... and Tab in the editor moves the focus on, without writing a tab into the query.
    page.click("#yasgui .tabPanel.active .CodeMirror")
    before = page.evaluate(
        "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()"
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") != "TEXTAREA"  # the editor's input
    after = page.evaluate(
        "document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()"
    )
    assert after == before and "\t" not in after
    page.click("#yasgui .tabPanel.active .CodeMirror")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") != "TEXTAREA"  # the editor's input
    assert watched.errors == []

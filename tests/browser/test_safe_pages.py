"""The pages under the Content-Security-Policy, in headless Chromium: no violation on any page,
``javascript:`` IRIs in a result shown as text, and the query page's CSV download neutralised.

Violations are collected by an init script listening for ``securitypolicyviolation`` (init
scripts run outside the page's CSP), besides the console errors the ``watched`` page records.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest

CC = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"
PAGES = [
    "/",
    "/graph",
    f"/graph?view=cluster&cluster={quote(CC, safe='')}",
    "/query",
    "/query?name=compare-auto-clusters",
    "/clusters",
    "/clusters/chengdu-chongqing-auto",
    "/sparql",
    "/queries",
    "/id/enterprise/changan-automobile",
    "/id/nothing/here",
]
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber));
"""


@pytest.fixture()
def csp_page(watched):
    watched.page.add_init_script(LISTEN)
    return watched


@pytest.mark.parametrize("path", PAGES)
def test_no_csp_violation_on_any_page(csp_page, live_site, path):
    page = csp_page.page
    resp = page.goto(live_site + path, wait_until="networkidle")
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    if path.startswith("/graph"):
        page.locator("#graph-svg .node").first.wait_for()
        page.locator("#legend li").first.wait_for()  # the legend's colour swatches
    if "name=" in path:
        page.locator("#result-table").wait_for()
    assert page.evaluate("window.__csp") == []
    assert [e for e in csp_page.errors if "Content Security Policy" in e] == []
    if path != "/id/nothing/here":  # the 404 page logs its status as a console error
        assert csp_page.errors == []


def test_explorer_panel_works_under_the_csp(csp_page, live_site):
    page = csp_page.page
    page.goto(f"{live_site}/graph?view=cluster&cluster={quote(CC, safe='')}")
    node = page.locator('#graph-svg .node[data-label="Changan Automobile"]')
    node.wait_for()
    node.locator("circle.dot").click()
    page.locator("#panel blockquote.quote").first.wait_for()
    assert page.locator("#panel a", has_text="Linked-data page").get_attribute("href") == (
        "/id/enterprise/changan-automobile"
    )
    # Enter in a control must not submit the form (the handler moved out of the markup).
    page.focus("#search")
    page.keyboard.press("Enter")
    assert "view=cluster" in page.url
    assert page.evaluate("window.__csp") == []
    assert csp_page.errors == []


def test_javascript_iri_in_a_result_is_text(csp_page, live_site):
    page = csp_page.page
    q = "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <https://example.org/a> } }"
    page.goto(f"{live_site}/query?query={quote(q, safe='')}")
    table = page.locator("#result-table")
    table.wait_for()
    cells = table.locator("tbody td:nth-child(2)")  # YASR's first column numbers the rows
    assert cells.count() == 2
    texts = sorted(t.strip().strip("<>") for t in cells.all_inner_texts())  # shown as <IRI>
    assert texts == ["https://example.org/a", "javascript:alert(1)"]
    links = table.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == "https://example.org/a"
    assert page.evaluate("window.__csp") == []


def test_query_page_csv_download_is_neutralised(csp_page, live_site, tmp_path):
    page = csp_page.page
    q = (
        'SELECT ?v ?n WHERE { VALUES (?v ?n) { ("=1+2" 1) ("-1+cmd|x" -2) ("@SUM(A1)" 3) '
        '("plain, text" 4) ("-2.5" 5) } } ORDER BY ?n'
    )
    page.goto(f"{live_site}/query?query={quote(q, safe='')}")
    page.locator("#result-table").wait_for()
    with page.expect_download() as info:
        page.click("#dl-csv")
    path = tmp_path / "dl.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows == [
        ["v", "n"],
        ["'-1+cmd|x", "-2"],  # ORDER BY ?n: -2 first
        ["'=1+2", "1"],
        ["'@SUM(A1)", "3"],
        ["plain, text", "4"],
        ["-2.5", "5"],
    ]
    assert csp_page.errors == []


HOSTILE = "https://w3id.org/clusterkg/id/enterprise/test-hostile"
HOSTILE_TRIPLES = f"""
  <{HOSTILE}> a ck:PartsSupplier ; rdfs:label "Hostile Test Co."@en ; ck:memberOf <{CC}> ;
      ck:quote "a quote long enough to be shown" ; prov:wasDerivedFrom <javascript:alert(1)> ;
      rdfs:seeAlso <javascript:alert(2)> .
"""
HOSTILE_UPDATE = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX ck: <https://w3id.org/clusterkg/ontology#>
INSERT DATA {{ {HOSTILE_TRIPLES}
  GRAPH <https://w3id.org/clusterkg/graph/test-hostile> {{ {HOSTILE_TRIPLES} }} }}
"""


@pytest.fixture(scope="module")
def hostile_site():
    """A live server whose data has javascript: IRIs as a quote's source and as a link."""
    import requests

    from tests.web.conftest import TOKEN, live, make_app

    with make_app(update_token=TOKEN) as app, live(app) as url:
        resp = requests.post(
            f"{url}/sparql",
            data={"update": HOSTILE_UPDATE},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
        assert resp.status_code == 200, resp.text
        yield url


def test_javascript_iris_in_the_data_are_text_in_the_explorer_panel(browser_context, hostile_site):
    from tests.browser.conftest import Watched

    page = browser_context.new_page()
    page.set_default_timeout(60_000)
    try:
        w = Watched(page, hostile_site)
        page.add_init_script(LISTEN)
        iri = quote(HOSTILE, safe="")
        page.goto(f"{hostile_site}/graph?view=neighbourhood&hops=1&node={iri}&sel={iri}")
        page.locator("#panel h2", has_text="Hostile Test Co.").wait_for()
        page.locator("#panel blockquote.quote").first.wait_for()
        panel = page.locator("#panel")
        assert "javascript:alert" not in "".join(
            a.get_attribute("href") or "" for a in panel.locator("a").all()
        )
        assert panel.locator("cite span").count() >= 1  # the source, as text
        # The /id/ page of the same node: the seeAlso IRI is text there too.
        page.goto(f"{hostile_site}/id/enterprise/test-hostile")
        assert page.locator("a[href^='javascript']").count() == 0
        assert page.get_by_text("javascript:alert(2)").count() == 1
        assert page.evaluate("window.__csp") == []
        assert w.errors == []
    finally:
        page.close()

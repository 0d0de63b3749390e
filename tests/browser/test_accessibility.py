"""axe-core on every page: no serious or critical violation (issue 15, "Accessible").

axe-core (Deque's rules for WCAG 2.x A/AA and best practices) comes from the PyPI package
``axe-playwright-python``, which ships ``axe.min.js``; it is read from the installed package at
test time, not copied into the repository, and evaluated in the page by Playwright (through
the DevTools protocol, which the page's Content-Security-Policy does not govern: its
``script-src 'self'`` refuses an inline script tag, as it should).

Each page is checked once it has drawn what a user would see (the explorer's graph, a query
result), and the report names each violation with the selectors of its nodes.
"""

from __future__ import annotations

import json
from importlib import resources
from urllib.parse import quote

import pytest

from tests.browser.conftest import open_node_panel

CC = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"
ID_NOTHING = "https://w3id.org/clusterkg/id/nothing"
#: path -> a selector that exists once the page shows its content (None: the load is enough).
PAGES = {
    "/": None,
    "/clusters": "svg.bars",
    "/clusters/chengdu-chongqing-auto": None,
    "/graph": "#graph-svg .node",
    f"/graph?view=cluster&cluster={quote(CC, safe='')}": "#graph-svg .node",
    # A view that cannot be drawn (a node the graph does not have): the empty stage and legend.
    f"/graph?view=neighbourhood&node={quote(ID_NOTHING, safe='')}": None,
    "/query": "#yasgui .CodeMirror-linenumber",
    "/queries": None,
    "/queries/deepest-parts-base": "table",
    "/id/enterprise/changan-automobile": None,
    "/id/obs/northeast-china-auto-parts-enterprises": None,
    "/ontology": None,
    "/id/no-such-resource": None,  # the error page (404)
}
SEVERE = ("serious", "critical")
#: The desktop and phone viewports of the four-question walk (tests/browser/test_four_questions).
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def axe_source() -> str:
    try:
        files = resources.files("axe_playwright_python")
    except ModuleNotFoundError:
        pytest.fail("axe-core is missing: pip install '.[test]' (axe-playwright-python)")
    return (files / "axe.min.js").read_text(encoding="utf-8")


def violations(page, axe_source: str, rules: list[str] | None = None) -> list[dict]:
    """The axe-core violations of the page as it is now (of ``rules`` only, if given)."""
    page.evaluate(axe_source + "\n;void 0")
    return page.evaluate(
        """async (rules) => {
            // label-content-name-mismatch (WCAG 2.5.3, label in name) is "experimental" in
            // axe and off by default; the issue names it for the explorer, so it runs too.
            const options = { resultTypes: ["violations"],
                rules: { "label-content-name-mismatch": { enabled: true } } };
            if (rules) options.runOnly = { type: "rule", values: rules };
            const r = await axe.run(document, options);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)
            }));
        }""",
        rules,
    )


def severe_violations(page, axe_source: str) -> list[dict]:
    """The serious and critical axe-core violations of the page as it is now."""
    return [v for v in violations(page, axe_source) if v["impact"] in SEVERE]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1, ensure_ascii=False)[:6000]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p.split("&")[0])
def test_no_serious_axe_violation(watched, live_site, axe_source, path, viewport):
    page = watched.page
    page.set_viewport_size(VIEWPORTS[viewport])
    resp = page.goto(live_site + path, wait_until="networkidle")
    assert resp.status == (404 if "no-such" in path else 200)
    if PAGES[path]:
        page.locator(PAGES[path]).first.wait_for()
    found = severe_violations(page, axe_source)
    assert found == [], describe(found)


@pytest.mark.browser
def test_query_page_with_a_result_kept_from_an_earlier_visit(watched, live_site, axe_source):
    # YASGUI keeps each tab's query and result in localStorage: a returning visitor (or the
    # next test in one browser) sees the result table at once, with DataTables' pager and
    # "rows per page" select, which must be accessible too.
    page = watched.page
    page.goto(live_site + "/query", wait_until="networkidle")
    page.click("#yasgui .tabPanel.active .CodeMirror")
    page.keyboard.press("Control+Enter")  # the default query: the clusters and their labels
    page.locator("#result-table tbody tr").first.wait_for()
    found = severe_violations(page, axe_source)
    assert found == [], describe(found)
    page.reload(wait_until="networkidle")
    page.locator("#result-table tbody tr").first.wait_for()
    found = severe_violations(page, axe_source)
    assert found == [], describe(found)
    assert page.locator("select.tableSizer").get_attribute("aria-label") == "Rows per page"


@pytest.mark.browser
def test_explorer_with_a_node_selected(watched, live_site, axe_source):
    # The panel of a selected node holds links, quotes and buttons: checked open, too.
    page = watched.page
    url = f"{live_site}/graph?view=cluster&cluster={quote(CC, safe='')}"
    open_node_panel(page, url, "Changan Automobile")
    found = severe_violations(page, axe_source)
    assert found == [], describe(found)


@pytest.mark.browser
def test_the_check_finds_a_planted_violation(watched, live_site, axe_source):
    # The check itself can fail: an image without alternative text and a button without a
    # name, planted in a real page, are reported as critical.
    page = watched.page
    page.goto(live_site + "/queries", wait_until="networkidle")
    page.evaluate(
        """() => {
            const img = document.createElement("img"); img.src = "/static/none.png";
            const b = document.createElement("button");
            const named = document.createElement("button");  // says "Run", is named "Stop"
            named.textContent = "Run"; named.setAttribute("aria-label", "Stop");
            document.querySelector("main, body").append(img, b, named);
        }"""
    )
    ids = {v["id"] for v in severe_violations(page, axe_source)}
    assert {"image-alt", "button-name", "label-content-name-mismatch"} <= ids


@pytest.mark.browser
def test_ontology_page_has_language_landmarks_and_contrast(watched, live_site, axe_source):
    # pyLODE writes no lang and no landmarks; landmark rules are "moderate" in axe, so they are
    # asked for here by name, at any impact.
    page = watched.page
    page.goto(live_site + "/ontology", wait_until="networkidle")
    rules = ["html-has-lang", "html-lang-valid", "landmark-one-main", "region", "color-contrast"]
    found = violations(page, axe_source, rules)
    assert found == [], describe(found)
    assert page.locator("html").get_attribute("lang") == "en"

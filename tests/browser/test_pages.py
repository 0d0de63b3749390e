"""The web pages in headless Chromium: what an analyst sees and clicks.

Expected values come from the sources: the Northeast cluster "gathers 20 vehicle companies and
846 auto parts companies" (six-auto-clusters); Changan Automobile is a member of the
Chengdu-Chongqing cluster; "build your dreams" is the source's spelling of BYD.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

CC = "https://w3id.org/clusterkg/id/cluster/chengdu-chongqing-auto"
PAGES = ["/", "/graph", "/query", "/clusters", "/clusters/chengdu-chongqing-auto", "/sparql"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_clean_and_offline(watched, live_site, path):
    page = watched.page
    resp = page.goto(live_site + path, wait_until="networkidle")
    assert resp.status == 200
    assert page.locator("nav a[href='/graph']").count() == 1
    if path in ("/query", "/sparql"):
        # the query editor (YASGUI's CodeMirror), with line numbers
        page.locator("#yasgui .CodeMirror-linenumber").first.wait_for()
    name = "page" + (path.replace("/", "-") if path != "/" else "-home")
    watched.shot(name)
    assert watched.errors == []
    assert watched.foreign() == []


def test_explorer_renders_cluster_with_changan(watched, live_site):
    page = watched.page
    page.goto(f"{live_site}/graph?view=cluster&cluster={quote(CC, safe='')}")
    node = page.locator('#graph-svg .node[data-label="Changan Automobile"]')
    node.wait_for()
    assert "Chengdu-Chongqing" in page.locator("#view-title").inner_text()
    watched.shot("explorer-chengdu-chongqing")
    # Clicking a node shows its verbatim source quote, with the source document.
    node.locator("circle.dot").click()
    quote_el = page.locator("#panel blockquote.quote").first
    quote_el.wait_for()
    text = page.locator("#panel").inner_text()
    assert "Changan" in text
    assert "is dominated by Changan Automobile" in text or "Changan and Seres in Chongqing" in text
    assert page.locator("#panel cite a").count() >= 1
    assert "sel=" in page.url  # the selection is in the URL
    watched.shot("explorer-node-panel")
    assert watched.errors == []
    assert watched.foreign() == []


def test_search_finds_enterprise_by_alias(watched, live_site):
    page = watched.page
    page.goto(live_site + "/graph")
    page.locator("#graph-svg .node").first.wait_for()
    page.fill("#search", "build your dreams")
    option = page.locator("#search-results li").first
    option.wait_for()
    assert option.inner_text().startswith("BYD")
    page.keyboard.press("Enter")  # keyboard choice of the highlighted hit
    page.locator("#panel h2", has_text="BYD").wait_for()
    watched.shot("explorer-search-byd")
    assert watched.errors == []


def test_query_page_runs_named_query(watched, live_site):
    page = watched.page
    page.goto(live_site + "/query")
    page.select_option("#named", "compare-auto-clusters")
    assert page.locator("#named-description").inner_text().startswith("Vehicle and parts")
    page.click("#run")
    table = page.locator("#result-table")
    table.wait_for()
    row = table.locator("tr", has_text="Northeast China")
    assert re.search(r"\b846\b", row.inner_text())
    meta = page.locator("#meta").inner_text()
    assert re.match(r"6 rows in \d+ ms", meta)
    assert "name=compare-auto-clusters" in page.url
    watched.shot("query-named")
    assert watched.errors == []


def test_query_page_reports_error_line_and_column(watched, live_site):
    page = watched.page
    page.goto(live_site + "/query")
    page.click("#yasgui .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("SELECT * WHERE {\n  ?s ?p \n}")
    page.keyboard.press("Control+Enter")
    err = page.locator("#error")
    err.wait_for()
    assert re.search(r"line \d+, column \d+", err.inner_text())


def test_scenario_highlights_affected_oems(watched, live_site):
    page = watched.page
    page.goto(live_site + "/graph?view=supply&layout=tiered")
    group = page.locator(
        '#graph-svg .node[data-label="Dongfeng Sokon\'s support enterprises in Sichuan"]'
    )
    group.wait_for()
    group.locator("circle.dot").click(modifiers=["Shift"])
    page.click("#simulate")
    page.locator("#affected-oems li").first.wait_for()
    assert "Dongfeng Sokon" in page.locator("#affected-oems").inner_text()
    oem = page.locator('#graph-svg .node[data-label="Dongfeng Sokon"]')
    assert re.search(r"\b(failed|affected)\b", oem.get_attribute("class"))
    watched.shot("explorer-scenario")
    page.click("#reset-scenario")
    assert page.locator("#graph-svg .node.failed, #graph-svg .node.affected").count() == 0
    assert watched.errors == []


def test_cluster_comparison_chart_has_six_bars(watched, live_site):
    page = watched.page
    page.goto(live_site + "/clusters")
    bars = page.locator("#chart-PartsEnterpriseCount rect.bar")
    assert bars.count() == 6
    assert page.locator("#comparison tbody tr").count() == 6
    northeast = page.locator("#comparison tr", has_text="Northeast China").inner_text()
    assert "846" in northeast and "20" in northeast
    page.set_viewport_size({"width": 420, "height": 800})
    watched.shot("clusters-narrow")
    page.set_viewport_size({"width": 1280, "height": 800})

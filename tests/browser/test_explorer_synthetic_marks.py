"""With a synthetic network loaded, Chromium shows CATL Yibin's generated links marked and apart.

The expected links are read from the generated TriG with rdflib: the synthetic supply links
whose supplier is CATL's Yibin base (the curated graph states none: "no supply link is stated
for it", graphs/chengdu-chongqing-enterprises.ttl).
"""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest
from rdflib import Dataset, Namespace, URIRef
from rdflib.namespace import RDF
from waitress import create_server

from clusterkg.analytics.generate import Parameters, generate
from clusterkg.web.app import create_app

CK = Namespace("https://w3id.org/clusterkg/ontology#")
CATL_YIBIN = "https://w3id.org/clusterkg/id/site/catl-yibin"
SYNTHETIC = URIRef("https://w3id.org/clusterkg/graph/synthetic")


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory, app):
    """A live server over the bundled graph plus a small generated network (seed 0, 0.2)."""
    text, _ = generate(app.extensions["clusterkg"], Parameters(seed=0, scale=0.2))
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.trig"
    path.write_text(text, encoding="utf-8")
    site = create_app({"TESTING": True, "workers": 1, "data": [str(path)]})
    server = create_server(site, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ds = Dataset()
    ds.parse(path, format="trig")
    g = ds.graph(SYNTHETIC)
    links = {
        str(x)
        for x in g.subjects(CK.supplier, URIRef(CATL_YIBIN))
        if (x, RDF.type, CK.SupplyLink) in g
    }
    try:
        yield f"http://127.0.0.1:{server.effective_port}", links
    finally:
        server.close()
        thread.join(timeout=5)
        site.extensions["clusterkg"].close()


def test_generated_links_are_marked_and_listed_after_the_sourced_ones(screen, synthetic_site):
    base, links = synthetic_site
    assert links
    page = screen.page
    page.goto(
        f"{base}/graph?view=neighbourhood&node={quote(CATL_YIBIN, safe='')}&sel={quote(CATL_YIBIN, safe='')}"
    )
    page.locator("#panel h2", has_text="CATL battery base in Yibin").wait_for()
    headings = page.locator("#panel h3").all_inner_texts()
    assert "Links" in headings
    marked = [h for h in headings if h.startswith("SYNTHETIC links")]
    assert len(marked) == 1 and headings.index(marked[0]) > headings.index("Links")
    synthetic_list = page.locator("#panel h3", has_text="SYNTHETIC links").locator(
        "xpath=following-sibling::ul[1]"
    )
    paths = synthetic_list.locator("li a").evaluate_all(
        "(as) => as.map((a) => new URL(a.href).pathname)"
    )
    assert set(paths) == {"/" + x.split("/clusterkg/", 1)[1] for x in links}
    assert synthetic_list.locator("li .synthetic-mark").count() == len(links)
    sourced = page.locator("#panel h3", has_text="Links").first.locator(
        "xpath=following-sibling::ul[1]"
    )
    assert sourced.locator(".synthetic-mark").count() == 0
    screen.shot(f"explorer-synthetic-marks-{screen.name}")
    assert screen.errors == [] and screen.page.evaluate("window.__csp") == []


def test_scenario_rows_resting_on_generated_links_are_marked(screen, synthetic_site):
    """The battery makers of Yibin fail on the synthetic network: every link there is generated
    (stated in graph/synthetic), so every affected OEM and cascaded firm row is marked, and the
    summary says how many of the lost links are generated."""
    base, links = synthetic_site
    page = screen.page
    page.goto(
        f"{base}/graph?view=synthetic&kind=BatteryMaker&failregion="
        + quote("https://w3id.org/clusterkg/id/region/yibin", safe="")
    )
    summary = page.locator("#scenario-summary")
    summary.locator(".lost-value").wait_for(timeout=60_000)
    rows = summary.locator("#affected-oems li, #cascaded-firms li")
    assert rows.count() > 0
    marks = summary.locator("#affected-oems li .synthetic-mark, #cascaded-firms li .synthetic-mark")
    assert marks.count() == rows.count()
    note = summary.locator(".synthetic-note").inner_text()
    # CATL Yibin's generated customer links are among the lost ones
    assert int(note.split(" of the ", 1)[0]) >= len(links), note
    assert screen.errors == [] and screen.page.evaluate("window.__csp") == []

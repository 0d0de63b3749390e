"""The four questions users come with, walked by clicking from the home page (issue 15).

On a desktop (1280x800) and a phone (390x844) viewport, starting at ``/`` and following links
by their visible text: the home page's link for a question where it has one, else the way a
user gets there from the menu (the named queries list, the graph explorer). The answers are
worked out here from the Turtle sources with rdflib alone (and, for the synthetic network,
from the generator's RDF), never from the server's answer:

1. which cluster has the deepest parts base: the top row of ``deepest-parts-base``;
2. who supplies Changan and from where: every supply link to Changan with its supplier's
   region;
3. what fails if the battery plants in Yibin stop: on the curated graph nothing in the
   supply network is located there, and the page says so; on the synthetic network the
   firms located in Yibin fail, as many as the generated data locate there;
4. where 846 comes from: the source document's title and the verbatim quote.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

ROOT = Path(__file__).resolve().parents[2]
CK = "https://w3id.org/clusterkg/ontology#"
ID = "https://w3id.org/clusterkg/id/"
CHANGAN = URIRef(ID + "enterprise/changan-automobile")
YIBIN = URIRef(ID + "region/yibin")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def ck(name: str) -> URIRef:
    return URIRef(CK + name)


def english(g: Graph, node) -> str | None:
    """The English label of ``node``, else an untagged one (as the pages choose)."""
    labels = list(g.objects(node, RDFS.label))
    for want in ("en", None):
        for label in labels:
            if getattr(label, "language", None) == want:
                return str(label)
    return str(labels[0]) if labels else None


@pytest.fixture(scope="module")
def curated() -> Graph:
    """The curated graph: every file in graphs/, parsed by rdflib."""
    g = Graph()
    for path in sorted((ROOT / "graphs").glob("*.ttl")):
        g.parse(path)
    return g


@pytest.fixture(params=list(VIEWPORTS))
def page(request, watched, live_site):
    watched.page.set_viewport_size(VIEWPORTS[request.param])
    watched.page.goto(live_site + "/")
    yield watched.page
    assert watched.errors == []
    assert watched.foreign() == []


def click_link(page, text: str | re.Pattern) -> bool:
    """Click the first visible link with this text; False when the page has none."""
    links = page.get_by_role("link", name=text, exact=isinstance(text, str))
    for i in range(links.count()):
        if links.nth(i).is_visible():
            links.nth(i).click()
            page.wait_for_load_state()
            return True
    return False


def open_named_query(page, title: str | re.Pattern) -> None:
    """From any page: the menu's "Named queries", then the query's title."""
    assert click_link(page, "Named queries")
    assert click_link(page, title), f"no named query titled {title}"


def run_with(page, **params: str) -> None:
    """Fill a named query's parameter form and run it."""
    for name, value in params.items():
        page.locator(f"input[name='{name}']").fill(value)
    page.get_by_role("button", name=re.compile("Run", re.I)).first.click()
    page.wait_for_load_state()


def result_rows(page) -> list[list[str]]:
    """The cells' visible texts of each row of the result table."""
    rows = page.locator("table tr:has(td)")
    rows.first.wait_for()
    return [
        [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


def number_in(text: str, value) -> bool:
    """Whether ``value`` appears in ``text`` as a number (with or without thousands commas)."""
    plain = str(value)
    grouped = f"{int(value):,}" if float(value).is_integer() else plain
    return bool(re.search(rf"(?<![\d.,])({re.escape(plain)}|{re.escape(grouped)})(?![\d])", text))


# ----------------------------------------------------------- 1. the deepest parts base


def deepest_parts_base(g: Graph) -> tuple[str, int, int]:
    """The cluster with most parts enterprises per vehicle enterprise, both counts from one
    source (as deepest-parts-base.rq defines it): (label, parts, vehicles)."""
    counts: dict[tuple, dict[str, int]] = {}
    for obs in g.subjects(RDF.type, ck("Observation")):
        indicator = g.value(obs, ck("indicator"))
        if indicator not in (ck("PartsEnterpriseCount"), ck("VehicleEnterpriseCount")):
            continue
        key = (g.value(obs, ck("refArea")), g.value(obs, PROV.wasDerivedFrom))
        counts.setdefault(key, {})[str(indicator)] = int(g.value(obs, ck("value")).toPython())
    best = max(
        (c[CK + "PartsEnterpriseCount"] / c[CK + "VehicleEnterpriseCount"], area, c)
        for (area, _), c in counts.items()
        if len(c) == 2 and (area, RDF.type, ck("IndustrialCluster")) in g
    )
    _, area, c = best
    return english(g, area), c[CK + "PartsEnterpriseCount"], c[CK + "VehicleEnterpriseCount"]


@pytest.mark.browser
def test_which_cluster_has_the_deepest_parts_base(page, curated):
    label, parts, vehicles = deepest_parts_base(curated)
    if click_link(page, re.compile(r"deepest parts base", re.I)):
        # The home page's answer page; the ranking itself is the named query.
        if "/queries/deepest-parts-base" not in page.url:
            if not click_link(page, re.compile(r"named query|deepest.parts.base", re.I)):
                open_named_query(page, re.compile(r"deepest parts base", re.I))
    else:
        open_named_query(page, re.compile(r"deepest parts base", re.I))
    assert "/queries/deepest-parts-base" in page.url
    top = result_rows(page)[0]
    assert label in top
    assert any(number_in(cell, parts) for cell in top), top
    assert any(number_in(cell, vehicles) for cell in top), top
    ratio = f"{parts / vehicles:.2f}".rstrip("0").rstrip(".")  # ROUND(100 * p / v) / 100
    assert ratio in top, top


# ------------------------------------------------------------- 2. who supplies Changan


def changan_suppliers(g: Graph) -> set[tuple[str, str | None]]:
    """(supplier, where it is) of every supply link whose customer is Changan Automobile."""
    out = set()
    for link in g.subjects(ck("customer"), CHANGAN):
        if (link, RDF.type, ck("SupplyLink")) not in g:
            continue
        supplier = g.value(link, ck("supplier"))
        where = g.value(supplier, ck("locatedIn"))
        out.add((english(g, supplier), english(g, where) if where is not None else None))
    return out


@pytest.mark.browser
def test_who_supplies_changan_and_from_where(page, curated):
    expected = changan_suppliers(curated)
    assert expected  # the sources state Changan's suppliers in Sichuan at least
    if not click_link(page, re.compile(r"supplies Changan", re.I)):
        open_named_query(page, re.compile(r"Who supplies an enterprise", re.I))
        # The parameter as the queries list shows it (an IRI below https://w3id.org/clusterkg/).
        run_with(page, customer="id/enterprise/changan-automobile")
    rows = result_rows(page)
    for supplier, where in expected:
        matching = [r for r in rows if supplier in r]
        assert matching, f"{supplier} is not among the suppliers shown: {rows}"
        if where is not None:  # a cell of its own, not a word in the name or the quote
            assert any(where in r for r in matching), (supplier, where, matching)


# ------------------------------------------------ 3. what fails if Yibin's battery plants stop


def located_in(g: Graph, region: URIRef) -> set:
    """Everything ``ck:locatedIn`` ``region`` (directly or through smaller regions in it)."""
    regions = {region} | set(g.transitive_subjects(ck("within"), region))
    return {s for r in regions for s in g.subjects(ck("locatedIn"), r)}


def in_supply_network(g: Graph, links) -> set:
    return {g.value(link, ck(end)) for link in links for end in ("supplier", "customer")}


@pytest.fixture(scope="module")
def synthetic_yibin(curated) -> int:
    """How many nodes of the synthetic supply network are located in Yibin, counted in the
    generator's RDF (seed 0, scale 1, the explorer's network) with rdflib."""
    from clusterkg.analytics.generate import generate
    from clusterkg.store.kg import open_kg

    kg = open_kg()
    try:
        text, _ = generate(kg)
    finally:
        kg.close()
    data = Dataset(default_union=True)
    data.parse(data=text, format="trig")
    merged = Graph()
    for triple in data.triples((None, None, None)):
        merged.add(triple)
    for triple in curated:
        merged.add(triple)
    links = [
        link
        for link in merged.subjects(RDF.type, ck("SupplyLink"))
        if (link, RDF.type, ck("SyntheticEntity")) in merged
    ]
    return len(located_in(merged, YIBIN) & in_supply_network(merged, links))


def scenario_summary(page, network: str) -> str:
    """The scenario summary once the explorer has drawn the ``network`` (curated/synthetic)
    answer: a synthetic answer says SYNTHETIC, a curated one does not."""
    box = page.locator("#scenario-summary")
    box.wait_for(state="visible", timeout=120_000)
    page.wait_for_function(
        """(synthetic) => {
            const box = document.getElementById("scenario-summary");
            const text = box.hidden ? "" : box.innerText;
            return /firms failed/.test(text) && text.includes("SYNTHETIC") === synthetic;
        }""",
        arg=network == "synthetic",
        timeout=120_000,
    )
    return box.inner_text()


def fail_region_in_explorer(page, view: str, region_label: str) -> None:
    """The explorer's way: choose the view, filter the region, Simulate failure."""
    page.select_option("#view", view)
    page.locator("#graph-svg .node, #graph-canvas").first.wait_for(timeout=120_000)
    options = page.locator("#f-region option").all_inner_texts()
    if region_label not in options and view == "supply":
        # Issue 13: the curated Region list leaves out regions whose sites have no supply
        # link. The home page's question link (issue 15) is the way past it; without that
        # link this walk cannot ask the question, which is a known defect, not an answer.
        pytest.xfail(f"the explorer offers no region {region_label} and the home page no link")
    assert region_label in options, f"{region_label} is not offered as a region: {options}"
    page.select_option("#f-region", label=region_label)
    page.get_by_role("button", name="Simulate failure").click()


@pytest.mark.browser
def test_what_fails_if_yibin_battery_plants_stop(page, curated, synthetic_yibin):
    # The sources: nothing in the curated supply network is located in Yibin (CATL's Yibin
    # base is there, with no stated supply link).
    curated_links = list(curated.subjects(RDF.type, ck("SupplyLink")))
    assert not located_in(curated, YIBIN) & in_supply_network(curated, curated_links)
    question = re.compile(r"battery plants in Yibin", re.I)
    if not click_link(page, question):
        assert click_link(page, "Graph explorer")
        fail_region_in_explorer(page, "supply", "Yibin")
    text = scenario_summary(page, "curated")
    assert "nothing in the curated supply network is located" in text
    assert re.search(r"\b0 firms failed", text), text

    # The synthetic network models the supply links of such sites: the firms located in
    # Yibin fail (and those that depended on them by cascade).
    assert click_link(page, "clusterkg")  # the menu's home link
    asked = page.locator("li", has=page.get_by_role("link", name=question))
    modelled = asked.get_by_role("link", name=re.compile("synthetic", re.I))
    if modelled.count():
        modelled.first.click()
    else:
        assert click_link(page, "Graph explorer")
        fail_region_in_explorer(page, "synthetic", "Yibin")
    text = scenario_summary(page, "synthetic")
    found = re.search(r"(\d+) firms failed \((\d+) by cascade\)", text)
    assert found, text
    failed, cascaded = int(found.group(1)), int(found.group(2))
    assert failed - cascaded == synthetic_yibin, text
    assert "SYNTHETIC" in text


# ------------------------------------------------------------- 4. where 846 comes from


def where_846_comes_from(g: Graph) -> set[tuple[str, str]]:
    """(source document title, verbatim quote) of every fact whose value is 846."""
    out = set()
    for prop in (ck("value"), ck("annualValueCNY")):
        for fact, value in g.subject_objects(prop):
            if isinstance(value, Literal) and Decimal(str(value)) == 846:
                source = g.value(fact, PROV.wasDerivedFrom)
                out.add((str(g.value(source, DCTERMS.title)), str(g.value(fact, ck("quote")))))
    return out


@pytest.mark.browser
def test_where_846_comes_from(page, curated):
    expected = where_846_comes_from(curated)
    assert expected
    if not click_link(page, re.compile(r"\b846\b")):
        open_named_query(page, re.compile(r"Where does this number come from", re.I))
        run_with(page, value="846")
    rows = result_rows(page)
    for title, quote in expected:
        assert any(title in r and quote in r for r in rows), (title, quote, rows)
    assert not any("fileName" in c or c.endswith(".txt") for r in rows for c in r)

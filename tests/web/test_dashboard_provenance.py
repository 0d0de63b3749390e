"""The cluster dashboard names where each quote comes from and what it supports; the cluster
comparison says how its computed ratio is made and keeps a stated figure's qualifier.

Expected values are read with plain rdflib from ``graphs/*.ttl``, each file on its own (a quote
belongs to the source its file states for the cluster), and titles from ``graphs/sources.ttl``.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/clusterkg/id/"
CK = "https://w3id.org/clusterkg/ontology#"
PROV = "http://www.w3.org/ns/prov#"
CC = URIRef(ID + "cluster/chengdu-chongqing-auto")


def _files() -> list[Graph]:
    return [Graph().parse(p, format="turtle") for p in sorted((ROOT / "graphs").glob("*.ttl"))]


def _expected_quotes() -> dict[str, set[str]]:
    """Quote of the cluster -> IRIs of the sources of the file that states it."""
    out: dict[str, set[str]] = {}
    for g in _files():
        srcs = {str(s) for s in g.objects(CC, URIRef(PROV + "wasDerivedFrom"))}
        for q in g.objects(CC, URIRef(CK + "quote")):
            out.setdefault(str(q), set()).update(srcs)
    return out


def _titles() -> dict[str, str]:
    g = Graph().parse(ROOT / "graphs" / "sources.ttl", format="turtle")
    return {str(s): str(t) for s, t in g.subject_objects(DCTERMS.title)}


def _figures(page: str) -> dict[str, str]:
    """The dashboard's quotes -> the HTML of their captions."""
    found = re.findall(
        r'<figure class="quote"><blockquote>“(.*?)”</blockquote>\s*<figcaption[^>]*>(.*?)</figcaption>',
        page,
        re.S,
    )
    return {htmllib.unescape(q): cap for q, cap in found}


def _links(html: str) -> list[tuple[str, str]]:
    return [(h, htmllib.unescape(t)) for h, t in re.findall(r'<a href="([^"]+)">(.*?)</a>', html)]


def test_each_quote_of_the_dashboard_names_and_links_its_source(client):
    page = client.get("/clusters/chengdu-chongqing-auto").get_data(as_text=True)
    expected = _expected_quotes()
    titles = _titles()
    figures = _figures(page)
    assert set(figures) == set(expected) and len(expected) == 8
    for quote, caption in figures.items():
        for src in expected[quote]:
            sources = _links(caption.split("supports:")[0])
            assert ("/id/" + src[len(ID) :], titles[src]) in sources, (quote, caption)


def test_a_quote_out_of_context_says_which_fact_it_supports(client):
    page = client.get("/clusters/chengdu-chongqing-auto").get_data(as_text=True)
    quote = "The Chengdu-Chongqing industry cluster is 6.24"
    # The observation of the cluster that quotes the same words (auto-clusters.ttl).
    facts = [
        (s, g.value(s, RDFS.label))
        for g in _files()
        for s in g.subjects(URIRef(CK + "quote"), Literal(quote))
        if s != CC and (s, URIRef(CK + "refArea"), CC) in g
    ]
    assert len(facts) == 1
    fact, label = facts[0]
    caption = _figures(page)[quote]
    assert _links(caption.split("supports:")[1]) == [("/id/" + str(fact)[len(ID) :], str(label))]


def _obs(indicator: str, area: str) -> tuple[str, float]:
    """The observation of ``indicator`` for ``area`` in auto-clusters.ttl, and its value."""
    g = Graph().parse(ROOT / "graphs" / "auto-clusters.ttl", format="turtle")
    (s,) = [
        s
        for s in g.subjects(URIRef(CK + "indicator"), URIRef(CK + indicator))
        if (s, URIRef(CK + "refArea"), URIRef(ID + "cluster/" + area)) in g
    ]
    return str(s), float(g.value(s, URIRef(CK + "value")))


def test_the_computed_ratio_says_from_which_counts_and_agrees_with_its_chart(client):
    page = client.get("/clusters").get_data(as_text=True)
    area = "yangtze-river-delta-auto"
    parts, n_parts = _obs("PartsEnterpriseCount", area)
    vehicles, n_vehicles = _obs("VehicleEnterpriseCount", area)
    shown = f"{n_parts / n_vehicles:.1f}"  # 5849 / 61 = 95.885...
    assert shown == "95.9"
    assert f'<td class="num"><a href="#ratio-{area}">{shown}</a></td>' in page
    (note,) = re.findall(rf'<li id="ratio-{area}">(.*?)</li>', page)
    assert [h for h, _ in _links(note)] == ["/id/" + parts[len(ID) :], "/id/" + vehicles[len(ID) :]]
    assert note.endswith(f"= {shown}")
    chart = page[page.index('id="chart-ratio"') :]
    chart = chart[: chart.index("</figure>")]
    assert f'<a href="#ratio-{area}"><rect' in chart
    assert f'class="bar-value">{shown}</text>' in chart and "95.89" not in chart


def test_a_stated_approximation_keeps_its_qualifier(client):
    page = client.get("/clusters").get_data(as_text=True)
    g = Graph()
    for name in ("chengdu-chongqing-statistics.ttl",):
        g.parse(ROOT / "graphs" / name, format="turtle")
    g.parse(ROOT / "ontology" / "clusterkg.ttl", format="turtle")
    (obs,) = g.subjects(URIRef(CK + "statedValue"), Literal("about 341,000"))
    qualifier = g.value(g.value(obs, URIRef(CK + "approximation")), RDFS.label)
    value = int(g.value(obs, URIRef(CK + "value")))
    words = f"{qualifier} {value:,}"
    assert words == "about 341,000"
    assert f'<a href="/id/{str(obs)[len(ID) :]}" title="about 341,000">{words}</a>' in page
    assert f'class="bar-value">{words}</text>' in page

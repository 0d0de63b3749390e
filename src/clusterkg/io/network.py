"""The knowledge graph as a network for Gephi, yEd and spreadsheets (GraphML, GEXF, CSV).

Nodes are the typed resources that act in the graph (enterprises, clusters, regions,
institutions, policies, concepts); records of facts (supply links, observations, sources,
analysis results) are not nodes: a ck:SupplyLink becomes an edge supplier -> customer, and
``ck:AnalysisResult`` values from the analytics graph become node attributes. Every other
triple between two nodes is an edge labelled with its property.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from clusterkg.vocab import CK, SH, WGS84, curie

_NOT_NODES = {
    CK.SupplyLink,
    CK.Observation,
    CK.AnalysisResult,
    CK.AnalysisRun,
    CK.SourceDocument,
    CK.Indicator,
    CK.Unit,
    CK.ApproximationQualifier,
    CK.Metric,
    SKOS.ConceptScheme,
    OWL.Ontology,
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    RDFS.Class,
    RDF.Property,
}
#: Colour-blind-safe palette (Okabe & Ito 2008), one colour per class, chosen by hash.
PALETTE = [
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (240, 228, 66),
    (0, 114, 178),
    (213, 94, 0),
    (204, 121, 167),
    (0, 0, 0),
]
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def snake(name: str) -> str:
    """``BetweennessCentrality`` -> ``betweenness_centrality`` (attribute names)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _is_node(types: set[URIRef]) -> bool:
    return (
        bool(types)
        and not (types & _NOT_NODES)
        and not any(str(t).startswith((str(SH), str(OWL))) for t in types)
    )


def _label(graph: Graph, node: Node, lang: str | None) -> str | None:
    labels = [lit for lit in graph.objects(node, RDFS.label) if isinstance(lit, Literal)]
    if lang == "zh":
        chosen = [lit for lit in labels if (lit.language or "").startswith("zh")]
    else:
        chosen = [lit for lit in labels if lit.language == "en"] or [
            lit for lit in labels if lit.language is None
        ]
    return str(sorted(chosen)[0]) if chosen else None


def _main_class(types: set[URIRef], ontology: Graph) -> URIRef:
    # The most specific type: the one with the most superclasses in the ontology.
    return max(
        sorted(types), key=lambda t: len(list(ontology.transitive_objects(t, RDFS.subClassOf)))
    )


def colour(cls: str) -> tuple[int, int, int]:
    """A stable palette colour for a class."""
    return PALETTE[int(hashlib.sha1(cls.encode()).hexdigest(), 16) % len(PALETTE)]


def to_networkx(
    selection: Graph, full: Graph, ontology: Graph, scores: Iterable[tuple[str, str, float]] = ()
) -> nx.MultiDiGraph:
    """A directed multigraph of the ``selection``'s nodes and edges.

    ``full`` supplies labels, types, clusters and coordinates of the nodes (a node without
    its own ``wgs84:lat``/``long`` takes those of the region it is ``ck:locatedIn``);
    ``scores`` are (node, metric, value) triples from the analytics graph.
    """
    types: dict[URIRef, set[URIRef]] = {}
    for graph in (full, selection):
        for s, t in graph.subject_objects(RDF.type):
            if isinstance(s, URIRef) and isinstance(t, URIRef):
                types.setdefault(s, set()).add(t)
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    wanted = {
        s for s in selection.subjects() if isinstance(s, URIRef) and _is_node(types.get(s, set()))
    }
    for link in selection.subjects(RDF.type, CK.SupplyLink):
        for party in (selection.value(link, CK.supplier), selection.value(link, CK.customer)):
            if isinstance(party, URIRef):
                wanted.add(party)
    for s, p, o in selection:
        if (
            p != RDF.type
            and isinstance(o, URIRef)
            and s in wanted
            and _is_node(types.get(o, set()))
        ):
            wanted.add(o)
    for node in sorted(wanted):
        g.add_node(str(node), **_node_attributes(node, types.get(node, set()), full, ontology))
    for s, p, o in sorted(selection):
        if p == RDF.type or str(s) not in g or str(o) not in g:
            continue
        g.add_edge(str(s), str(o), key=curie(str(p)), relation=curie(str(p)))
    # rdflib orders its terms at run time (Identifier.__lt__); its stubs do not say so
    for link in sorted(selection.subjects(RDF.type, CK.SupplyLink)):  # type: ignore[type-var]
        sup, cus = selection.value(link, CK.supplier), selection.value(link, CK.customer)
        if sup is None or cus is None:
            continue
        attrs: dict[str, object] = {"relation": "ck:SupplyLink", "link": str(link)}
        item = selection.value(link, CK.suppliedItem)
        if item is not None:
            attrs["item"] = _label(full, item, "en") or curie(str(item))
        value = selection.value(link, CK.annualValueCNY)
        if value is not None:
            attrs["annual_value_cny"] = float(str(value))
        g.add_edge(str(sup), str(cus), key=str(link), **attrs)
    for scored, metric, score in scores:
        if scored in g:
            g.nodes[scored][snake(metric.rsplit("#", 1)[-1].rsplit("/", 1)[-1])] = float(score)
    return g


def _node_attributes(
    node: URIRef, types: set[URIRef], full: Graph, ontology: Graph
) -> dict[str, object]:
    attrs: dict[str, object] = {"iri": str(node)}
    label = _label(full, node, "en")
    attrs["label"] = label or curie(str(node))
    zh = _label(full, node, "zh")
    if zh:
        attrs["label_zh"] = zh
    if types:
        attrs["class"] = curie(str(_main_class(types, ontology)))
    # rdflib orders its terms at run time (Identifier.__lt__); its stubs do not say so
    clusters = sorted(full.objects(node, CK.memberOf))  # type: ignore[type-var]
    if clusters:
        attrs["cluster"] = "; ".join(_label(full, c, "en") or curie(str(c)) for c in clusters)
    lat, long = full.value(node, WGS84.lat), full.value(node, WGS84.long)
    if lat is None or long is None:
        region = full.value(node, CK.locatedIn)
        if region is not None:
            lat, long = full.value(region, WGS84.lat), full.value(region, WGS84.long)
    if lat is not None and long is not None:
        attrs["lat"], attrs["long"] = float(str(lat)), float(str(long))
    if CK.SyntheticEntity in types:
        attrs["synthetic"] = True
    return attrs


def graphml_bytes(g: nx.Graph) -> bytes:
    """GraphML (http://graphml.graphdrawing.org/) as networkx writes it."""
    out = io.BytesIO()
    nx.write_graphml(g, out, encoding="utf-8", named_key_ids=True)
    return out.getvalue()


def gexf_bytes(g: nx.Graph) -> bytes:
    """GEXF 1.2 (https://gexf.net/) with ``viz`` colour by class, and position: the node's
    ``x``/``y`` where it has them (a drawing's layout), else its lon/lat."""
    h = g.copy()
    for _node, attrs in h.nodes(data=True):
        r, gr, b = colour(str(attrs.get("class", "")))
        viz: dict[str, dict] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}}
        if "x" in attrs and "y" in attrs:
            # The position it was drawn at (y grows downwards on screen, upwards in Gephi).
            viz["position"] = {"x": attrs["x"], "y": -attrs["y"], "z": 0.0}
        elif "lat" in attrs and "long" in attrs:
            # Gephi's plane: x east, y north; degrees scaled so that a country spans hundreds.
            viz["position"] = {"x": attrs["long"] * 10.0, "y": attrs["lat"] * 10.0, "z": 0.0}
        attrs["viz"] = viz
    out = io.BytesIO()
    nx.write_gexf(h, out, encoding="utf-8")
    return out.getvalue()


def neutralise(cell: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (OWASP CSV injection advice).

    Text starting with ``= + - @``, tab or carriage return gets a leading ``'``; numbers
    (``-3.5``) are left alone.
    """
    text = "" if cell is None else str(cell)
    if _FORMULA.match(text) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_tables(g: nx.MultiDiGraph) -> tuple[bytes, bytes]:
    """``nodes.csv`` and ``edges.csv`` of the network, cells neutralised."""
    node_cols = ["id", "label", "label_zh", "class", "cluster", "lat", "long"]
    extra = sorted({k for _n, a in g.nodes(data=True) for k in a} - set(node_cols) - {"iri"})
    nodes = io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(node_cols + extra)
    for n, a in sorted(g.nodes(data=True)):
        w.writerow(
            [
                neutralise(v)
                for v in [n, *(a.get(c) for c in node_cols[1:]), *(a.get(c) for c in extra)]
            ]
        )
    edge_cols = ["source", "target", "relation", "link", "item", "annual_value_cny"]
    edges = io.StringIO()
    w = csv.writer(edges, lineterminator="\n")
    w.writerow(edge_cols)
    for s, o, a in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], e[2]["relation"])):
        w.writerow([neutralise(v) for v in [s, o, *(a.get(c) for c in edge_cols[2:])]])
    return nodes.getvalue().encode("utf-8"), edges.getvalue().encode("utf-8")


def plain_network(G: nx.Graph) -> nx.Graph:
    """A copy of a projected network (an explorer view) with only the string and number
    attributes that GraphML and GEXF can hold: label, kind, cluster, region, synthetic,
    lat/long, x/y (a drawing's position); on edges the relations and the annual value in CNY."""
    H: nx.Graph = nx.DiGraph() if G.is_directed() else nx.Graph()
    for n, a in G.nodes(data=True):
        H.add_node(
            n,
            label=str(a.get("label", n)),
            kind=str(a.get("kind") or ""),
            cluster=str(a.get("cluster") or ""),
            region=str(a.get("region") or ""),
            synthetic=bool(a.get("synthetic")),
            # x/y: the drawing's position of the node, where the caller gives one.
            **{k: float(a[k]) for k in ("lat", "long", "x", "y") if a.get(k) is not None},
        )
    for s, t, d in G.edges(data=True):
        rel = d.get("relations") or (["supplies"] if G.is_directed() else [])
        attrs: dict[str, object] = {"relations": ", ".join(rel)}
        if d.get("value") is not None:
            attrs["value_cny"] = float(d["value"])
        H.add_edge(s, t, **attrs)
    return H

"""What the graph explorer draws: views of the knowledge graph with layouts, cached.

A *view* is a subgraph of a projected network (:mod:`clusterkg.analytics.projection`) with
node positions (:mod:`clusterkg.analytics.layout`), a few centralities
(:mod:`clusterkg.analytics.centrality`) and Louvain communities
(:mod:`clusterkg.analytics.communities`), as plain JSON. Views and the networks behind them
are cached in the knowledge graph's cache (``kg.cached``), keyed by their parameters and the
store's generation (it grows with every change), so a layout is computed once per state of
the data.

Views:

- ``overview``: the six automobile clusters and their vehicle makers (the leading firms);
- ``cluster``: one cluster, its members, what they are linked to, and what targets it;
- ``neighbourhood``: the nodes within ``hops`` (1-3) of one node;
- ``supply``: the curated supply network (supplier -> customer);
- ``synthetic``: the calibrated synthetic supply network (marked synthetic);
- ``map``: the six automobile clusters, the located enterprises and the curated supply
  links, placed by their coordinates over China's province outlines
  (:mod:`clusterkg.views.geomap`);
- ``query``: the IRI-to-IRI triples of a CONSTRUCT query.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import networkx as nx
import pyoxigraph as ox
from rdflib import URIRef

from clusterkg.analytics import centrality, layout
from clusterkg.analytics.communities import louvain
from clusterkg.analytics.projection import (
    ENTERPRISE_KINDS,
    cluster_network,
    graph_filter,
    needs_synthetic,
    select,
    supply_network,
)
from clusterkg.errors import UnusableInput
from clusterkg.store.kg import KnowledgeGraph
from clusterkg.views import geomap
from clusterkg.views.analysis import PackedNetwork, check_network, generated_supply, pack
from clusterkg.vocab import ID, RDF, SYNTHETIC_GRAPH

VIEWS = ("overview", "cluster", "neighbourhood", "supply", "synthetic", "map", "query")

#: The six automobile clusters of the "six major automobile industry clusters" source.
AUTO_CLUSTERS = tuple(
    str(ID[f"cluster/{slug}"])
    for slug in (
        "yangtze-river-delta-auto",
        "pearl-river-delta-auto",
        "beijing-tianjin-hebei-auto",
        "northeast-china-auto",
        "middle-yangtze-auto",
        "chengdu-chongqing-auto",
    )
)

#: Centralities offered for node size (computed on the view's own graph).
SIZE_METRICS = ("degree", "betweenness", "pagerank")


class ViewError(UnusableInput, ValueError):
    """A view request that cannot be answered (unknown node, bad parameter); 400 or 404."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.http_status = status


@dataclass(frozen=True)
class ViewSpec:
    """The parameters of a view; hashable, so it keys the cache."""

    view: str = "overview"
    cluster: str | None = None
    node: str | None = None
    hops: int = 1
    layout: str = "force"
    query: str | None = None

    def check(self) -> None:
        """Raise :class:`ViewError` when the parameters do not make a view."""
        if self.view not in VIEWS:
            raise ViewError(f"unknown view {self.view!r}: use one of {', '.join(VIEWS)}")
        if self.layout not in layout.LAYOUTS:
            raise ViewError(
                f"unknown layout {self.layout!r}: use one of {', '.join(layout.LAYOUTS)}"
            )
        if self.view == "cluster" and not self.cluster:
            raise ViewError("the cluster view needs cluster=<cluster IRI>")
        if self.view == "neighbourhood" and not self.node:
            raise ViewError("the neighbourhood view needs node=<IRI>")
        if not 1 <= self.hops <= 3:
            raise ViewError(f"hops must be 1, 2 or 3 (got {self.hops})")
        if self.view == "query" and not self.query:
            raise ViewError("the query view needs query=<a CONSTRUCT query>")


def _sectors(kg: KnowledgeGraph) -> dict[str, list[str]]:
    rows = select(kg, "SELECT DISTINCT ?n ?s WHERE { ?n ck:sector ?s }")
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["n"], []).append(r["s"])
    return out


def base_network(kg: KnowledgeGraph) -> nx.Graph:
    """The cluster network (organisations, clusters, policies, supply links), with sectors."""

    def make() -> nx.Graph:
        G = cluster_network(kg)
        sectors = _sectors(kg)
        for n, a in G.nodes(data=True):
            a["sectors"] = sorted(sectors.get(n, []))
        return G

    return kg.cached("base", make)


def supply(kg: KnowledgeGraph, graphs: str = "curated") -> nx.DiGraph:
    """The supply network of the graph selection ``graphs`` (``curated``, ``synthetic``,
    ``all``; :func:`clusterkg.analytics.projection.supply_network`), once per state of the store.

    A selection with synthetic data on a store that holds no synthetic graph uses the
    generator's network (seed 0, scale 1, :func:`clusterkg.analytics.generate.generate`),
    built in a query worker (:func:`generated`). The server is read-only, so that network
    goes into a separate in-memory store with a copy of the data; the store is not changed.
    """
    graph_filter(graphs)

    def make() -> nx.DiGraph:
        if not generates(kg, graphs):
            return supply_network(kg, graphs)
        G: nx.DiGraph = pickle.loads(generated(kg, graphs).data)  # noqa: S301 - our own bytes
        return G

    return kg.cached(("supply", graphs), make)


def generates(kg: KnowledgeGraph, graphs: str) -> bool:
    """Whether the selection ``graphs`` uses the generator's network on this store (it asks
    for synthetic data and the store holds no synthetic graph)."""
    return needs_synthetic(graphs) and str(SYNTHETIC_GRAPH) not in kg.backend.graph_names()


def generated(kg: KnowledgeGraph, graphs: str) -> PackedNetwork:
    """The supply network of ``graphs`` with the generator's network, packed: generated in a
    query worker under its own time limit (``generate_timeout``: a one-off cost, once per
    state of the store) and the analysis caps
    (:func:`clusterkg.views.analysis.generated_supply`), once per state of the store
    (concurrent first requests wait for the one computation)."""

    def make() -> PackedNetwork:
        made: PackedNetwork = kg.engine.call_with_store(
            generated_supply, graphs, kg.settings, timeout=kg.settings.generate_timeout
        )
        return made

    return kg.cached(("generated-supply", graphs), make)


def packed_supply(kg: KnowledgeGraph, graphs: str = "curated") -> PackedNetwork:
    """The supply network of ``graphs`` packed for a query worker, once per state of the
    store; one above the analysis caps is refused with 422
    (:func:`clusterkg.views.analysis.check_network`)."""
    graph_filter(graphs)

    def make() -> PackedNetwork:
        if generates(kg, graphs):
            return generated(kg, graphs)
        G = supply(kg, graphs)
        check_network(G.number_of_nodes(), G.number_of_edges(), kg.settings)
        return pack(G)

    return kg.cached(("supply-packed", graphs), make)


def curated_supply(kg: KnowledgeGraph) -> nx.DiGraph:
    """The curated supply network."""
    return supply(kg, "curated")


def synthetic_supply(kg: KnowledgeGraph) -> nx.DiGraph:
    """The synthetic supply network: the store's, or the generated one (see :func:`supply`)."""
    return supply(kg, "synthetic")


#: The synthetic view shows at most this many nodes (the best connected ones).
SYNTHETIC_MAX_NODES = 2000


def synthetic_part(G: nx.DiGraph, cluster: str) -> nx.DiGraph:
    """The firms of the synthetic network located in ``cluster``'s regions and their direct
    suppliers and customers, capped at :data:`SYNTHETIC_MAX_NODES` by degree."""
    covers = set(G.graph.get("clusters", {}).get(cluster, {}).get("covers", []))
    if not covers:
        raise ViewError(f"no cluster {cluster} with covered regions", 404)
    inside = {n for n, a in G.nodes(data=True) if covers & set(a.get("within") or [])}
    keep = set(inside)
    for n in inside:
        keep |= set(G.predecessors(n)) | set(G.successors(n))
    if len(keep) > SYNTHETIC_MAX_NODES:
        ranked = sorted(
            keep, key=lambda n: (-(G.degree(n) + 1000 * bool(G.nodes[n].get("oem"))), n)
        )
        keep = set(ranked[:SYNTHETIC_MAX_NODES])
    return G.subgraph(keep)


#: Node classes the map shows besides the clusters and the supply network (enterprises).
MAP_KINDS = frozenset((*ENTERPRISE_KINDS, "ProductionSite"))


def map_network(kg: KnowledgeGraph) -> nx.DiGraph:
    """The map view's graph: the curated supply network, every located enterprise of the
    cluster network, and the six automobile clusters, each placed at the mean coordinates of
    the regions it covers (``ck:coversRegion``)."""

    def make() -> nx.DiGraph:
        G = nx.DiGraph(curated_supply(kg))
        base = base_network(kg)
        for n, a in base.nodes(data=True):
            if a.get("kind") in MAP_KINDS and a.get("lat") is not None and n not in G:
                G.add_node(n, **a)
        covered: dict[str, list[tuple[float, float]]] = {}
        for r in select(
            kg,
            """SELECT ?c ?lat ?long WHERE { ?c a ck:IndustrialCluster ; ck:coversRegion ?r .
            ?r wgs84:lat ?lat ; wgs84:long ?long }""",
        ):
            covered.setdefault(r["c"], []).append((float(r["lat"]), float(r["long"])))
        for c in AUTO_CLUSTERS:
            if c in base and covered.get(c):
                points = covered[c]
                lat = sum(p[0] for p in points) / len(points)
                long = sum(p[1] for p in points) / len(points)
                G.add_node(c, **{**base.nodes[c], "lat": lat, "long": long})
        return G

    return kg.cached("map-network", make)


def _subgraph(kg: KnowledgeGraph, spec: ViewSpec) -> nx.Graph:
    if spec.view == "supply":
        return curated_supply(kg)
    if spec.view == "map":
        return map_network(kg)
    if spec.view == "synthetic":
        return synthetic_part(synthetic_supply(kg), spec.cluster or AUTO_CLUSTERS[-1])
    if spec.view == "query":
        return query_network(kg, spec.query or "")
    G = base_network(kg)
    if spec.view == "overview":
        keep = {c for c in AUTO_CLUSTERS if c in G}
        keep |= {
            n
            for n, a in G.nodes(data=True)
            if a.get("kind") == "VehicleManufacturer" and set(a.get("clusters", [])) & keep
        }
        return G.subgraph(keep)
    if spec.view == "cluster":
        c = spec.cluster or ""
        if c not in G:
            raise ViewError(f"no cluster {c} in the graph", 404)
        members = {n for n, a in G.nodes(data=True) if c in a.get("clusters", [])}
        keep = {c} | members | set(G[c])
        for m in members:
            keep |= {n for n in G[m] if G.nodes[n].get("kind") != "IndustrialCluster"}
        return G.subgraph(keep)
    node = spec.node or ""
    if node not in G:
        raise ViewError(f"{node} has no links in the explorer's network", 404)
    return nx.ego_graph(G, node, radius=spec.hops)


def query_network(kg: KnowledgeGraph, sparql: str) -> nx.DiGraph:
    """The IRI-to-IRI triples of a CONSTRUCT/DESCRIBE query as a directed graph with labels."""
    result = kg.engine.query(sparql)
    if result.kind != "graph":
        raise ViewError("view=query needs a CONSTRUCT or DESCRIBE query")
    G: nx.DiGraph = nx.DiGraph()
    if result.truncated:
        # The result was cut at the row (or byte) limit: the graph is its first triples only,
        # and the view and its refusal say so.
        G.graph["first_triples"] = len(result.triples)
    for s, p, o in result.triples:
        if isinstance(s, URIRef) and isinstance(o, URIRef) and p != RDF.type:
            rel = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if G.has_edge(str(s), str(o)):
                G.edges[str(s), str(o)]["relations"].append(rel)
            else:
                G.add_edge(str(s), str(o), relations=[rel])
    base = base_network(kg)
    for n in G:
        attrs = dict(base.nodes[n]) if n in base else {"label": n.rsplit("/", 1)[-1]}
        G.nodes[n].update(attrs)
    return G


def _metrics(G: nx.Graph) -> dict[str, dict[str, float]]:
    """Degree, betweenness and PageRank of the view's graph, each scaled to a maximum of 1."""
    D = G if G.is_directed() else G.to_directed()
    res = centrality.compute(
        nx.DiGraph(D),
        metrics=("in_degree", "out_degree", "betweenness", "pagerank"),
    )
    scores = {
        "degree": {n: float(G.degree(n)) for n in G},
        "betweenness": res.scores.get("betweenness") or {},
        "pagerank": res.scores.get("pagerank") or {},
    }
    out = {}
    for name, values in scores.items():
        top = max(values.values(), default=0.0) or 1.0
        out[name] = {n: round(v / top, 4) for n, v in values.items()}
    return out


def _title(kg: KnowledgeGraph, spec: ViewSpec, G: nx.Graph) -> str:
    base = base_network(kg)

    def label(n: str | None) -> str:
        if n and n in base:
            return str(base.nodes[n].get("label", n))
        return n or ""

    return {
        "overview": "The six automobile clusters and their vehicle makers",
        "cluster": label(spec.cluster),
        "neighbourhood": f"{label(spec.node)}: {spec.hops}-hop neighbourhood",
        "supply": "Supply network (curated, supplier \u2192 customer)",
        "synthetic": "SYNTHETIC supply network (generated, not sourced facts) around "
        + label(spec.cluster or AUTO_CLUSTERS[-1]),
        "map": "Map: automobile clusters, enterprises and curated supply links",
        "query": "Result of a CONSTRUCT query"
        + (
            f" (its first {G.graph['first_triples']} triples: the result has more)"
            if "first_triples" in G.graph
            else ""
        ),
    }[spec.view]


def view(kg: KnowledgeGraph, spec: ViewSpec) -> dict[str, Any]:
    """The JSON of a view: nodes with positions, sizes and communities; edges; metadata."""
    spec.check()
    return kg.cached(("view", spec), lambda: _make_view(kg, spec))


def view_graph(kg: KnowledgeGraph, spec: ViewSpec) -> nx.Graph:
    """The networkx subgraph behind a view (for exports)."""
    spec.check()
    return _subgraph(kg, spec)


#: Exported positions are in the drawing's frame: the unit square times this (y downwards).
EXPORT_FRAME = 1000.0


def positioned_graph(kg: KnowledgeGraph, spec: ViewSpec) -> nx.Graph:
    """A copy of the view's subgraph whose nodes carry the view's layout as ``x``/``y`` (in
    a frame of :data:`EXPORT_FRAME` units, as drawn), for GraphML and GEXF exports."""
    drawn = {n["id"]: (n["x"], n["y"]) for n in view(kg, spec)["nodes"]}
    G = view_graph(kg, spec).copy()
    for n, a in G.nodes(data=True):
        if n in drawn:
            a["x"], a["y"] = (round(v * EXPORT_FRAME, 2) for v in drawn[n])
    return G


def check_size(G: nx.Graph, max_nodes: int, max_edges: int) -> None:
    """Refuse (422) a graph larger than the explorer draws: ``max_nodes`` nodes, ``max_edges``
    edges (the settings ``explorer_max_nodes``/``explorer_max_edges``)."""
    nodes, edges = G.number_of_nodes(), G.number_of_edges()
    if nodes > max_nodes or edges > max_edges:
        first = G.graph.get("first_triples")
        has = (
            f"has {nodes} nodes and {edges} edges"
            if first is None
            else f"has at least {nodes} nodes and {edges} edges (in the first {first} triples "
            "of the query's result, which has more)"
        )
        raise ViewError(
            f"the view's graph {has}; the explorer draws at most "
            f"{max_nodes} nodes and {max_edges} edges (CLUSTERKG_EXPLORER_MAX_NODES, "
            "CLUSTERKG_EXPLORER_MAX_EDGES): narrow the query down",
            422,
        )


def draw(G: nx.Graph, view: str, layout_name: str) -> dict[str, Any]:
    """The heavy part of a view: layout, centralities and communities of ``G``, as the
    ``nodes``, ``edges``, ``directed`` and ``synthetic`` of the view's JSON.

    It is a module-level function of picklable arguments so that the query engine can run
    it in a killable worker under the query time limit (``kg.engine.call``).
    """
    # The map places nodes in the outlines' own projection, whatever layout was asked for.
    pos = geomap.positions(G) if view == "map" else layout.compute(G, layout_name)
    metrics = _metrics(G)
    community = louvain(G, seed=0).membership if len(G) else {}
    synthetic = view == "synthetic" or any(a.get("synthetic") for _, a in G.nodes(data=True))
    nodes = []
    for n in sorted(G, key=str):
        a = G.nodes[n]
        x, y = pos.get(n, (0.5, 0.5))
        nodes.append(
            {
                "id": n,
                "label": str(a.get("label") or n),
                "kind": a.get("kind") or "Other",
                "cluster": a.get("cluster"),
                "clusters": list(a.get("clusters") or []),
                "sectors": list(a.get("sectors") or []),
                "region": a.get("region"),
                "within": list(a.get("within") or []),
                "oem": bool(a.get("oem")),
                "synthetic": bool(a.get("synthetic")),
                "lat": a.get("lat"),
                "long": a.get("long"),
                "community": community.get(n, -1),
                "size": {m: metrics[m].get(n, 0.0) for m in SIZE_METRICS},
                "x": x,
                "y": y,
            }
        )
    edges = []
    for s, t, d in G.edges(data=True):
        rel = d.get("relations") or (["supplies"] if G.is_directed() else [])
        edges.append({"source": s, "target": t, "relations": list(rel)})
    edges.sort(key=lambda e: (e["source"], e["target"]))
    return {"directed": G.is_directed(), "synthetic": synthetic, "nodes": nodes, "edges": edges}


def _make_view(kg: KnowledgeGraph, spec: ViewSpec) -> dict[str, Any]:
    G = _subgraph(kg, spec)
    settings = kg.settings
    check_size(G, settings.explorer_max_nodes, settings.explorer_max_edges)
    # In a query worker when the engine has them: a plain link cannot hold the server's CPU.
    # A copy, as a subgraph view would carry the whole network behind it to the worker.
    drawn = kg.engine.call(draw, G.copy(), spec.view, spec.layout)
    return {
        "view": spec.view,
        "layout": spec.layout,
        "title": _title(kg, spec, G),
        "directed": drawn["directed"],
        "synthetic": drawn["synthetic"],
        "nodes": drawn["nodes"],
        "edges": drawn["edges"],
        "labels": labels(kg),
    }


def labels(kg: KnowledgeGraph) -> dict[str, str]:
    """Labels of the clusters, sectors and regions, for filters and legends."""

    def make() -> dict[str, str]:
        rows = select(
            kg,
            """SELECT ?x (MIN(STR(?l)) AS ?label) WHERE {
            { ?x a ck:IndustrialCluster } UNION { ?n ck:sector ?x } UNION
            { ?x a/rdfs:subClassOf* ck:Region }
            ?x rdfs:label ?l FILTER(LANG(?l) IN ("", "en")) } GROUP BY ?x""",
        )
        return {r["x"]: str(r["label"]) for r in rows}

    return kg.cached("labels", make)


def check_iri(iri: str) -> str:
    """``iri`` if it is an absolute IRI, else :class:`ViewError`."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise ViewError(f"{iri!r} is not an absolute IRI") from None
    return iri


def located_regions(kg: KnowledgeGraph) -> list[dict[str, str]]:
    """Every region in which the knowledge graph locates something (directly or through a
    sub-region), with its English label: the choices of a region scenario, whether or not the
    curated supply links reach the region (Yibin has the CATL plant but no curated link)."""

    def make() -> list[dict[str, str]]:
        rows = select(
            kg,
            """SELECT DISTINCT ?r ?label WHERE {
              ?n ck:locatedIn ?x . ?x ck:partOf* ?r . ?r rdfs:label ?label
              FILTER(LANG(?label) = "en" || LANG(?label) = "") }""",
        )
        best: dict[str, str] = {}
        for row in rows:
            iri, label = str(row["r"]), str(row["label"])
            if iri not in best or label < best[iri]:
                best[iri] = label
        return [{"iri": i, "label": best[i]} for i in sorted(best, key=lambda i: best[i])]

    return kg.cached("located-regions", make)


# EXISTS does not see a pre-bound ?x on every backend: the IRI is put in as VALUES.
_EXPLORE = """SELECT ?x ?cluster ?region ?suppliers ?customers ?located WHERE {
  VALUES ?x { %s }
  BIND(EXISTS { ?x a ck:IndustrialCluster } AS ?cluster)
  BIND(EXISTS { ?x a/rdfs:subClassOf* ck:Region } AS ?region)
  BIND(EXISTS { { ?l ck:customer ?x } UNION { ?g ck:includesMember ?x . ?l ck:customer ?g }
    ?l a ck:SupplyLink ; ck:supplier ?s } AS ?suppliers)
  BIND(EXISTS { ?l a ck:SupplyLink ; ck:supplier ?x ; ck:customer ?c ; ck:quote ?q .
    ?c rdfs:label ?cl } AS ?customers)
  BIND(EXISTS { ?n ck:locatedIn ?y . ?y ck:partOf* ?x } AS ?located)
}"""


def explore_links(kg: KnowledgeGraph, iri: str) -> list[dict[str, str]]:
    """Where else a resource can be looked at, for its ``/id/`` page: a cluster's dashboard,
    the explorer and the map centred on it, its suppliers and customers (the named queries
    enterprise-suppliers and enterprise-customers), the failure scenario of a firm with
    customers or of a region that locates something. Only links whose page has something to
    show: a firm without stated suppliers gets no "who supplies it"."""
    try:
        check_iri(iri)
    except ViewError:
        return []
    # An ox.NamedNode writes itself as <...>, escaped as SPARQL wants.
    (row,) = select(kg, _EXPLORE % ox.NamedNode(iri)) or [{}]
    flag = {
        k: row.get(k) in (True, "true")
        for k in ("cluster", "region", "suppliers", "customers", "located")
    }
    base, on_map = base_network(kg), map_network(kg)
    q = urlencode
    out: list[dict[str, str]] = []
    slug = iri[len(str(ID)) + len("cluster/") :] if iri.startswith(str(ID) + "cluster/") else ""
    if flag["cluster"]:
        if slug and "/" not in slug:
            out.append({"label": "Cluster dashboard", "href": f"/clusters/{slug}"})
        if iri in base:
            out.append(
                {
                    "label": "In the graph explorer",
                    "href": "/graph?" + q({"view": "cluster", "cluster": iri}),
                }
            )
        if iri in on_map:
            out.append({"label": "On the map", "href": "/graph?" + q({"view": "map", "sel": iri})})
        return out
    if flag["region"]:
        if flag["located"]:
            out.append(
                {
                    "label": "Enterprises and sites in this region",
                    "href": "/queries/enterprises-in-region?" + q({"region": iri}),
                }
            )
            out.append(
                {
                    "label": "Failure scenario: what fails if this region stops (map)",
                    "href": "/graph?" + q({"view": "map", "failregion": iri}),
                }
            )
        return out
    if iri in base:
        out.append(
            {
                "label": "In the graph explorer (its neighbourhood)",
                "href": "/graph?"
                + q({"view": "neighbourhood", "hops": 1, "node": iri, "sel": iri}),
            }
        )
    if iri in on_map:
        out.append(
            {"label": "On the map", "href": "/graph?" + q({"view": "map", "node": iri, "sel": iri})}
        )
    if flag["suppliers"]:
        out.append(
            {
                "label": "Who supplies it",
                "href": "/queries/enterprise-suppliers?" + q({"customer": iri}),
            }
        )
    if flag["customers"]:
        out.append(
            {
                "label": "Who it supplies",
                "href": "/queries/enterprise-customers?" + q({"supplier": iri}),
            }
        )
        if iri in on_map:
            out.append(
                {
                    "label": "Failure scenario: what fails if it stops (map)",
                    "href": "/graph?" + q({"view": "map", "fail": iri, "sel": iri}),
                }
            )
    return out

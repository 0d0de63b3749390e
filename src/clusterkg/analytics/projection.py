"""Knowledge graph -> networkx graphs, through SPARQL, so that every store backend works.

Three projections:

- :func:`supply_network`: a ``DiGraph`` supplier -> customer built from ``ck:SupplyLink`` nodes;
  one edge per ordered pair, carrying every link between them (item, annual value, source).
- :func:`cluster_network`: an undirected ``Graph`` of enterprises, universities, institutes,
  platforms, parks, policies and clusters with the relations between them.
- :func:`kg_multidigraph`: every IRI-to-IRI triple of the graph as a ``MultiDiGraph`` (key =
  predicate), for exploration.

Nodes are IRI strings; node attributes are ``label``, ``kind`` (the most specific clusterkg
class), ``cluster``, ``region``, ``within`` (the region and every region it is ``ck:partOf``),
``lat``/``long``, ``synthetic``, ``tier``, ``operator`` (for production sites), ``oem`` (a
vehicle maker: ``ck:VehicleManufacturer``, tier 0, or in the supply network a group of vehicle
makers, ``oem_group``: :func:`clusterkg.analytics.items.vehicle_maker_group`) and ``types``
(every stated clusterkg class).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypedDict

import networkx as nx
from rdflib import URIRef

from clusterkg.analytics import AnalyticsError, items
from clusterkg.store.results import QueryResult
from clusterkg.vocab import ANALYTICS_GRAPH, CK, GRAPH, PREFIXES, SYNTHETIC_GRAPH

#: Which named graphs a projection reads: the curated files, the synthetic network, or both.
GRAPH_CHOICES = ("curated", "synthetic", "all", "imports")

#: Most specific first: a node typed with several of these gets the first as its ``kind``.
KIND_ORDER = (
    "VehicleManufacturer",
    "BatteryMaker",
    "DriveMotorMaker",
    "ElectronicsMaker",
    "PowertrainMaker",
    "PartsSupplier",
    "Manufacturer",
    "TechnologyCompany",
    "ServiceCompany",
    "Enterprise",
    "SupplierGroup",
    "EnterpriseGroup",
    "ProductionSite",
    "University",
    "ResearchInstitute",
    "Platform",
    "IndustrialPark",
    "Policy",
    "GovernmentBody",
    "Association",
    "IndustrialCluster",
    "Collaboration",
)

#: The enterprise classes of :data:`KIND_ORDER` (``ck:Enterprise`` and its subclasses).
ENTERPRISE_KINDS = KIND_ORDER[: KIND_ORDER.index("Enterprise") + 1]

_PREFIX = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()) + "\n"

#: Generous limits for internal projection queries; the endpoint's own limits protect users.
PROJECTION_TIMEOUT = 120.0


class Queryable(Protocol):
    """A KnowledgeGraph or a QueryEngine: anything with the engine's ``query``."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = ...,
        timeout: float | None = ...,
        row_limit: int | None = ...,
    ) -> QueryResult: ...


def select(
    kg: Queryable, sparql: str, *, timeout: float = PROJECTION_TIMEOUT, bindings: dict | None = None
) -> list[dict[str, Any]]:
    """Rows of a SELECT as plain values, with the clusterkg prefixes and no row limit."""
    result = kg.query(_PREFIX + sparql, bindings=bindings, timeout=timeout, row_limit=None)
    return result.records()


#: Field, row and marker characters of packed rows; IRIs cannot contain them, labels do not.
_SEP = "\\u001F"
_ROW = "\\u001E"
_BOUND = "="


def packed_select(kg: Queryable, variables: list[str], where: str) -> list[tuple[str | None, ...]]:
    """The distinct rows of ``SELECT ?v1 ?v2 ... WHERE { where }`` as tuples of lexical forms
    (``None`` where unbound).

    The whole answer comes back as ONE string literal built in SPARQL: each row is a
    ``CONCAT`` of the variables' ``STR`` (marked so that unbound differs from empty), and the
    rows are joined with ``GROUP_CONCAT``. Turning result terms into Python objects dominated
    the projection of the national network (about 1 s per 10,000 rows of seven terms); a
    single term makes it negligible, on every backend. Numbers and language tags are the
    caller's to parse (``STR`` gives the lexical form).
    """
    fields = f', "{_SEP}", '.join(f'COALESCE(CONCAT("{_BOUND}", STR(?{v})), "")' for v in variables)
    sparql = (
        f'SELECT (GROUP_CONCAT(?row; separator="{_ROW}") AS ?rows) WHERE {{ '
        f"SELECT DISTINCT (CONCAT({fields}) AS ?row) WHERE {{ {where} }} }}"
    )
    rows = select(kg, sparql)
    text = str(rows[0]["rows"]) if rows and rows[0].get("rows") is not None else ""
    if not text:
        return []
    out = []
    for line in text.split("\x1e"):
        parts = line.split("\x1f")
        if len(parts) != len(variables):  # a value holding a separator: refuse, never misread
            raise AnalyticsError(f"a value contains a control character (U+001E/U+001F): {line!r}")
        out.append(tuple(p[1:] if p else None for p in parts))
    return out


def named_graph_selection(selection: str) -> str | None:
    """The named graph IRI a ``--graph`` value names (an IRI, or ``graph/NAME`` for the
    clusterkg graph namespace, as ``clusterkg stats`` lists them), or None for a choice of
    :data:`GRAPH_CHOICES`."""
    if selection in GRAPH_CHOICES:
        return None
    if selection.startswith(("http://", "https://")):
        return selection
    if selection.startswith("graph/"):
        return str(GRAPH) + selection[len("graph/") :]
    return None


def needs_synthetic(selection: str) -> bool:
    """Whether a ``--graph`` value asks for the synthetic network (generated when absent)."""
    return selection in ("synthetic", "all")


def graph_filter(selection: str) -> tuple[str, ...]:
    """Validate a ``--graph`` value; returns it as a 1-tuple for callers' messages.

    ``curated`` (every graph but the synthetic and analytics ones), ``synthetic``, ``all``,
    ``imports`` (the graphs ``clusterkg import`` wrote into a store: a user's own network,
    without the bundled nodes), or one named graph by IRI or ``graph/NAME``.
    """
    if selection not in GRAPH_CHOICES and named_graph_selection(selection) is None:
        raise AnalyticsError(
            f"unknown graph selection {selection!r}: use one of {', '.join(GRAPH_CHOICES)}, "
            "or a named graph (its IRI or graph/NAME, as `clusterkg stats` lists them)"
        )
    return (selection,)


def _graph_selected(graph: str | None, selection: str) -> bool:
    if graph == str(ANALYTICS_GRAPH):
        return False
    is_synthetic = graph == str(SYNTHETIC_GRAPH)
    if selection == "curated":
        return not is_synthetic
    if selection == "synthetic":
        return is_synthetic
    if selection == "imports":
        return bool(graph) and str(graph).startswith(str(GRAPH) + "import-")
    named = named_graph_selection(selection)
    if named is not None:
        return graph == named
    return True


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _pick_label(current: tuple[int, str] | None, row: dict) -> tuple[int, str]:
    # English or untagged labels win over other languages; among equals the smallest text,
    # so that the choice does not depend on the store's row order.
    lang = row.get("lang") or ""
    rank = 0 if lang in ("", "en") else 1
    cand = (rank, str(row["v"]))
    return cand if current is None or cand < current else current


def region_ancestors(kg: Queryable) -> dict[str, set[str]]:
    """For every region, the set of itself and every region it lies in (``ck:partOf`` closure)."""
    rows = select(kg, "SELECT DISTINCT ?r ?p WHERE { ?r ck:partOf ?p }")
    up: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        up[row["r"]].add(row["p"])
    closure: dict[str, set[str]] = {}

    def walk(r: str, seen: frozenset) -> set[str]:
        if r in closure:
            return closure[r]
        out = {r}
        for p in up.get(r, ()):
            if p not in seen:
                out |= walk(p, seen | {p})
        closure[r] = out
        return out

    for r in list(up):
        walk(r, frozenset({r}))
    return closure


def class_ancestors(kg: Queryable) -> dict[str, set[str]]:
    """For every clusterkg class (local name), itself and its clusterkg superclasses
    (``rdfs:subClassOf`` closure), so that selecting PartsSupplier includes battery makers."""
    up: dict[str, set[str]] = defaultdict(set)
    ck = str(CK)
    for c, p in packed_select(kg, ["c", "p"], "?c rdfs:subClassOf ?p"):
        if c and p and c.startswith(ck) and p.startswith(ck):
            up[c[len(ck) :]].add(p[len(ck) :])
    closure: dict[str, set[str]] = {}
    for c in list(up):
        seen, stack = {c}, [c]
        while stack:
            for p in up.get(stack.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        closure[c] = seen
    return closure


def item_broader(kg: Queryable) -> dict[str, set[str]]:
    """Each item concept and every concept it is (transitively) ``skos:broader`` than."""
    out: dict[str, set[str]] = defaultdict(set)
    for i, b in packed_select(kg, ["i", "b"], "?i skos:broader+ ?b"):
        if i is not None and b is not None:
            out[i].add(b)
    return dict(out)


def region_labels(kg: Queryable) -> dict[str, str]:
    """The label of every region in the ``ck:partOf`` hierarchy (English or untagged first)."""
    labels: dict[str, tuple[int, str]] = {}
    for r, v, lang in packed_select(
        kg,
        ["r", "v", "lang"],
        "{ ?r ck:partOf ?x } UNION { ?x ck:partOf ?r } ?r rdfs:label ?v BIND(LANG(?v) AS ?lang)",
    ):
        if r is not None:  # bound by the pattern; the packed rows type it as optional
            labels[r] = _pick_label(labels.get(r), {"v": v, "lang": lang})
    return {r: text for r, (_rank, text) in labels.items()}


def _within(region: str | None, ancestors: dict[str, set[str]]) -> list[str]:
    if not region:
        return []
    return sorted(ancestors.get(region, {region}))


def _node_attributes(
    kg: Queryable,
    nodes: Iterable[str],
    ancestors: dict[str, set[str]],
) -> dict[str, dict[str, Any]]:
    """Label, kind, cluster, region, coordinates, tier and markers of ``nodes`` (and operators)."""
    wanted = set(nodes)
    attrs: dict[str, dict[str, Any]] = {n: {"iri": n} for n in wanted}
    # One small query per attribute: a single query with many OPTIONALs would multiply rows.
    queries = {
        "types": "?n a ?v . FILTER(STRSTARTS(STR(?v), STR(ck:)))",
        "labels": "?n rdfs:label ?v BIND(LANG(?v) AS ?lang)",
        "clusters": "?n ck:memberOf ?v",
        "regions": "?n ck:locatedIn ?v",
        "operators": "?n ck:operatedBy ?v",
        "outside": "?n ck:locatedOutside ?v",
        "tiers": "?n ck:tier ?v",
        "lat": "?n wgs84:lat ?v",
        "long": "?n wgs84:long ?v",
    }
    # (node, value, language tag) per attribute; every pattern binds ?n and ?v, which the
    # packed rows type as optional.
    got: dict[str, list[tuple[str, str, str | None]]] = {
        name: [
            (n, v, rest[0] if rest else None)
            for n, v, *rest in packed_select(
                kg, ["n", "v", "lang"] if name == "labels" else ["n", "v"], q
            )
            if n is not None and v is not None
        ]
        for name, q in queries.items()
    }
    labels: dict[str, tuple[int, str]] = {}
    for n, v, lang in got["labels"]:
        labels[n] = _pick_label(labels.get(n), {"v": v, "lang": lang})
    types: dict[str, set[str]] = defaultdict(set)
    for n, v, _lang in got["types"]:
        types[n].add(v[len(str(CK)) :])
    multi: dict[str, dict[str, list[str]]] = {
        k: defaultdict(list) for k in ("clusters", "regions", "operators", "outside")
    }
    for key in multi:
        for n, v, _lang in got[key]:
            multi[key][n].append(v)
    scalar = {k: {n: _num(v) for n, v, _lang in got[k]} for k in ("tiers", "lat", "long")}
    supers = class_ancestors(kg)

    for n, a in attrs.items():
        kinds = types.get(n, set())
        a["label"] = labels[n][1] if n in labels else n.rsplit("/", 1)[-1]
        a["kind"] = next((k for k in KIND_ORDER if k in kinds), None)
        # every stated ck: class and its ck: superclasses, for selection by class
        a["types"] = sorted({u for k in kinds for u in supers.get(k, {k})})
        a["synthetic"] = "SyntheticEntity" in kinds
        operator = sorted(multi["operators"].get(n, []))
        a["operator"] = operator[0] if operator else None
        # a firm not itself in the network is named by its label too ("CATL": its plants)
        a["operator_label"] = labels[a["operator"]][1] if a["operator"] in labels else None
        # a site is of its operator's kind for selection (a BatteryMaker's plant is a battery
        # plant): every ck: class of the operator, with superclasses
        a["operator_types"] = sorted(
            {u for k in types.get(a["operator"] or "", ()) for u in supers.get(k, {k})}
        )
        clusters = sorted(multi["clusters"].get(n, []))
        if not clusters and a["operator"]:
            clusters = sorted(multi["clusters"].get(a["operator"], []))
        a["cluster"] = clusters[0] if clusters else None
        a["clusters"] = clusters
        regions = sorted(multi["regions"].get(n, []))
        if not regions and a["operator"]:
            regions = sorted(multi["regions"].get(a["operator"], []))
        a["region"] = regions[0] if regions else None
        a["within"] = sorted({w for r in regions for w in _within(r, ancestors)})
        a["outside"] = sorted(multi["outside"].get(n, []))
        tier = scalar["tiers"].get(n)
        a["tier"] = int(tier) if tier is not None else None
        a["oem"] = a["kind"] == "VehicleManufacturer" or a["tier"] == 0
        lat, long = scalar["lat"].get(n), scalar["long"].get(n)
        if lat is None and a["region"]:
            lat, long = scalar["lat"].get(a["region"]), scalar["long"].get(a["region"])
        a["lat"], a["long"] = lat, long
    return attrs


def cluster_info(
    kg: Queryable,
    ancestors: dict[str, set[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every ``ck:IndustrialCluster`` with its label and covered regions (``ck:coversRegion``)."""
    rows = select(
        kg,
        """SELECT ?c ?label ?r WHERE { ?c a ck:IndustrialCluster .
        OPTIONAL { ?c rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) }
        OPTIONAL { ?c ck:coversRegion ?r } }""",
    )
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        c = out.setdefault(row["c"], {"label": row["label"] or row["c"], "covers": set()})
        if row["label"] and str(row["label"]) < str(c["label"]) and c["label"] != row["c"]:
            c["label"] = row["label"]
        if row["r"]:
            c["covers"].add(row["r"])
    for c in out.values():
        c["covers"] = sorted(c["covers"])
        c["label"] = str(c["label"])
    return out


class _StatedLink(TypedDict):
    """One ``ck:SupplyLink`` as :func:`supply_network` reads it (IRIs and values as text)."""

    iri: str
    supplier: str
    customer: str
    item: str | None
    value: float | None
    source: str | None
    graph: str


def _smallest(current: str | None, new: str | None) -> str | None:
    # The smaller of two optional values, an unknown one losing to any known one.
    if new is not None and (current is None or new < current):
        return new
    return current


def supply_network(kg: Queryable, graphs: str = "curated") -> nx.DiGraph:
    """The supply network: supplier -> customer, one edge per pair of parties.

    Edge attributes: ``links`` (each stated link: ``iri``, ``item``, ``value`` in CNY or
    ``None``, ``source``, ``graph``), ``items`` (sorted), ``value`` (sum of the known annual
    values, ``None`` when no link states one) and ``weight`` (the same sum, 0 when unknown, for
    value-weighted measures). ``G.graph`` records the graph selection, whether synthetic data
    was used, and the clusters with their regions.
    """
    graph_filter(graphs)
    fields = ["g", "link", "s", "c", "item", "value", "src"]
    rows = packed_select(
        kg,
        fields,
        """GRAPH ?g {
        ?link a ck:SupplyLink ; ck:supplier ?s ; ck:customer ?c .
        OPTIONAL { ?link ck:suppliedItem ?item }
        OPTIONAL { ?link ck:annualValueCNY ?value }
        OPTIONAL { ?link prov:wasDerivedFrom ?src } }""",
    )
    links: dict[str, _StatedLink] = {}
    for g, iri, s, c, item, value, src in rows:
        # ?g, ?link, ?s and ?c are bound by the pattern; the packed rows type them as optional
        if g is None or iri is None or s is None or c is None:
            continue
        if not _graph_selected(g, graphs):
            continue
        # A link with several items or sources gives several rows: keep the smallest of each,
        # so that the projection does not depend on row order.
        cur = links.get(iri)
        if cur is None:
            links[iri] = {
                "iri": iri,
                "supplier": s,
                "customer": c,
                "item": item,
                "value": _num(value),
                "source": src,
                "graph": g,
            }
        else:
            cur["item"] = _smallest(cur["item"], item)
            cur["source"] = _smallest(cur["source"], src)
    ancestors = region_ancestors(kg)
    G: nx.DiGraph = nx.DiGraph()
    nodes = {x for link in links.values() for x in (link["supplier"], link["customer"])}
    attrs = _node_attributes(kg, nodes, ancestors)
    for n in sorted(nodes):
        G.add_node(n, **attrs[n])
    for iri in sorted(links):
        link = links[iri]
        s, c = link["supplier"], link["customer"]
        if not G.has_edge(s, c):
            G.add_edge(s, c, links=[], items=[], value=None, weight=0.0)
        data = G.edges[s, c]
        data["links"].append({k: link[k] for k in ("iri", "item", "value", "source", "graph")})
        if link["item"] and link["item"] not in data["items"]:
            data["items"] = sorted(data["items"] + [link["item"]])
        if link["value"] is not None:
            data["value"] = (data["value"] or 0.0) + link["value"]
            data["weight"] = data["value"]
    broader = item_broader(kg)
    for n, a in G.nodes(data=True):
        # a group of vehicle makers (items.vehicle_maker_group) is a customer of vehicle-making
        # kind: it counts as an OEM
        bought = (link["item"] for p in G._pred[n].values() for link in p["links"])
        sold = (link["item"] for c in G._succ[n].values() for link in c["links"])
        a["oem_group"] = not a["oem"] and items.vehicle_maker_group(
            a["kind"], bought, sold, broader
        )
        a["oem"] = a["oem"] or a["oem_group"]
    G.graph.update(
        graphs=graphs,
        services=items.services_of(broader),
        region_labels=region_labels(kg),
        synthetic=any(link["graph"] == str(SYNTHETIC_GRAPH) for link in links.values()),
        clusters=cluster_info(kg, ancestors),
    )
    return G


#: The named graph of generated links, as the ``graph`` of a link of :func:`supply_network`.
SYNTHETIC_LINK_GRAPH = str(SYNTHETIC_GRAPH)


def synthetic_links_on(G: nx.DiGraph, s: str, c: str) -> int:
    """How many links of the edge ``s -> c`` are generated: stated in the synthetic graph, or
    with a synthetic (``ck:SyntheticEntity``) end. A real node is not itself synthetic; a
    figure that counts or follows such a link is (docs/analytics.md, "Synthetic data in
    results")."""
    data = G._succ[s][c]
    links = data.get("links") or ()
    if G._node[s].get("synthetic") or G._node[c].get("synthetic"):
        return len(links) or 1
    return sum(1 for link in links if link.get("graph") == SYNTHETIC_LINK_GRAPH)


def synthetic_inbound(G: nx.DiGraph) -> dict[str, int]:
    """Per node, the generated links among its inbound links (:func:`synthetic_links_on`)."""
    return {v: sum(synthetic_links_on(G, s, v) for s in G._pred[v]) for v in G}


def synthetic_outbound(G: nx.DiGraph) -> dict[str, int]:
    """Per node, the generated links among its outbound links (:func:`synthetic_links_on`)."""
    return {s: sum(synthetic_links_on(G, s, c) for c in G._succ[s]) for s in G}


def synthetic_link_total(G: nx.DiGraph) -> int:
    """The generated links of the whole network (what a figure over all of it rests on)."""
    return sum(synthetic_outbound(G).values())


def synthetic_components(G: nx.DiGraph) -> dict[str, int]:
    """Per node, the generated links of its weakly connected component (plus one per synthetic
    node without links there): figures that follow paths (betweenness, closeness, cuts,
    articulation points) depend on every link of the component. A synthetic node always has a
    link, and every link at a synthetic node counts, so 0 means: no generated data there."""
    out: dict[str, int] = {}
    for comp in nx.weakly_connected_components(G):
        n = sum(synthetic_links_on(G, s, c) for s in comp for c in G._succ[s])
        out.update(dict.fromkeys(comp, n))
    return out


#: Relations of the cluster network: property -> relation name.
CLUSTER_RELATIONS = {
    "memberOf": "member of",
    "collaboratesWith": "collaborates with",
    "jointVentureOf": "joint venture of",
    "subsidiaryOf": "subsidiary of",
    "affiliatedWith": "affiliated with",
    "operatedBy": "operated by",
    "targets": "targets",
    "issuedBy": "issued by",
}
CLUSTER_KINDS = (
    "Enterprise",
    "EnterpriseGroup",
    "ProductionSite",
    "University",
    "ResearchInstitute",
    "Platform",
    "IndustrialPark",
    "Policy",
    "GovernmentBody",
    "Association",
    "IndustrialCluster",
)


def cluster_network(kg: Queryable, graphs: str = "curated") -> nx.Graph:
    """The cluster network: organisations, parks, platforms, policies and clusters, undirected.

    Edges come from the direct relations in :data:`CLUSTER_RELATIONS`, from supply links
    (supplier -- customer) and from collaborations (every pair of participants). Edge attribute
    ``relations`` lists the relation names behind an edge.
    """
    graph_filter(graphs)
    kinds = " ".join(f"ck:{k}" for k in CLUSTER_KINDS)
    props = " ".join(f"ck:{p}" for p in CLUSTER_RELATIONS)
    rows = select(
        kg,
        f"""SELECT DISTINCT ?g ?s ?p ?o WHERE {{
        VALUES ?p {{ {props} }}
        VALUES ?ks {{ {kinds} }} VALUES ?ko {{ {kinds} }}
        GRAPH ?g {{ ?s ?p ?o }}
        ?s a/rdfs:subClassOf* ?ks . ?o a/rdfs:subClassOf* ?ko }}""",
    )
    rows += select(
        kg,
        """SELECT DISTINCT ?g ?s ?o (ck:SupplyLink AS ?p) WHERE { GRAPH ?g {
        ?l a ck:SupplyLink ; ck:supplier ?s ; ck:customer ?o } }""",
    )
    rows += select(
        kg,
        """SELECT DISTINCT ?g ?s ?o (ck:Collaboration AS ?p) WHERE { GRAPH ?g {
        ?l ck:participant ?s , ?o FILTER(STR(?s) < STR(?o)) } }""",
    )
    names = {
        **{str(CK[p]): r for p, r in CLUSTER_RELATIONS.items()},
        str(CK.SupplyLink): "supplies",
        str(CK.Collaboration): "collaboration",
    }
    G: nx.Graph = nx.Graph()
    for row in sorted(rows, key=lambda r: (r["s"], r["o"], r["p"])):
        if not _graph_selected(row["g"], graphs) or row["s"] == row["o"]:
            continue
        if not G.has_edge(row["s"], row["o"]):
            G.add_edge(row["s"], row["o"], relations=[])
        rel = names.get(row["p"], row["p"])
        if rel not in G.edges[row["s"], row["o"]]["relations"]:
            G.edges[row["s"], row["o"]]["relations"].append(rel)
    attrs = _node_attributes(kg, G.nodes, region_ancestors(kg))
    nx.set_node_attributes(G, attrs)
    G.graph.update(graphs=graphs)
    return G


def kg_multidigraph(kg: Queryable, graphs: str = "curated") -> nx.MultiDiGraph:
    """Every triple whose object is an IRI, as ``subject -> object`` with ``key = predicate``.

    Node attributes: ``label`` and ``types`` (all ``rdf:type`` IRIs). Literal-valued triples
    stay in the graph for SPARQL; only labels are copied here.
    """
    graph_filter(graphs)
    rows = select(
        kg,
        """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o
        FILTER(isIRI(?s) && isIRI(?o) && ?p != rdf:type) } }""",
    )
    G: nx.MultiDiGraph = nx.MultiDiGraph()
    for row in rows:
        if _graph_selected(row["g"], graphs):
            G.add_edge(row["s"], row["o"], key=row["p"], graph=row["g"])
    types: dict[str, list[str]] = defaultdict(list)
    for row in select(kg, "SELECT DISTINCT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?t)) }"):
        if row["s"] in G:
            types[row["s"]].append(row["t"])
    labels: dict[str, tuple[int, str]] = {}
    for row in select(kg, "SELECT ?n ?v (LANG(?v) AS ?lang) WHERE { ?n rdfs:label ?v }"):
        if row["n"] in G:
            labels[row["n"]] = _pick_label(labels.get(row["n"]), row)
    for n in G.nodes:
        G.nodes[n]["label"] = labels[n][1] if n in labels else n
        G.nodes[n]["types"] = sorted(types.get(n, []))
    G.graph.update(graphs=graphs)
    return G


def resolve_region(kg: Queryable, label_or_iri: str) -> str:
    """The IRI of the region named by ``label_or_iri`` (an IRI, a slug, a label or alt label).

    Matching is case-insensitive on ``rdfs:label`` and ``skos:altLabel``; an unknown or
    ambiguous name raises :class:`AnalyticsError` listing close candidates.
    """
    text = label_or_iri.strip()
    if text.startswith(("http://", "https://")):
        rows = select(
            kg, "SELECT ?r WHERE { ?r a/rdfs:subClassOf* ck:Region }", bindings={"r": text}
        )
        if rows:
            return text
        raise AnalyticsError(f"no region with IRI {text}")
    rows = select(
        kg,
        """SELECT DISTINCT ?r ?name WHERE { ?r a/rdfs:subClassOf* ck:Region ;
        rdfs:label|skos:altLabel ?name }""",
    )
    key = text.casefold()
    slug = key.replace(" ", "-")
    hits = sorted(
        {
            r["r"]
            for r in rows
            if str(r["name"]).casefold() == key or r["r"].rsplit("/", 1)[-1] == slug
        }
    )
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise AnalyticsError(f"region name {text!r} is ambiguous: {', '.join(hits)}")
    near = sorted(
        {str(r["name"]) for r in rows if key[:4] and key[:4] in str(r["name"]).casefold()}
    )
    hint = f" (did you mean: {', '.join(near[:8])}?)" if near else ""
    raise AnalyticsError(f"no region named {text!r}{hint}")


def located_entities(kg: Queryable, region: str, graphs: str = "all") -> list[dict[str, Any]]:
    """Every entity of the KG located in ``region`` or a region (transitively) part of it,
    with its label: what a region scenario means, whether or not the entity has supply links.

    ``graphs`` keeps to the network a scenario runs on: ``curated`` leaves out the
    ``ck:SyntheticEntity`` nodes (a store may hold both), ``synthetic`` keeps only them.
    """
    only = {
        "curated": "FILTER NOT EXISTS { ?n a ck:SyntheticEntity }",
        "synthetic": "?n a ck:SyntheticEntity .",
    }.get(graphs, "")
    rows = packed_select(
        kg,
        ["n", "label", "lang"],
        # rdflib's n3() escapes the IRI (and refuses an invalid one), as engine.bind_values does
        f"""VALUES ?region {{ {URIRef(region).n3()} }}
        ?n ck:locatedIn ?r . ?r ck:partOf* ?region . {only}
        OPTIONAL {{ ?n rdfs:label ?label BIND(LANG(?label) AS ?lang) }}""",
    )
    labels: dict[str, tuple[int, str]] = {}
    for n, label, lang in rows:
        if n is None:  # bound by the pattern; the packed rows type it as optional
            continue
        if label is not None:
            labels[n] = _pick_label(labels.get(n), {"v": label, "lang": lang})
        else:
            labels.setdefault(n, (2, n.rsplit("/", 1)[-1]))
    return [{"iri": n, "label": labels[n][1]} for n in sorted(labels)]


def resolve_nodes(G: nx.Graph, names: Iterable[str]) -> list[str]:
    """Node IRIs for IRIs, slugs (``enterprise/catl``) or labels; unknown names are an error.

    A firm that is not itself in the network but operates a production site that is (CATL and
    its Yibin plant) resolves to the firm's IRI, by IRI, slug or label ("CATL", "Geely"), so
    that removing it removes its sites; a node's own label wins over an operator's.
    """
    by_label: dict[str, set[str]] = defaultdict(set)
    for n, a in G.nodes(data=True):
        by_label[str(a.get("label", "")).casefold()].add(n)
    operators = sorted({a["operator"] for _, a in G.nodes(data=True) if a.get("operator")})
    for _, a in G.nodes(data=True):
        # an operator's label names the operator (and so its sites), unless a node has it
        if a.get("operator") and a.get("operator_label"):
            key = str(a["operator_label"]).casefold()
            if not (by_label.get(key, set()) - set(operators)):
                by_label[key].add(a["operator"])
    out: list[str] = []
    for name in names:
        text = name.strip()
        if text in G or text in operators:
            out.append(text)
            continue
        tail = [n for n in list(G.nodes) + operators if n.endswith("/" + text)]
        found = sorted(set(tail)) or sorted(by_label.get(text.casefold(), []))
        if len(found) != 1:
            what = "ambiguous" if found else "not in the supply network"
            raise AnalyticsError(
                f"{text!r} is {what}" + (f": {', '.join(sorted(found))}" if found else "")
            )
        out.append(found[0])
    return out

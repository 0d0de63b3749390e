"""HTML pages for people (home, graph explorer, query editor, cluster dashboards) and the JSON
routes the explorer draws from (``/api/graph``, ``/api/search``, ``/api/node``, scenario and
export). Routes parse the request, call one function, and render its result.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx
from flask import Blueprint, Response, jsonify, render_template, request, url_for

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.layout import LAYOUTS
from clusterkg.analytics.scenarios import run_scenario
from clusterkg.vocab import ID
from clusterkg.web import dashboards
from clusterkg.web import graph_data as gd
from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError
from clusterkg.web.lookup import node_detail, search

bp = Blueprint("pages", __name__)

EXPORT_FORMATS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "jsonld": ("application/ld+json", "jsonld"),
}


def _spec() -> gd.ViewSpec:
    args = request.args
    try:
        hops = int(args.get("hops", "1"))
    except ValueError:
        raise ApiError(400, f"hops must be 1, 2 or 3 (got {args.get('hops')!r})") from None
    view = args.get("view") or (
        "neighbourhood" if args.get("node") and not args.get("cluster") else "overview"
    )
    if args.get("cluster") and not args.get("view"):
        view = "cluster"
    spec = gd.ViewSpec(
        view=view,
        cluster=args.get("cluster") or None,
        node=args.get("node") or None,
        hops=hops,
        layout=args.get("layout") or "force",
        query=args.get("query") or None,
    )
    try:
        spec.check()
    except gd.ViewError as exc:
        raise ApiError(exc.status, str(exc)) from None
    return spec


# ---------------------------------------------------------------------------------- pages


@bp.route("/")
def home() -> str:
    """What is in the graph, the entry points, and how to query it from code."""
    kg = get_kg()
    return render_template(
        "home.html",
        classes=dashboards.class_counts(kg),
        sources=dashboards.sources(kg),
        triples=kg.backend.count(),
        base=request.host_url.rstrip("/"),
    )


@bp.route("/graph")
def graph() -> str:
    """The graph explorer; its state lives in the query string (see static/explorer.js)."""
    kg = get_kg()
    labels = gd.base_network(kg)
    clusters = sorted(
        (
            (n, str(a.get("label", n)))
            for n, a in labels.nodes(data=True)
            if a.get("kind") == "IndustrialCluster"
        ),
        key=lambda t: (t[0] not in gd.AUTO_CLUSTERS, t[1]),
    )
    return render_template(
        "graph.html",
        clusters=clusters,
        layouts=LAYOUTS,
        metrics=gd.SIZE_METRICS,
        views=[v for v in gd.VIEWS if v != "query"],
    )


@bp.route("/query")
def query_page() -> str:
    """The query editor; it runs queries through /sparql and the named queries."""
    return render_template("query.html", **query_context())


def query_context() -> dict[str, Any]:
    """What the query page template needs (also used by the endpoint's HTML answer)."""
    from clusterkg.queries import load_queries

    kg = get_kg()
    found = load_queries(kg.settings.query_dirs)
    items = found.values() if isinstance(found, dict) else found
    named = [
        {
            "name": q.name,
            "title": getattr(q, "title", None) or q.name,
            "description": getattr(q, "description", "") or "",
            "text": getattr(q, "text", ""),
            "parameters": [
                {
                    "name": p.name,
                    "type": getattr(p, "type", "string"),
                    "description": getattr(p, "description", ""),
                    "default": getattr(p, "default", None),
                }
                for p in (getattr(q, "parameters", None) or [])
                if not isinstance(p, str)
            ],
        }
        for q in sorted(items, key=lambda q: q.name)
    ]
    return {"named": named, "settings": kg.settings}


@bp.route("/clusters")
def clusters() -> str:
    """The six automobile clusters compared: counts, ratios, NEV output, charging piles."""
    return render_template("clusters.html", **dashboards.comparison(get_kg()))


@bp.route("/clusters/<slug>")
def cluster(slug: str) -> str:
    """One cluster's dashboard."""
    kg = get_kg()
    iri = str(ID[f"cluster/{slug}"])
    data = dashboards.cluster_dashboard(kg, iri)
    if data is None:
        raise ApiError(404, f"no cluster {iri} in this knowledge graph; see /clusters")
    return render_template("cluster.html", **data)


# ------------------------------------------------------------------------------ JSON routes


@bp.route("/api/graph")
def api_graph() -> Response:
    """A view of the graph: nodes with positions, sizes and communities, and edges."""
    spec = _spec()
    try:
        return jsonify(gd.view(get_kg(), spec))
    except gd.ViewError as exc:
        raise ApiError(exc.status, str(exc)) from None
    except AnalyticsError as exc:
        raise ApiError(400, str(exc)) from None


@bp.route("/api/search")
def api_search() -> Response:
    """Resources whose label or alias contains ``q``."""
    q = request.args.get("q", "")
    if len(q) > 200:
        raise ApiError(400, "the search text is longer than 200 characters")
    return jsonify({"q": q, "hits": search(get_kg(), q)})


@bp.route("/api/node")
def api_node() -> Response:
    """Facts, links and verbatim source quotes of one resource (``iri=``)."""
    iri = request.args.get("iri", "")
    try:
        gd.check_iri(iri)
    except gd.ViewError as exc:
        raise ApiError(400, str(exc)) from None
    detail = node_detail(get_kg(), iri)
    if detail is None:
        raise ApiError(404, f"no resource {iri} in this knowledge graph")
    return jsonify(detail)


@bp.route("/api/graph/scenario", methods=["POST"])
def api_scenario() -> Response:
    """A disruption scenario on the supply network the explorer shows.

    Body (JSON): ``remove`` (node IRIs), ``regions`` (region IRIs), ``network``
    (``curated`` or ``synthetic``), optional ``mode``/``theta`` as in
    :func:`clusterkg.analytics.scenarios.run_scenario`.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, 'send the scenario as a JSON object: {"remove": [IRI, ...]}')
    remove = body.get("remove") or []
    regions = body.get("regions") or []
    if not all(isinstance(x, str) for x in [*remove, *regions]):
        raise ApiError(400, "remove and regions must be lists of IRIs")
    network = body.get("network", "curated")
    if network not in ("curated", "synthetic"):
        raise ApiError(400, "network must be curated or synthetic")
    kg = get_kg()
    G = gd.synthetic_supply(kg) if network == "synthetic" else gd.curated_supply(kg)
    base = gd.base_network(kg)
    # Firms that are in the explorer but not in the supply network cannot fail in it.
    operators = {a.get("operator") for _, a in G.nodes(data=True)}
    usable = [n for n in remove if n in G or n in operators]
    ignored = sorted(set(remove) - set(usable))
    if not usable and not regions:
        names = ", ".join(str(base.nodes[n].get("label", n)) if n in base else n for n in ignored)
        raise ApiError(
            400,
            f"none of the selected nodes is in the {network} supply network ({names}); "
            "choose suppliers or customers of a supply link",
        )
    try:
        report = run_scenario(
            G,
            remove=usable,
            remove_regions=regions,
            mode=body.get("mode", "and"),
            theta=float(body.get("theta", 0.5)),
        )
    except (AnalyticsError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    out = report.to_dict()
    out["ignored"] = ignored
    out["labels"] = {
        n: str(G.nodes[n].get("label", n)) for n in set(report.failed) | set(report.removed)
    }
    return jsonify(out)


@bp.route("/api/graph/export")
def api_export() -> Response:
    """The current view's subgraph as GraphML, GEXF (for Gephi) or JSON-LD."""
    fmt = request.args.get("format", "")
    if fmt not in EXPORT_FORMATS:
        raise ApiError(400, f"format must be one of {', '.join(EXPORT_FORMATS)} (got {fmt!r})")
    spec = _spec()
    kg = get_kg()
    try:
        G = gd.view_graph(kg, spec)
    except gd.ViewError as exc:
        raise ApiError(exc.status, str(exc)) from None
    mime, ext = EXPORT_FORMATS[fmt]
    if fmt == "jsonld":
        body = _jsonld(kg, list(G.nodes))
    else:
        H = _plain_graph(G)
        text = "\n".join(nx.generate_graphml(H) if fmt == "graphml" else nx.generate_gexf(H))
        body = text.encode("utf-8")
    name = f"clusterkg-{spec.view}.{ext}"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _plain_graph(G: nx.Graph) -> nx.Graph:
    """A copy with only string/number attributes, which GraphML and GEXF can hold."""
    H = nx.DiGraph() if G.is_directed() else nx.Graph()
    for n, a in G.nodes(data=True):
        H.add_node(
            n,
            label=str(a.get("label", n)),
            kind=str(a.get("kind") or ""),
            cluster=str(a.get("cluster") or ""),
            region=str(a.get("region") or ""),
            synthetic=bool(a.get("synthetic")),
            **{k: float(a[k]) for k in ("lat", "long") if a.get(k) is not None},
        )
    for s, t, d in G.edges(data=True):
        rel = d.get("relations") or (["supplies"] if G.is_directed() else [])
        attrs: dict[str, Any] = {"relations": ", ".join(rel)}
        if d.get("value") is not None:
            attrs["value_cny"] = float(d["value"])
        H.add_edge(s, t, **attrs)
    return H


def _jsonld(kg: Any, nodes: list[str]) -> bytes:
    """The statements about ``nodes`` (as subjects) as JSON-LD, via rdflib's serializer."""
    from clusterkg.vocab import PREFIXES

    iris = [gd.check_iri(n) for n in nodes if n.startswith(("http://", "https://"))]
    if not iris:
        return b"[]"
    values = " ".join(f"<{n}>" for n in iris)
    result = kg.engine.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}",
        row_limit=None,
    )
    g = result.graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    context = {p: ns for p, ns in PREFIXES.items() if p in ("ck", "id", "rdfs", "prov", "skos")}
    return g.serialize(format="json-ld", context=context, indent=1).encode("utf-8")


@bp.app_template_filter("tojson_attr")
def _tojson_attr(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@bp.app_context_processor
def _nav() -> dict[str, Any]:
    return {
        "nav_links": [
            ("/", "Home"),
            ("/graph", "Graph explorer"),
            ("/query", "Query"),
            ("/clusters", "Clusters"),
            ("/queries", "Named queries"),
        ],
        "url_for": url_for,
    }

"""Every ``/api/*`` route: the explorer's views, search, node details and exports, and the JSON
analytics (centrality, resilience, scenario, indicators).

Thin: each route parses the request, calls one function of :mod:`clusterkg.views`,
:mod:`clusterkg.analytics` or :mod:`clusterkg.io`, and returns JSON (or the exported file).
Every analytics answer carries ``"synthetic"``: true when it used the synthetic network. The
networks are cached by the knowledge graph (``kg.cached``), per state of the store.

A graph selection with synthetic data (``synthetic``, ``all``) on a store without a synthetic
graph uses the generator's network (seed 0, scale 1), built in a private in-memory store
(:func:`clusterkg.views.explorer.supply`): the same answer on every route.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, Response, jsonify, request

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.projection import graph_filter, resolve_nodes
from clusterkg.views import analysis as an
from clusterkg.views import explorer as gd
from clusterkg.views.search import SEARCH_SCOPES, node_detail, search
from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_TOP = 10_000
#: Longest search text accepted.
MAX_SEARCH = 200

#: ``/api/graph/export?format=``: media type and file extension.
EXPORT_FORMATS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "jsonld": ("application/ld+json", "jsonld"),
}


def _check_graphs(graphs: Any) -> str:
    if not isinstance(graphs, str):
        raise ApiError(400, "graph must be a string: curated, synthetic, all, imports or a graph")
    try:
        graph_filter(graphs)
    except AnalyticsError as exc:
        raise ApiError(400, f"graph: {exc}") from None
    return str(graphs)


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ApiError(400, f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _spec() -> gd.ViewSpec:
    """The explorer view named by the query string (checked: a bad one is a 400 or 404)."""
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
    spec.check()
    return spec


# ------------------------------------------------------------------------ explorer routes


@bp.get("/graph")
def graph() -> Response:
    """A view of the graph: nodes with positions, sizes and communities, and edges."""
    return jsonify(gd.view(get_kg(), _spec()))


@bp.get("/query-editor")
def query_editor() -> Response:
    """What the query page's editor completes and offers, from the graph itself: prefixes,
    classes and properties, and the download formats per result kind."""
    from clusterkg.views.query_editor import editor_data

    resp = jsonify(editor_data(get_kg()))
    resp.headers["Cache-Control"] = "no-cache"  # revalidated: the vocabulary may change
    return resp


@bp.get("/regions")
def regions() -> Response:
    """Every region in which the graph locates something, with its label (the explorer's
    Region choices for filters and failure scenarios)."""
    return jsonify({"regions": gd.located_regions(get_kg())})


@bp.get("/search")
def api_search() -> Response:
    """Resources whose label or alias contains ``q``; ``scope=explorer``: only those the
    explorer can open."""
    q = request.args.get("q", "")
    if len(q) > MAX_SEARCH:
        raise ApiError(400, f"the search text is longer than {MAX_SEARCH} characters")
    scope = request.args.get("scope", "all")
    if scope not in SEARCH_SCOPES:
        raise ApiError(400, f"scope must be one of {', '.join(SEARCH_SCOPES)}, got {scope!r}")
    return jsonify({"q": q, "scope": scope, "hits": search(get_kg(), q, scope=scope)})


@bp.get("/node")
def node() -> Response:
    """Facts, links and verbatim source quotes of one resource (``iri=``)."""
    iri = gd.check_iri(request.args.get("iri", ""))
    detail = node_detail(get_kg(), iri)
    if detail is None:
        raise ApiError(404, f"no resource {iri} in this knowledge graph")
    return jsonify(detail)


@bp.get("/map/outlines")
def map_outlines() -> Response:
    """China's province outlines in the explorer's map frame, with their data's attribution."""
    from clusterkg.views import geomap

    try:
        body = geomap.outlines(geomap.province_names(get_kg()))
    except geomap.MapUnavailable as exc:
        raise ApiError(503, str(exc)) from None
    resp = jsonify(body)
    # The outlines change only with the installed package: let the browser keep them a day.
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


@bp.get("/graph/export")
def export() -> Response:
    """The current view's subgraph as GraphML, GEXF (for Gephi) or JSON-LD, written by
    :mod:`clusterkg.io`; GraphML and GEXF carry each node's drawn position (``x``, ``y``)."""
    from clusterkg.io.export import view_export

    fmt = request.args.get("format", "")
    if fmt not in EXPORT_FORMATS:
        raise ApiError(400, f"format must be one of {', '.join(EXPORT_FORMATS)} (got {fmt!r})")
    spec = _spec()
    kg = get_kg()
    body = view_export(kg, gd.positioned_graph(kg, spec), fmt)
    mime, ext = EXPORT_FORMATS[fmt]
    name = f"clusterkg-{spec.view}.{ext}"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# ----------------------------------------------------------------------- analytics routes


@bp.get("/centrality")
def centrality() -> Response:
    """Centrality scores, highest ``sort`` first (``?graph=&top=&seed=&k=&metric=&sort=``)."""
    from clusterkg.analytics.centrality import METRICS

    graphs = _check_graphs(request.args.get("graph", "curated"))
    metrics = tuple(request.args.getlist("metric")) or METRICS
    bad = [m for m in metrics if m not in METRICS]
    if bad:
        raise ApiError(400, f"unknown metric {', '.join(bad)}; known: {', '.join(METRICS)}")
    sort_by = request.args.get("sort", "betweenness" if "betweenness" in metrics else metrics[0])
    if sort_by not in metrics:
        raise ApiError(400, f"sort must be one of the requested metrics, got {sort_by!r}")
    top = _int_arg("top", 50, 1, MAX_TOP)
    seed, k = _int_arg("seed", 0, 0, 2**31), _int_arg("k", 256, 1, 100_000)
    kg = get_kg()
    network = gd.packed_supply(kg, graphs)
    G = gd.supply(kg, graphs)
    # In a query worker under the query time limit (betweenness of a large network is slow).
    res = kg.engine.call(an.centrality_rows, network, metrics, seed, k, sort_by, top)
    return jsonify(
        {
            "synthetic": G.graph["synthetic"],
            "graph": graphs,
            "nodes": network.nodes,
            "edges": network.edges,
            "method": res["method"],
            "notes": res["notes"],
            "rows": res["rows"],
        }
    )


@bp.get("/resilience")
def resilience() -> Response:
    """Sourcing, self-sufficiency, critical nodes, single points of failure (``?all_firms=1``
    for every firm, not only OEMs) and (``?robustness=1``) robustness R-indices."""
    graphs = _check_graphs(request.args.get("graph", "curated"))
    robustness = None
    if request.args.get("robustness") in ("1", "true", "yes"):
        robustness = (_int_arg("trials", 10, 1, 100), _int_arg("seed", 0, 0, 2**31))
    kg = get_kg()
    network = gd.packed_supply(kg, graphs)
    G = gd.supply(kg, graphs)
    all_firms = request.args.get("all_firms") in ("1", "true", "yes")
    # In a query worker under the query time limit: robustness and the single points of
    # failure of every firm rerun the cascade many times.
    report = kg.engine.call(an.resilience_report, network, all_firms, robustness)
    return jsonify({"synthetic": G.graph["synthetic"], "graph": graphs, **report})


#: Fields of a scenario body; the explorer's older names on the right are aliases.
SCENARIO_FIELDS = (
    "remove",
    "remove_regions",
    "keep_regions",
    "kinds",
    "clusters",
    "mode",
    "theta",
    "graph",
)
SCENARIO_ALIASES = {"regions": "remove_regions", "network": "graph"}


#: Cascade modes of a scenario (:func:`clusterkg.analytics.resilience.cascade`).
SCENARIO_MODES = ("and", "threshold")


def json_object(example: str) -> dict[str, Any]:
    """The request body as a JSON object; a 400 saying what is wrong otherwise.

    ``example`` is shown in the message. Python's parser raises ``RecursionError`` on deeply
    nested input (``[[[[...``) rather than a ``ValueError``: that is bad input too.
    """
    if not request.is_json:
        raise ApiError(
            400,
            f"send the body as Content-Type: application/json "
            f"(got {request.mimetype or 'no Content-Type'}), e.g. {example}",
        )
    try:
        body = json.loads(request.get_data())
    except RecursionError:
        raise ApiError(400, "the body is nested too deeply to be a request") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:  # with line and column / byte
        raise ApiError(400, f"the body is not JSON: {exc}") from None
    except ValueError:  # Python's cap on integer digits (4,300), in its own words otherwise
        raise ApiError(400, "the body holds a number too long to be a request") from None
    if not isinstance(body, dict):
        raise ApiError(
            400, f"the body must be a JSON object such as {example}, not {_json_type(body)}"
        )
    return body


def _json_type(value: Any) -> str:
    """The JSON name of ``value``'s type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _scenario_body() -> dict[str, Any]:
    """The scenario request, checked field by field, with the aliases replaced by their
    fields; a 400 naming the field for anything else."""
    body = json_object('{"remove": ["enterprise/catl"]}')
    allowed = set(SCENARIO_FIELDS) | set(SCENARIO_ALIASES)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(
            400, f"unknown field(s) {', '.join(unknown)}; use {', '.join(sorted(allowed))}"
        )
    out: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in body.items():
        name = SCENARIO_ALIASES.get(str(key), str(key))
        if name in out:
            raise ApiError(
                400,
                f"give {name} once: the body has both {spelled[name]} and {key} (the same field)",
            )
        out[name] = value
        spelled[name] = str(key)
    for key in ("remove", "remove_regions", "keep_regions", "kinds", "clusters"):
        value = out.setdefault(key, [])
        if not isinstance(value, list):
            raise ApiError(400, f"{key} must be a list of strings, not {_json_type(value)}")
        bad = next((i for i, v in enumerate(value) if not isinstance(v, str)), None)
        if bad is not None:
            raise ApiError(400, f"{key}[{bad}] must be a string, not {_json_type(value[bad])}")
    mode = out.setdefault("mode", "and")
    if mode not in SCENARIO_MODES or not isinstance(mode, str):
        raise ApiError(
            400, f"mode must be one of {', '.join(SCENARIO_MODES)}, not {json.dumps(mode)[:80]}"
        )
    theta = out.setdefault("theta", 0.5)
    if not isinstance(theta, (int, float)) or isinstance(theta, bool):
        raise ApiError(400, f"theta must be a number, not {_json_type(theta)}")
    if not math.isfinite(theta) or not 0 < theta <= 1:
        raise ApiError(400, f"theta must be a number in (0, 1], got {theta}")
    graph = out.get("graph", request.args.get("graph", "curated"))
    if not isinstance(graph, str):
        raise ApiError(400, f"graph must be a string, not {_json_type(graph)}")
    out["graph"] = _check_graphs(graph)
    return out


def _selection(kg: Any, G: Any, body: dict[str, Any], graphs: str) -> dict[str, Any]:
    """The scenario's arguments for :func:`run_scenario`, names resolved to IRIs."""
    from clusterkg.analytics.projection import located_entities, resolve_region
    from clusterkg.analytics.scenarios import resolve_clusters

    remove: list[str] = []
    ignored: dict[str, str] = {}  # name -> why it is not in the network
    for name in body["remove"]:
        try:
            remove.extend(resolve_nodes(G, [name]))
        except AnalyticsError as exc:
            ignored[name] = str(exc)
    criteria = ("remove_regions", "keep_regions", "kinds", "clusters")
    if ignored and not (remove or any(body[k] for k in criteria)):
        base = gd.base_network(kg)
        names = ", ".join(str(base.nodes[n].get("label", n)) if n in base else n for n in ignored)
        raise ApiError(
            400,
            f"none of the selected nodes is in the {graphs} supply network ({names}); "
            f"choose suppliers or customers of a supply link ({'; '.join(ignored.values())})",
        )
    regions = [resolve_region(kg, r) for r in body["remove_regions"]]
    return {
        "remove": remove,
        "remove_regions": regions,
        "located": {r: located_entities(kg, r, graphs) for r in regions},
        "keep_regions": [resolve_region(kg, r) for r in body["keep_regions"]],
        "kinds": body["kinds"],
        "clusters": resolve_clusters(G, body["clusters"]),
        "ignored": ignored,
    }


@bp.post("/scenario")
@bp.post("/graph/scenario")
def scenario() -> Response:
    """A disruption scenario on the supply network (``/api/graph/scenario`` is an alias).

    Body (JSON): ``remove`` (firms: IRIs, slugs such as ``enterprise/catl``, or labels),
    ``remove_regions`` (alias ``regions``) and ``keep_regions`` (region labels or IRIs),
    ``kinds`` (classes such as ``BatteryMaker``; subclasses count), ``clusters`` (labels,
    slugs or IRIs), ``graph`` (alias ``network``: ``curated``, ``synthetic`` or ``all``),
    ``mode`` (``and``/``threshold``) and ``theta`` as in
    :func:`clusterkg.analytics.scenarios.run_scenario`. What fails is the INTERSECTION of the
    criteria given. Named firms that are not in the supply network are listed in ``ignored``;
    when nothing is left to remove the answer is a 400.
    """
    body = _scenario_body()
    graphs = body["graph"]
    kg = get_kg()
    network = gd.packed_supply(kg, graphs)
    G = gd.supply(kg, graphs)
    chosen = _selection(kg, G, body, graphs)
    ignored = chosen.pop("ignored")
    # The cascade runs in a query worker under the query time limit.
    report = kg.engine.call(an.scenario_report, network, chosen, body["mode"], float(body["theta"]))
    return jsonify({"graph": graphs, **report, "ignored": sorted(ignored)})


@bp.post("/scenario/selection")
def scenario_selection() -> Response:
    """How many nodes a scenario body selects, by kind, before anything runs (same body as
    ``/api/scenario``; ``mode`` and ``theta`` are ignored)."""
    body = _scenario_body()
    graphs = body["graph"]
    kg = get_kg()
    network = gd.packed_supply(kg, graphs)
    G = gd.supply(kg, graphs)
    try:
        chosen = _selection(kg, G, body, graphs)
        picked = kg.engine.call(an.scenario_selection, network, chosen)
    except (AnalyticsError, ApiError) as exc:
        # A selection that holds nothing runnable is an answer here, not an error: the page
        # shows it while the user is still choosing (a malformed body is still a 400).
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        return jsonify({"graph": graphs, "count": 0, "by_kind": {}, "problem": message})
    return jsonify(
        {
            "graph": graphs,
            "synthetic": bool(G.graph.get("synthetic")),
            "count": picked["count"],
            "by_kind": picked["by_kind"],
            "criteria": picked["criteria"],
            "nodes": picked["nodes"],
            "ignored": sorted({*chosen["ignored"], *picked["missing"]}),
            "problem": None,
        }
    )


@bp.get("/indicators")
def indicators() -> Response:
    """Cluster indicators computed from the observations of the knowledge graph."""
    from clusterkg.analytics.indicators import cluster_indicators

    graph = request.args.get("graph", "curated")
    if graph != "curated":
        # The statistics are the sources' observations: no generated or imported network
        # states any, so an answer for another graph would be the curated one mislabelled.
        raise ApiError(
            400,
            f"graph: the indicators come from the sources' statistical observations, which "
            f"only the curated graph holds (graph=curated or none, not {graph!r})",
        )
    return jsonify({"synthetic": False, **cluster_indicators(get_kg())})

"""JSON analytics routes: /api/centrality, /api/resilience, /api/scenario, /api/indicators.

Thin: each route parses the request, calls one function of :mod:`clusterkg.analytics` and
returns JSON. Every answer carries ``"synthetic"``: true when it used the synthetic network.
The supply-network projection is cached per app and per graph selection, and rebuilt when the
store changes (its triple count differs).
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.projection import GRAPH_CHOICES, supply_network
from clusterkg.vocab import SYNTHETIC_GRAPH
from clusterkg.web.errors import ApiError, error_response

bp = Blueprint("analytics_api", __name__, url_prefix="/api")
_LOCK = threading.Lock()
MAX_TOP = 10_000


def _kg() -> Any:
    return current_app.extensions["clusterkg"]


def _graphs() -> str:
    graphs = request.args.get("graph", "curated")
    if graphs not in GRAPH_CHOICES:
        raise ApiError(400, f"graph must be one of {', '.join(GRAPH_CHOICES)}, got {graphs!r}")
    if graphs != "curated" and str(SYNTHETIC_GRAPH) not in _kg().backend.graph_names():
        raise ApiError(
            404,
            "this store has no synthetic graph: generate one with "
            "`clusterkg generate --out synthetic.trig` and load it with --data",
        )
    return graphs


def _supply(graphs: str):
    """The supply network of ``graphs``, cached per app until the store changes."""
    kg = _kg()
    cache = current_app.extensions.setdefault("clusterkg.analytics", {})
    stamp = kg.backend.count()
    with _LOCK:
        hit = cache.get(graphs)
        if hit and hit[0] == stamp:
            return hit[1]
    G = supply_network(kg, graphs)
    with _LOCK:
        cache[graphs] = (stamp, G)
    return G


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


@bp.errorhandler(AnalyticsError)
def _bad_input(exc: AnalyticsError):
    return error_response(400, str(exc))


@bp.get("/centrality")
def centrality():
    """Centrality scores, highest ``sort`` first (``?graph=&top=&seed=&k=&metric=&sort=``)."""
    from clusterkg.analytics.centrality import METRICS, compute

    graphs = _graphs()
    metrics = tuple(request.args.getlist("metric")) or METRICS
    bad = [m for m in metrics if m not in METRICS]
    if bad:
        raise ApiError(400, f"unknown metric {', '.join(bad)}; known: {', '.join(METRICS)}")
    sort_by = request.args.get("sort", "betweenness" if "betweenness" in metrics else metrics[0])
    if sort_by not in metrics:
        raise ApiError(400, f"sort must be one of the requested metrics, got {sort_by!r}")
    top = _int_arg("top", 50, 1, MAX_TOP)
    G = _supply(graphs)
    res = compute(
        G, metrics=metrics, seed=_int_arg("seed", 0, 0, 2**31), k=_int_arg("k", 256, 1, 100_000)
    )
    rows = res.table()
    for r in rows:
        r["label"] = G.nodes[r["node"]].get("label")
    rows.sort(key=lambda r: (-(r.get(sort_by) or 0.0), r["node"]))
    return jsonify(
        {
            "synthetic": G.graph["synthetic"],
            "graph": graphs,
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "method": res.method,
            "notes": res.notes,
            "rows": rows[:top],
        }
    )


@bp.get("/resilience")
def resilience():
    """Sourcing, self-sufficiency, critical nodes and (``?robustness=1``) robustness R-indices."""
    from clusterkg.analytics import resilience as rs

    graphs = _graphs()
    G = _supply(graphs)
    crit = rs.critical_nodes(G)
    body: dict[str, Any] = {
        "synthetic": G.graph["synthetic"],
        "graph": graphs,
        "sourcing": rs.sourcing(G),
        "self_sufficiency": rs.self_sufficiency(G),
        "articulation_points": crit.articulation_points,
        "bridges": [list(b) for b in crit.bridges],
        "oems": crit.per_oem,
    }
    if request.args.get("robustness") in ("1", "true", "yes"):
        trials = _int_arg("trials", 10, 1, 100)
        body["robustness"] = [
            {
                "strategy": s,
                "R_lcc": r.r_lcc,
                "R_lcc_std": r.r_lcc_std,
                "R_oem": r.r_oem,
                "R_oem_std": r.r_oem_std,
                "fractions": r.fractions,
                "lcc_mean": r.lcc_mean,
                "oem_mean": r.oem_mean,
            }
            for s in ("random", "degree", "betweenness")
            for r in [rs.robustness(G, s, trials=trials, seed=_int_arg("seed", 0, 0, 2**31))]
        ]
    return jsonify(body)


@bp.post("/scenario")
def scenario():
    """Body: ``{"remove": [IRI|slug|label], "remove_regions": [label|IRI],
    "keep_regions": [...], "mode": "and"|"threshold", "theta": 0.5}``."""
    from clusterkg.analytics.projection import located_entities, resolve_nodes, resolve_region
    from clusterkg.analytics.scenarios import run_scenario

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(
            400, 'the body must be a JSON object such as {"remove": ["enterprise/catl"]}'
        )
    allowed = {"remove", "remove_regions", "keep_regions", "mode", "theta", "graph"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(
            400, f"unknown field(s) {', '.join(unknown)}; use {', '.join(sorted(allowed))}"
        )
    lists = {}
    for key in ("remove", "remove_regions", "keep_regions"):
        value = body.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError(400, f"{key} must be a list of strings")
        lists[key] = value
    mode = body.get("mode", "and")
    theta = body.get("theta", 0.5)
    if not isinstance(theta, (int, float)) or isinstance(theta, bool):
        raise ApiError(400, "theta must be a number")
    graphs = body.get("graph", request.args.get("graph", "curated"))
    if graphs not in GRAPH_CHOICES:
        raise ApiError(400, f"graph must be one of {', '.join(GRAPH_CHOICES)}")
    if graphs != "curated" and str(SYNTHETIC_GRAPH) not in _kg().backend.graph_names():
        raise ApiError(404, "this store has no synthetic graph")
    G = _supply(graphs)
    kg = _kg()
    regions = [resolve_region(kg, r) for r in lists["remove_regions"]]
    report = run_scenario(
        G,
        remove=resolve_nodes(G, lists["remove"]),
        remove_regions=regions,
        located={r: located_entities(kg, r) for r in regions},
        keep_regions=[resolve_region(kg, r) for r in lists["keep_regions"]],
        mode=mode,
        theta=float(theta),
    )
    return jsonify({"graph": graphs, **report.to_dict()})


@bp.get("/indicators")
def indicators():
    """Cluster indicators computed from the observations of the knowledge graph."""
    from clusterkg.analytics.indicators import cluster_indicators

    return jsonify({"synthetic": False, **cluster_indicators(_kg())})

"""HTML pages for people: home, graph explorer, query editor, cluster dashboards.

Routes parse the request, call one function of :mod:`clusterkg.views`, and render its result;
the JSON the explorer draws from is served by :mod:`clusterkg.web.api`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request, url_for

from clusterkg.analytics.layout import LAYOUTS
from clusterkg.views import dashboards
from clusterkg.views import explorer as gd
from clusterkg.vocab import ID
from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError

bp = Blueprint("pages", __name__)

# ---------------------------------------------------------------------------------- pages


@bp.route("/")
def home() -> str:
    """The questions users come with, what is in the graph (curated data and any synthetic
    network counted apart), the entry points, and how to query it from code."""
    kg = get_kg()
    return render_template(
        "home.html",
        questions=dashboards.questions(),
        classes=dashboards.class_counts(kg, "curated"),
        synthetic_classes=dashboards.class_counts(kg, "synthetic"),
        statements=dashboards.statement_counts(kg),
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

"""``/queries``: the named queries (``queries/*.rq``) listed and run, HTML or JSON by Accept.

Parameters come from the query string and are bound by :func:`clusterkg.queries.run_named`
as RDF terms (never spliced into the query text), so a value such as ``"} ; DROP ALL ; #``
stays a string.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError
from clusterkg.web.formats import (
    ASK_TYPES,
    GRAPH_TYPES,
    SELECT_TYPES,
    NotAcceptable,
    negotiate,
    serialize,
)

bp = Blueprint("queries", __name__)


def _registry() -> dict[str, Any]:
    from clusterkg.queries import load_queries

    found = load_queries(get_kg().settings.queries_dir)
    if isinstance(found, dict):
        return dict(found)
    return {q.name: q for q in found}


def _describe(query: Any) -> dict[str, Any]:
    params = [
        {"name": p.name, "type": p.type, "description": p.description, "default": p.default}
        if hasattr(p, "type")
        else {"name": str(p)}
        for p in getattr(query, "parameters", None) or []
    ]
    return {
        "name": query.name,
        "title": getattr(query, "title", None) or query.name,
        "description": getattr(query, "description", "") or "",
        "parameters": params,
        "url": url_for("queries.run", name=query.name, _external=True),
    }


def _wants_html() -> bool:
    if not request.headers.get("Accept") or request.args.get("format"):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


@bp.route("/queries")
def listing() -> Response:
    """Every named query with its title, description and parameters."""
    items = [_describe(q) for _, q in sorted(_registry().items())]
    if _wants_html():
        return Response(render_template("queries.html", queries=items), mimetype="text/html")
    return jsonify({"queries": items})


@bp.route("/queries/<name>")
def run(name: str) -> Response:
    """Run one named query with the request's parameters; results negotiated like /sparql."""
    from clusterkg.queries import run_named

    registry = _registry()
    if name not in registry:
        raise ApiError(404, f"no named query {name!r}; see /queries for the list")
    query = registry[name]
    params = {k: v for k, v in request.args.items() if k != "format"}
    try:
        # Unknown or ill-typed parameters raise QueryError (400) with the reason.
        result = run_named(get_kg(), name, params, queries=registry)
    except (KeyError, ValueError, TypeError) as exc:
        raise ApiError(400, f"cannot run {name}: {exc}") from None
    if _wants_html():
        return Response(
            render_template(
                "query_result.html", query=_describe(query), params=params, result=result
            ),
            mimetype="text/html",
        )
    offered = {"select": SELECT_TYPES, "ask": ASK_TYPES, "graph": GRAPH_TYPES}[result.kind]
    try:
        mime = negotiate(
            request.accept_mimetypes if request.headers.get("Accept") else None,
            offered,
            request.args.get("format"),
        )
    except NotAcceptable as exc:
        raise ApiError(406, str(exc)) from None
    headers = {}
    link = None
    if result.truncated:
        link = url_for("sparql.limits", _external=True)
        headers = {
            "X-Clusterkg-Truncated": "true",
            "X-Clusterkg-Row-Limit": str(result.row_limit),
            "Link": f'<{link}>; rel="describedby"',
        }
    return Response(serialize(result, mime, link), mimetype=mime, headers=headers)

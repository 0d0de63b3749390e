"""``/queries``: the named queries (``queries/*.rq``) listed and run, HTML or JSON by Accept.

Parameters come from the query string and are bound by :func:`clusterkg.queries.run_named`
as RDF terms (never spliced into the query text), so a value such as ``"} ; DROP ALL ; #``
stays a string.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from clusterkg.errors import ClusterkgError
from clusterkg.views.query_params import resolve_parameters
from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError
from clusterkg.web.sparql import native_kwargs, result_response

bp = Blueprint("queries", __name__)


class QueryRegistry:
    """The named queries of a folder (or of several, later ones winning by name; see
    ``Settings.query_dirs``), read again only when a ``*.rq`` file changes.

    A change is any file added, removed, or with a new modification time or size. The folder
    is looked at no more than once per ``check_interval`` seconds (one listing and a ``stat``
    per file; at every request that was a sixth of the server's CPU under load, see
    benchmarks/PROFILES.md), so an edited query is served at most that much later.
    """

    def __init__(self, folder: Path | Sequence[Path], check_interval: float = 1.0) -> None:
        self.folders = [Path(folder)] if isinstance(folder, (str, Path)) else list(folder)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._checked = float("-inf")
        self._queries: dict[str, Any] = {}

    def _current_signature(self) -> tuple:
        out = []
        entries: list[os.DirEntry[str]] = []
        for folder in self.folders:
            try:
                entries.extend(os.scandir(folder))
            except OSError:  # the folder is gone: no queries from it until it comes back
                continue
        for entry in entries:
            if not entry.name.endswith(".rq"):
                continue
            try:
                st = entry.stat()
            except OSError:  # removed between listing and stat: the next call sees it gone
                continue
            out.append((entry.path, st.st_mtime_ns, st.st_size))
        return tuple(sorted(out))

    def queries(self) -> dict[str, Any]:
        """Name -> named query, as :func:`clusterkg.queries.load_queries` reads them."""
        from clusterkg.queries import load_queries

        now = time.monotonic()
        if now - self._checked < self.check_interval:
            return self._queries
        signature = self._current_signature()
        with self._lock:
            if signature != self._signature:
                found = load_queries(self.folders)
                self._queries = (
                    dict(found) if isinstance(found, dict) else {q.name: q for q in found}
                )
                self._signature = signature
            self._checked = now
            return self._queries


def _registry() -> dict[str, Any]:
    registry = current_app.extensions.get("clusterkg.queries")
    if registry is None:
        registry = current_app.extensions.setdefault(
            "clusterkg.queries",
            QueryRegistry(
                get_kg().settings.query_dirs,
                current_app.config.get("QUERIES_CHECK_INTERVAL", 1.0),
            ),
        )
    return registry.queries()


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


def _same_text(a: str, b: str) -> bool:
    # Browsers send form text with CRLF line ends (HTML, form submission).
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _wants_html() -> bool:
    if not request.headers.get("Accept") or request.args.get("format"):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


@bp.route("/queries")
def listing() -> Response:
    """Every named query with its title, description and parameters."""
    items = [_describe(q) for _, q in sorted(_registry().items())]
    if _wants_html():
        resp = Response(render_template("queries.html", queries=items), mimetype="text/html")
    else:
        resp = jsonify({"queries": items})
    resp.headers["Vary"] = "Accept"  # HTML or JSON by Accept: caches must key on it
    return resp


@bp.route("/queries/<name>")
def run(name: str) -> Response:
    """Run one named query with the request's parameters; results negotiated like /sparql."""
    from clusterkg.queries import run_named

    registry = _registry()
    if name not in registry:
        raise ApiError(404, f"no named query {name!r}; see /queries for the list")
    query = registry[name]
    # The query editor (YASGUI) sends the text it shows as query=; when that is the named
    # query's own text it is not a parameter.
    params = {
        k: v
        for k, v in request.args.items()
        if k != "format" and not (k == "query" and _same_text(v, query.text))
    }
    html = _wants_html()
    if html:
        return _result_page(query, params, registry)
    # A label or alias where an IRI is expected ("Changan"): its IRI, or a 400 that lists
    # the candidates or suggestions.
    params = resolve_parameters(get_kg(), query, params)
    fmt = request.args.get("format")
    try:
        # Unknown or ill-typed parameters raise QueryError (400) with the reason.
        result = run_named(get_kg(), name, params, queries=registry, **native_kwargs(fmt))
    except (KeyError, ValueError, TypeError) as exc:
        raise ApiError(400, f"cannot run {name}: {exc}") from None
    return result_response(result, fmt)


def _result_page(query: Any, given: dict[str, str], registry: dict[str, Any]) -> Response:
    """The HTML page of a named query: its form filled with the values used (the given ones,
    else the defaults), the result table (views.result_table), and a parameter that cannot be
    used stated on the same page, above the form, answered 400."""
    from clusterkg.queries import run_named
    from clusterkg.views.result_table import table

    described = _describe(query)
    shown = {
        p["name"]: given.get(p["name"], p.get("default") or "") for p in described["parameters"]
    }
    error, result, status = None, None, 200
    try:
        params = resolve_parameters(get_kg(), query, given)
        result = run_named(get_kg(), query.name, params, queries=registry)
    except (KeyError, ValueError, TypeError) as exc:
        error, status = f"cannot run {query.name}: {exc}", 400
    except ClusterkgError as exc:
        if exc.http_status != 400:
            raise
        error, status = str(exc), 400
    empty = None
    if result is not None and result.kind == "select" and not result.rows:
        empty = _no_match(described, shown)
    page = Response(
        render_template(
            "query_result.html",
            query=described,
            params=shown,
            result=result,
            shown=table(result) if result is not None and result.kind == "select" else None,
            error=error,
            empty=empty,
        ),
        status=status,
        mimetype="text/html",
    )
    page.headers["Vary"] = "Accept"  # results by Accept at the same URL
    return page


def _no_match(query: dict[str, Any], values: dict[str, str]) -> str:
    """What an empty result means, in words: for a number, how numbers are matched."""
    numbers = [p for p in query["parameters"] if p.get("type") in ("decimal", "integer")]
    if len(numbers) == 1 and len(query["parameters"]) == 1:
        value = values.get(numbers[0]["name"], "")
        return (
            f"No figure equals {value}. A number matches a figure stored as that same number "
            "(1,398 = 1398 = 1398.0; thousands separators are allowed), in base units (yuan, "
            "counts, percent). Figures this site computes or rounds (ratios such as parts per "
            "vehicle enterprise) are not stored, so they find nothing."
        )
    given = ", ".join(f"{k} = {v}" for k, v in values.items() if v)
    return f"No result for {given}." if given else "No result."

"""``/sparql``: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

Queries by GET ``?query=``, POST form or POST ``application/sparql-query``; updates by POST form
``update=`` or ``application/sparql-update``, only with the server's update token sent as
``Authorization: Bearer``. ``default-graph-uri``/``named-graph-uri`` (and ``using-graph-uri``/
``using-named-graph-uri`` for updates) select among graphs already in the store; nothing is ever
fetched. Without a query, GET answers with the service description (RDF) or a query form (HTML).
"""

from __future__ import annotations

import hmac
import re
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from clusterkg.store.native import SerializedResult
from clusterkg.store.query_engine import QueryError
from clusterkg.store.results import QueryResult
from clusterkg.store.sparql_text import code_only, with_base
from clusterkg.store.workers import IsolatedEngine
from clusterkg.views.query_errors import QueryProblem, explained
from clusterkg.views.serialize import GRAPH_TYPES, graph_bytes, serialize
from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError
from clusterkg.web.formats import (
    Negotiation,
    NotAcceptable,
    negotiate,
    negotiation,
    wants_page,
)

bp = Blueprint("sparql", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_FORM = "application/x-www-form-urlencoded"
_QUERY_TYPE = "application/sparql-query"
_UPDATE_TYPE = "application/sparql-update"
_KEYWORD = {
    kw: re.compile(rf"(?<![\w:?$]){kw}(?![\w:-])", re.IGNORECASE)
    for kw in ("WHERE", "USING", "WITH", "DELETE")
}
_RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
]


def _utf8(text: bytes, what: str) -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, f"the {what} must be sent as UTF-8 (got charset={charset})")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"the {what} is not valid UTF-8 (byte {exc.start})") from None


def _iris(name: str, *sources) -> list[str]:
    values = [v for src in sources for v in src.getlist(name)]
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise ApiError(400, f"{name} {value!r} is not an absolute IRI") from None
    return values


def _one(name: str, values: list[str]) -> str | None:
    if len(values) > 1:
        raise ApiError(400, f"give one {name} parameter, not {len(values)}")
    return values[0] if values else None


def _operation() -> tuple[str | None, str | None, list]:
    """The query or update of this request and the parameter sources it came with."""
    if request.method in ("GET", "HEAD"):  # HEAD answers like GET, without the body
        if request.args.getlist("update"):
            raise ApiError(
                400,
                "updates must be sent with POST (as update= in a form or as "
                "application/sparql-update)",
            )
        return _one("query", request.args.getlist("query")), None, [request.args]
    mime = request.mimetype
    if mime == _FORM:
        _utf8(b"", "form")
        form = request.form
        query = _one("query", request.args.getlist("query") + form.getlist("query"))
        update = _one("update", request.args.getlist("update") + form.getlist("update"))
        return query, update, [request.args, form]
    if mime == _QUERY_TYPE:
        return _utf8(request.get_data(), "query"), None, [request.args]
    if mime == _UPDATE_TYPE:
        return None, _utf8(request.get_data(), "update"), [request.args]
    raise ApiError(
        415,
        f"POST a query as {_QUERY_TYPE}, an update as {_UPDATE_TYPE}, or either "
        f"as {_FORM} (got {mime or 'no Content-Type'})",
    )


@bp.route("/sparql/", methods=["GET", "POST"])  # the protocol tests use /sparql/
@bp.route("/sparql", methods=["GET", "POST"])  # registered last: url_for builds this one
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol query and update operations."""
    query, update, sources = _operation()
    if query is not None and update is not None:
        raise ApiError(400, "send either query or update, not both")
    if update is not None:
        return _run_update(update, sources)
    if query is None:
        if request.method == "POST":
            raise ApiError(400, "no query: send query= (or update=)")
        return _service_description()
    return _run_query(query, sources)


def _negotiation(fmt: str | None) -> Negotiation:
    """The request's negotiation (cached by Accept header value and ``format=``)."""
    return negotiation(request.headers.get("Accept", ""), fmt)


def native_kwargs(fmt: str | None) -> dict:
    """``native=`` for the engine's ``query``: the formats the worker may write the result in.

    Only the isolated engine (local Oxigraph in worker processes) writes results itself;
    other engines get no extra argument and the result is written here.
    """
    if isinstance(get_kg().engine, IsolatedEngine):
        return {"native": _negotiation(fmt).native}
    return {}


def result_response(result: QueryResult | SerializedResult, fmt: str | None) -> Response:
    """The HTTP answer for a query result: negotiated format, truncation stated.

    A truncated result carries ``X-Clusterkg-Truncated``/``X-Clusterkg-Row-Limit`` headers
    (and ``X-Clusterkg-Byte-Limit`` when the byte ceiling cut it) and a ``Link`` to
    /sparql/limits, which SPARQL JSON results also carry in ``head.link``.
    """
    mime = _negotiation(fmt).media_type(result.kind)  # NotAcceptable: a 406
    link = None
    headers = {"Vary": "Accept"}
    if result.truncated:
        link = url_for("sparql.limits", _external=True)
        headers["X-Clusterkg-Truncated"] = "true"
        headers["X-Clusterkg-Row-Limit"] = str(result.row_limit)
        if result.byte_limit is not None:  # the byte ceiling cut it, not (only) the rows
            headers["X-Clusterkg-Byte-Limit"] = str(result.byte_limit)
        headers["Link"] = f'<{link}>; rel="describedby"'
    body = serialize(result, mime, link)
    # werkzeug adds charset=utf-8 to text/* types itself; the application/* types sent here
    # are UTF-8 by their definitions (SPARQL results JSON/XML, RDF syntaxes), without a charset.
    return Response(body, mimetype=mime, headers=headers)


def _run_query(query: str, sources: list) -> Response:
    kg = get_kg()
    default_graphs = _iris("default-graph-uri", *sources) or None
    named_graphs = _iris("named-graph-uri", *sources) or None
    fmt = request.values.get("format")
    text, shift = with_base(query, lambda: request.base_url)  # base_url: 0.1 ms
    try:
        result = kg.engine.query(
            text, default_graphs=default_graphs, named_graphs=named_graphs, **native_kwargs(fmt)
        )
    except QueryError as exc:
        # The store's parser reports positions and expectations people cannot use; the
        # readable problem is found on the query as the client sent it (without BASE).
        problem = _explained(kg, query, exc.message)
        if problem is not None:
            raise type(exc)(problem.message, problem.line, problem.column) from None
        if shift and exc.line == 1 and exc.column:
            raise type(exc)(
                exc.message.replace(f"1:{exc.column}", f"1:{exc.column - shift}"),
                1,
                exc.column - shift,
            ) from None
        raise
    return result_response(result, fmt)


def _explained(kg: Any, query: str, message: str) -> QueryProblem | None:
    """The readable problem of a failed query (:func:`~clusterkg.views.query_errors.explained`,
    in a query worker, as the CLI's and the Python API's)."""
    return explained(kg, query, message)


def _check_token() -> None:
    kg = get_kg()
    token = kg.settings.update_token
    if not token:
        raise ApiError(
            403,
            "updates are disabled on this server (start it with --update-token "
            "or CLUSTERKG_UPDATE_TOKEN to allow them)",
        )
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        value.strip().encode(), token.encode()
    ):
        raise ApiError(
            403, "updates need the server's update token as 'Authorization: Bearer <token>'"
        )


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses before each operation's ``WHERE``.

    This is how the protocol's ``using-graph-uri``/``using-named-graph-uri`` apply
    (SPARQL 1.1 Protocol 2.2.3); an update that has its own ``USING`` or ``WITH`` conflicts
    with them and is refused, as the protocol requires.
    """
    if not using and not using_named:
        return update
    code = code_only(update)
    if _KEYWORD["USING"].search(code) or _KEYWORD["WITH"].search(code):
        raise ApiError(
            400,
            "the request gives using-graph-uri/using-named-graph-uri and the "
            "update has its own USING or WITH clause: give only one of them",
        )
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    depth = 0
    inserts = []
    tokens = re.finditer(r"[{}]|[A-Za-z_]+", code)
    previous = ""
    for m in tokens:
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth == 0 and tok.upper() == "WHERE" and previous.upper() != "DELETE":
            inserts.append(m.start())
        if tok not in "{}":
            previous = tok
    for pos in reversed(inserts):
        update = f"{update[:pos]}{clause} {update[pos:]}"
    return update


def _run_update(update: str, sources: list) -> Response:
    _check_token()
    kg = get_kg()
    using = _iris("using-graph-uri", *sources)
    using_named = _iris("using-named-graph-uri", *sources)
    text = with_using(update, using, using_named)
    if isinstance(kg.engine, IsolatedEngine):
        kg.engine.update(text, base_iri=request.base_url)
    else:
        kg.engine.update(text)
    return Response("update done\n", status=200, mimetype="text/plain")


def service_description_graph() -> Graph:
    """The SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)."""
    kg = get_kg()
    sd = lambda name: URIRef(SD + name)  # noqa: E731
    g = Graph()
    g.bind("sd", SD)
    endpoint = URIRef(url_for("sparql.endpoint", _external=True))
    service = BNode()
    g.add((service, RDF.type, sd("Service")))
    g.add((service, sd("endpoint"), endpoint))
    g.add((service, sd("supportedLanguage"), sd("SPARQL11Query")))
    if kg.settings.update_token:
        g.add((service, sd("supportedLanguage"), sd("SPARQL11Update")))
    g.add((service, sd("feature"), sd("UnionDefaultGraph")))
    if kg.settings.service_allowlist:
        g.add((service, sd("feature"), sd("BasicFederatedQuery")))
    for name in _RESULT_FORMATS:
        g.add((service, sd("resultFormat"), URIRef(FORMATS + name)))
    dataset = BNode()
    g.add((service, sd("defaultDataset"), dataset))
    g.add((dataset, RDF.type, sd("Dataset")))
    default = BNode()
    g.add((dataset, sd("defaultGraph"), default))
    g.add((default, RDF.type, sd("Graph")))
    for name in kg.backend.graph_names():
        node = BNode()
        g.add((dataset, sd("namedGraph"), node))
        g.add((node, RDF.type, sd("NamedGraph")))
        g.add((node, sd("name"), URIRef(name)))
    g.add(
        (
            service,
            URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
            Literal(
                f"Limits: {kg.settings.query_timeout:g} s per query, "
                f"{kg.settings.row_limit} rows per result, "
                f"{kg.settings.max_body_bytes} bytes per request body."
            ),
        )
    )
    return g


def _service_description() -> Response:
    offered = {"text/html": "html", **GRAPH_TYPES}
    accept = request.accept_mimetypes if request.headers.get("Accept") else None
    # A NotAcceptable is answered 406 by the error handler.
    mime = (
        negotiate(
            accept,
            {k: v for k, v in offered.items() if k != "text/html"},
            request.args.get("format"),
        )
        if request.args.get("format")
        else None
    )
    if mime is None:
        # The query form only for a browser (an Accept naming text/html); curl's and
        # requests' */* get the service description in Turtle, as docs/http-api.md says.
        if wants_page(accept, list(GRAPH_TYPES)):
            mime = "text/html"
        else:
            mime = accept.best_match(list(GRAPH_TYPES)) if accept else "text/turtle"
        if mime is None:
            raise NotAcceptable(offered)
    if mime == "text/html":
        # A browser gets the query editor of the pages blueprint (clusterkg.web.pages).
        from clusterkg.web.pages import query_context

        page = Response(render_template("query.html", **query_context()), mimetype="text/html")
        page.headers["Vary"] = "Accept"  # the same URL answers Turtle to another Accept
        return page
    g = service_description_graph()
    resp = Response(graph_bytes(g, GRAPH_TYPES[mime]), mimetype=mime)
    resp.headers["Vary"] = "Accept"
    return resp


@bp.route("/sparql/limits")
def limits() -> Response:
    """What the server's limits are; truncated results and refusals link here."""
    kg = get_kg()
    s = kg.settings
    memory = getattr(kg.engine, "memory_mb", None)
    lines = [
        f"This SPARQL endpoint stops a query after {s.query_timeout:g} s (503), returns at most "
        f"{s.row_limit} rows or triples and {s.result_max_bytes} bytes per result (a "
        f"truncated result carries the header X-Clusterkg-Byte-Limit when the bytes cut it and "
        f"the header "
        f"X-Clusterkg-Truncated: true and, in JSON, this link in head.link), and accepts "
        f"request bodies up to {s.max_body_bytes} bytes (413). Narrow a truncated query with "
        f"LIMIT/OFFSET or more specific patterns.",
        "",
        "Also (docs/http-api.md lists every limit and its setting):",
        f"- updates, explorer views and analyses (scenarios, resilience, centrality, cluster "
        f"dashboards) have the same {s.query_timeout:g} s limit; the one-off generation of the "
        f"synthetic network has {s.generate_timeout:g} s",
        f"- the explorer lays out at most {s.explorer_max_nodes} nodes and "
        f"{s.explorer_max_edges} edges (422 above)",
        f"- analyses take supply networks of at most {s.analysis_max_nodes} nodes and "
        f"{s.analysis_max_edges} edges (422 above)",
    ]
    if memory:
        lines.append(f"- a query worker may use {memory} MB beyond its start (507 above)")
    return Response("\n".join(lines) + "\n", mimetype="text/plain")

"""``/id/...``: every resource IRI ``https://w3id.org/clusterkg/id/...`` as a linked-data page.

Browsers get HTML (label, types, properties with links, incoming links, provenance quotes with
their source); RDF clients get Turtle, JSON-LD, N-Triples, RDF/XML, or N-Quads/TriG with the
named graph of each statement. An IRI the graph does not mention is 404.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, render_template, request
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from clusterkg.store.results import QueryResult
from clusterkg.views.explorer import explore_links
from clusterkg.views.serialize import GRAPH_TYPES, graph_bytes
from clusterkg.views.sources import source_titles
from clusterkg.vocab import CK, ID, PROV, curie, page_path
from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError
from clusterkg.web.formats import NotAcceptable, negotiate

bp = Blueprint("resources", __name__)

#: Incoming links shown on a page (the RDF answer is the resource's own statements).
INCOMING_LIMIT = 500

# ?s is projected because pyoxigraph substitutes only projected variables (SEP-0007).
_OUT = """SELECT ?s ?p ?o ?g ?olabel WHERE {
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?olabel }
}"""
# Generated resources (ck:SyntheticEntity) are marked on the page and listed after the others.
_IN = """SELECT ?s ?x ?p ?xlabel ?syn WHERE {
  ?x ?p ?s
  BIND(EXISTS { ?x a <https://w3id.org/clusterkg/ontology#SyntheticEntity> } AS ?syn)
  OPTIONAL { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?xlabel }
} ORDER BY ?syn ?x LIMIT %d"""
_BNODES = """SELECT ?s ?b ?p ?o ?g WHERE { GRAPH ?g { ?s ?p0 ?b . FILTER isBlank(?b) ?b ?p ?o } }"""


def _describe(iri: URIRef) -> tuple[QueryResult, QueryResult, QueryResult]:
    engine = get_kg().engine
    out = engine.query(_OUT, bindings={"s": iri})
    incoming = engine.query(_IN % INCOMING_LIMIT, bindings={"s": iri})
    bnodes = engine.query(_BNODES, bindings={"s": iri})
    return out, incoming, bnodes


def _objects(out: QueryResult) -> set:
    return {row["o"] for row in out.rows if isinstance(row["o"], URIRef)}


def _label(rows: list[dict], var: str = "olabel") -> dict:
    """One label per term, English preferred."""
    best: dict = {}
    for row in rows:
        label = row.get(var)
        if label is None:
            continue
        key = row.get("o") if var == "olabel" else row.get("x")
        if key not in best or (getattr(label, "language", None) == "en"):
            best[key] = label
    return best


@bp.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """The page or RDF of one resource."""
    iri = URIRef(str(ID) + rest)
    out, incoming, bnodes = _describe(iri)
    if not out.rows and not incoming.rows:
        raise ApiError(404, f"no resource {iri} in this knowledge graph")
    offered = {"text/html": "html", **GRAPH_TYPES}
    fmt = request.args.get("format")
    # A NotAcceptable is answered 406 by the error handler.
    if fmt:
        mime = negotiate(None, GRAPH_TYPES, fmt)
    elif request.headers.get("Accept"):
        best = request.accept_mimetypes.best_match(list(offered))
        if best is None:
            raise NotAcceptable(offered)
        mime = best
    else:
        mime = "text/html"
    if mime != "text/html":
        quads: set[tuple[Node, Node, Node, Node]] = {
            (iri, r["p"], r["o"], r["g"]) for r in out.rows
        }
        quads |= {(r["b"], r["p"], r["o"], r["g"]) for r in bnodes.rows}
        body = graph_bytes([q[:3] for q in quads], GRAPH_TYPES[mime], quads=quads)
        resp = Response(body, mimetype=mime)
        resp.headers["Vary"] = "Accept"
        return resp
    return _page(iri, out, incoming)


def _page(iri: URIRef, out: QueryResult, incoming: QueryResult) -> Response:
    titles = source_titles(get_kg())
    # A source document is named by its title here as on every page (clusterkg.views.sources).
    labels = {**_label(out.rows), **{o: titles[str(o)] for o in _objects(out) if str(o) in titles}}
    props: dict = defaultdict(list)
    seen = set()
    for row in out.rows:
        key = (row["p"], row["o"])
        if key in seen:
            continue
        seen.add(key)
        props[row["p"]].append(row["o"])
    by_graph_quotes: dict = defaultdict(list)
    by_graph_sources: dict = defaultdict(list)
    for row in out.rows:
        if row["p"] == CK.quote:
            by_graph_quotes[row["g"]].append(row["o"])
        elif row["p"] == PROV.wasDerivedFrom:
            by_graph_sources[row["g"]].append(row["o"])
    provenance = []
    for graph, quotes in by_graph_quotes.items():
        for quote in quotes:
            provenance.append(
                {
                    "quote": quote,
                    "graph": graph,
                    "sources": sorted(set(by_graph_sources.get(graph, []))),
                }
            )
    own = [o for o in props.get(RDFS.label, [])]
    label = next((o for o in own if getattr(o, "language", None) == "en"), own[0] if own else None)
    label = titles.get(str(iri), label)
    in_labels = _label(incoming.rows, "xlabel")
    # ?syn is an xsd:boolean literal: its lexical form says it.
    synthetic_in = {r["x"] for r in incoming.rows if str(r.get("syn")) == "true"}
    inbound = sorted(
        {(r["x"], r["p"]) for r in incoming.rows},
        key=lambda t: (t[0] in synthetic_in, str(t[1]), str(t[0])),
    )
    html = render_template(
        "resource.html",
        iri=iri,
        label=label,
        types=props.get(RDF.type, []),
        props=sorted(props.items(), key=lambda kv: str(kv[0])),
        labels=labels,
        provenance=provenance,
        inbound=inbound,
        synthetic_in=synthetic_in,
        synthetic=CK.SyntheticEntity in props.get(RDF.type, []),
        in_labels=in_labels,
        truncated_in=len(incoming.rows) >= INCOMING_LIMIT,
        local_path=page_path,
        short=curie,
        alt_labels=props.get(SKOS.altLabel, []),
        explore=explore_links(get_kg(), str(iri)),
    )
    resp = Response(html, mimetype="text/html")
    resp.headers["Vary"] = "Accept"
    return resp

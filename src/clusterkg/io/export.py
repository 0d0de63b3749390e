"""``clusterkg export``: the graph, one named graph, or a query's answer, in the formats that
linked-data tools (Turtle, TriG, N-Quads, JSON-LD), Gephi/yEd (GraphML, GEXF) and spreadsheets
(``nodes.csv`` + ``edges.csv``) open.

Every read goes through the query engine; every output is written atomically.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from clusterkg.errors import UnusableInput
from clusterkg.io.atomic import write_bytes_atomic
from clusterkg.io.jsonld_context import jsonld_context
from clusterkg.io.network import (
    csv_tables,
    gexf_bytes,
    graphml_bytes,
    neutralise,
    plain_network,
    to_networkx,
)
from clusterkg.io.references import ontology_graph
from clusterkg.store.kg import KnowledgeGraph
from clusterkg.store.query_engine import QueryError
from clusterkg.vocab import ANALYTICS_GRAPH, CK, GRAPH, PREFIXES

RDF_FORMATS = ("turtle", "trig", "nquads", "jsonld")
NETWORK_FORMATS = ("graphml", "gexf", "csv")
FORMATS = RDF_FORMATS + NETWORK_FORMATS
#: Exports are trusted local reads: no row limit, a generous time limit.
EXPORT_TIMEOUT = 3600.0

_ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
_GRAPH_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_SCORES = f"""SELECT ?node ?metric ?value WHERE {{ GRAPH <{ANALYTICS_GRAPH}> {{
  ?r <{CK.resultFor}> ?node ; <{CK.metric}> ?metric ; <{CK.scoreValue}> ?value }} }}"""


#: File name suffixes of the one-file formats (for the example in a message).
SUFFIX = {"turtle": "ttl", "nquads": "nq", "jsonld": "jsonld"}


class ExportError(UnusableInput):
    """The export cannot be made (unknown graph, wrong query type, store failure)."""


@dataclass
class ExportResult:
    """What an export wrote: the files and how many of what it holds, in its own unit:
    triples (Turtle, JSON-LD), quads (TriG, N-Quads: a triple stated in two graphs is two),
    rows (a SELECT as CSV), or nodes and edges (the network formats)."""

    files: list[Path]
    triples: int = 0
    nodes: int = 0
    edges: int = 0
    quads: int | None = None
    rows: int | None = None

    def summary(self) -> str:
        if self.rows is not None:
            what = f"{self.rows} rows"
        elif self.quads is not None:
            what = f"{self.quads} quads"
        elif self.nodes:
            what = f"{self.nodes} nodes, {self.edges} edges"
        else:
            what = f"{self.triples} triples"
        return f"wrote {', '.join(str(f) for f in self.files)} ({what})"


def graph_iri(kg: KnowledgeGraph, name: str) -> str:
    """The named graph ``name`` means: a full IRI, or the stem of ``graph/<stem>``."""
    iri = name if name.startswith(("http://", "https://")) else str(GRAPH[name])
    names = kg.backend.graph_names()
    if iri not in names:
        known = ", ".join(n.removeprefix(str(GRAPH)) for n in names)
        raise ExportError(f"no graph {name!r} in the store (graphs: {known})")
    return iri


def _run(kg: KnowledgeGraph, sparql: str, **kwargs):
    try:
        return kg.engine.query(sparql, row_limit=None, timeout=EXPORT_TIMEOUT, **kwargs)
    except QueryError as exc:
        raise ExportError(str(exc)) from None


def dataset(kg: KnowledgeGraph, graph: str | None = None) -> Dataset:
    """Every named graph (or just ``graph``) of the store, as an rdflib Dataset."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    if graph is not None:
        iri = graph_iri(kg, graph)
        target = ds.graph(URIRef(iri))
        for t in _run(kg, _GRAPH_TRIPLES, bindings={"g": URIRef(iri)}).triples:
            target.add(t)
        return ds
    for row in _run(kg, _ALL_QUADS).rows:
        ds.graph(row["g"]).add((row["s"], row["p"], row["o"]))
    return ds


def selection(kg: KnowledgeGraph, graph: str | None = None, query_text: str | None = None) -> Graph:
    """The triples to export: a CONSTRUCT/DESCRIBE answer, one named graph, or the union."""
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    if query_text is not None:
        res = _run(kg, query_text)
        if res.kind != "graph":
            raise ExportError(
                "RDF and network exports need a CONSTRUCT or DESCRIBE query "
                f"(this one is {res.kind.upper()}; SELECT works with csv)"
            )
        triples = res.triples
    elif graph is not None:
        triples = _run(kg, _GRAPH_TRIPLES, bindings={"g": URIRef(graph_iri(kg, graph))}).triples
    else:
        triples = _run(kg, _UNION).triples
    for t in triples:
        out.add(t)
    return out


def rdf_bytes(
    kg: KnowledgeGraph, fmt: str, graph: str | None = None, query_text: str | None = None
) -> tuple[bytes, int]:
    """The export in an RDF format, and its count: quads for TriG and N-Quads, else triples."""
    if fmt in ("trig", "nquads") and query_text is None:
        ds = dataset(kg, graph)
        data = ds.serialize(format=fmt)
        quads = sum(1 for _ in ds.quads((None, None, None, None)))
        return data.encode("utf-8") if isinstance(data, str) else data, quads
    g = selection(kg, graph, query_text)
    if fmt == "jsonld":
        text = g.serialize(format="json-ld", context=jsonld_context()["@context"], indent=2)
    elif fmt in ("trig", "nquads"):
        ds = Dataset()
        for t in g:
            ds.add(t)
        text = ds.serialize(format=fmt)
    else:
        text = g.serialize(format="turtle")
    return text.encode("utf-8"), len(g)


def export(
    kg: KnowledgeGraph,
    fmt: str,
    out: Path | str,
    *,
    graph: str | None = None,
    query_file: Path | str | None = None,
) -> ExportResult:
    """Write the export of ``fmt`` to ``out`` (a folder for ``csv``, else a file)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    one_file = fmt != "csv" or query_file is not None
    if one_file and (str(out).endswith(("/", os.sep)) or Path(out).is_dir()):
        raise ExportError(
            f"{out} is a folder, and --format {fmt} writes one file: give its name, e.g. "
            f"{Path(out) / ('rows.csv' if fmt == 'csv' else 'export.' + SUFFIX.get(fmt, fmt))}"
        )
    out = Path(out)
    query_text = None
    if query_file is not None:
        try:
            query_text = Path(query_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ExportError(f"cannot read the query {query_file}: {exc}") from None
    if fmt in RDF_FORMATS:
        data, n = rdf_bytes(kg, fmt, graph, query_text)
        write_bytes_atomic(out, data)
        if fmt in ("trig", "nquads"):
            return ExportResult([out], quads=n)
        return ExportResult([out], triples=n)
    if fmt == "csv" and query_text is not None:
        res = _run(kg, query_text)
        if res.kind == "select":
            write_bytes_atomic(out, select_csv(res.vars, res.records()))
            return ExportResult([out], rows=len(res.rows))
    net = network(kg, graph, query_text)
    if fmt == "graphml":
        write_bytes_atomic(out, graphml_bytes(net))
        files = [out]
    elif fmt == "gexf":
        write_bytes_atomic(out, gexf_bytes(net))
        files = [out]
    else:
        nodes, edges = csv_tables(net)
        files = [out / "nodes.csv", out / "edges.csv"]
        write_bytes_atomic(files[0], nodes)
        write_bytes_atomic(files[1], edges)
    return ExportResult(files, nodes=net.number_of_nodes(), edges=net.number_of_edges())


def network(kg: KnowledgeGraph, graph: str | None = None, query_text: str | None = None):
    """The export selection as a networkx MultiDiGraph with node attributes."""
    chosen = selection(kg, graph, query_text)
    full = chosen if graph is None and query_text is None else selection(kg)
    scores = []
    if str(ANALYTICS_GRAPH) in kg.backend.graph_names():
        scores = [
            (str(r["node"]), str(r["metric"]), float(r["value"].toPython()))
            for r in _run(kg, _SCORES).rows
        ]
    return to_networkx(chosen, full, ontology_graph(kg.settings), scores)


def select_csv(columns: list[str], records: list[dict]) -> bytes:
    """A SELECT answer as one CSV table, cells neutralised against CSV injection."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for rec in records:
        w.writerow([neutralise(_plain(rec.get(c))) for c in columns])
    return out.getvalue().encode("utf-8")


def _plain(value: object) -> object:
    return json.dumps(value) if isinstance(value, (dict, list)) else value


#: Formats of :func:`view_export`.
VIEW_FORMATS = ("graphml", "gexf", "jsonld")


def view_export(kg: KnowledgeGraph, G, fmt: str) -> bytes:
    """A projected network ``G`` (an explorer view) as GraphML or GEXF, or the statements about
    its nodes (as subjects) as JSON-LD with the clusterkg context."""
    if fmt not in VIEW_FORMATS:
        raise ExportError(f"format must be one of {', '.join(VIEW_FORMATS)} (got {fmt!r})")
    if fmt != "jsonld":
        H = plain_network(G)
        return graphml_bytes(H) if fmt == "graphml" else gexf_bytes(H)
    iris = sorted(str(n) for n in G if str(n).startswith(("http://", "https://")))
    if not iris:
        return b"[]"
    values = " ".join(URIRef(n).n3() for n in iris)
    body, _ = rdf_bytes(
        kg,
        "jsonld",
        query_text=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}",
    )
    return body

"""Store backends: Oxigraph in memory or on disk, or any remote SPARQL 1.1 server.

The spec strings are those of ``--store``: ``memory``, ``oxigraph:DIR`` and
``sparql:QUERY_URL[,UPDATE_URL]``. Every backend answers queries with a :class:`QueryResult`.
"""

from __future__ import annotations

import gc
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph
from rdflib.query import Result

from clusterkg.config import Settings
from clusterkg.errors import UnusableInput
from clusterkg.store.results import QueryResult
from clusterkg.store.terms import ox_to_rdflib, rdflib_to_ox

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}


class BackendError(UnusableInput):
    """The store could not be opened or reached."""


class Backend(Protocol):
    """What the engine, loader and exporters need of a store."""

    spec: str

    def graph_names(self) -> list[str]: ...
    def count(self, graph: str | None = None) -> int: ...
    def load_file(self, path: Path, fmt: str, graph: str | None) -> None: ...
    def load_data(self, data: bytes | str, fmt: str, graph: str | None) -> None: ...
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: dict | None = None,
        row_limit: int | None = None,
        deadline_check=None,
    ) -> QueryResult: ...
    def update(self, sparql: str) -> None: ...
    def merge_into_default(self, graph: str | None = None) -> None: ...
    def drop_graph(self, graph: str) -> None: ...
    def dump(self, fmt: str, graph: str | None = None) -> bytes: ...
    def close(self) -> None: ...


def _graph_args(default_graphs, named_graphs) -> dict:
    # Without default-graph-uri the store's own default graph is used: the loader merges every
    # file into it (see :meth:`OxigraphBackend.merge_into_default`). Oxigraph's
    # use_default_graph_as_union would be a bag, not an RDF merge: a triple stated in three files
    # would be counted three times by COUNT queries.
    kwargs: dict = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


class OxigraphBackend:
    """Oxigraph (pyoxigraph): in memory, or persistent in a folder (RocksDB)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else None
        self.spec = f"oxigraph:{self.path}" if self.path else "memory"
        try:
            self.ox = ox.Store(str(self.path)) if self.path else ox.Store()
        except OSError as exc:
            raise BackendError(f"cannot open the Oxigraph store at {self.path}: {exc}") from exc

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        """Triples in a named graph, or (``None``) in the default graph, the merged view."""
        if graph is None:
            res = self.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            return int(next(iter(res))["n"].value)
        node = ox.NamedNode(graph)  # validates the IRI, so it is safe to write into the query
        res = self.ox.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(res))["n"].value)

    def load_file(self, path: Path, fmt: str, graph: str | None) -> None:
        from clusterkg.store.loader import LoadError

        to_graph = ox.NamedNode(graph) if graph else None
        try:
            self.ox.load(
                path=str(path),
                format=_OX_FORMATS[fmt],
                to_graph=to_graph,
                base_iri=Path(path).absolute().as_uri(),
            )
        except SyntaxError as exc:
            raise LoadError(path, _syntax_message(exc), exc.lineno, exc.offset) from None
        except (OSError, ValueError) as exc:
            raise LoadError(path, str(exc)) from None

    def load_data(self, data: bytes | str, fmt: str, graph: str | None) -> None:
        to_graph = ox.NamedNode(graph) if graph else None
        self.ox.load(data, format=_OX_FORMATS[fmt], to_graph=to_graph)

    def query(
        self,
        sparql: str,
        *,
        default_graphs=None,
        named_graphs=None,
        substitutions=None,
        row_limit=None,
        deadline_check=None,
    ) -> QueryResult:
        kwargs = _graph_args(default_graphs, named_graphs)
        if substitutions:
            kwargs["substitutions"] = {
                ox.Variable(k): rdflib_to_ox(v) for k, v in substitutions.items()
            }
        raw = self.ox.query(sparql, **kwargs)
        return _from_ox(raw, row_limit, deadline_check)

    def update(self, sparql: str) -> None:
        self.ox.update(sparql)

    def merge_into_default(self, graph: str | None = None) -> None:
        """Add the triples of a named graph (all named graphs if ``None``) to the default graph.

        The default graph is thereby the RDF merge (a set) of the loaded files, which is what
        queries without ``default-graph-uri`` see.
        """
        if graph is None:
            self.ox.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        else:
            node = ox.NamedNode(graph)
            self.ox.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} }}")

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph, and from the default graph its triples no other graph states."""
        node = ox.NamedNode(graph)
        if node in set(self.ox.named_graphs()):
            self.ox.update(
                f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != <{node.value}>) }} }}"
            )
            self.ox.remove_graph(node)

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        if graph is None:
            return self.ox.dump(format=_OX_FORMATS[fmt])
        return self.ox.dump(format=_OX_FORMATS[fmt], from_graph=ox.NamedNode(graph))

    def close(self) -> None:
        """Flush a persistent store and release its folder.

        pyoxigraph has no ``close()``: RocksDB's lock on the folder goes when the Rust store is
        dropped, i.e. when the last Python reference to it goes. So the reference is replaced
        by one that refuses further use, and a collection frees any copy held in a reference
        cycle (e.g. a result iterator in a traceback); the folder can then be opened again in
        this process. Closing twice is harmless.
        """
        if self.path and not isinstance(self.ox, _ClosedStore):
            try:
                self.ox.flush()
            finally:
                self.ox = _ClosedStore(self.spec)
                gc.collect()


class _ClosedStore:
    """Stands in for the pyoxigraph Store of a closed backend: any use is a clear error."""

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def __getattr__(self, name: str):
        raise BackendError(f"the store {self.spec} is closed")


def _syntax_message(exc: SyntaxError) -> str:
    return str(exc.msg if hasattr(exc, "msg") else exc)


def _from_ox(raw, row_limit, deadline_check) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        names = [v.value for v in raw.variables]
        rows = []
        truncated = False
        for i, sol in enumerate(raw):
            if row_limit is not None and i >= row_limit:
                truncated = True
                break
            if deadline_check is not None and i % 256 == 0:
                deadline_check()
            row = {}
            for name in names:
                value = sol[name]
                if value is not None:
                    row[name] = ox_to_rdflib(value)
            rows.append(row)
        return QueryResult(
            "select", vars=names, rows=rows, truncated=truncated, row_limit=row_limit
        )
    triples = []
    truncated = False
    for i, t in enumerate(raw):
        if row_limit is not None and i >= row_limit:
            truncated = True
            break
        if deadline_check is not None and i % 256 == 0:
            deadline_check()
        triples.append((ox_to_rdflib(t.subject), ox_to_rdflib(t.predicate), ox_to_rdflib(t.object)))
    return QueryResult("graph", triples=triples, truncated=truncated, row_limit=row_limit)


class RemoteBackend:
    """Any SPARQL 1.1 Protocol server (Fuseki, GraphDB, Virtuoso, QLever, Oxigraph server).

    Queries go to ``query_url``; updates and loads to ``update_url`` (SPARQL Update
    ``INSERT DATA`` into the graph). The remote server decides what its default graph is.
    A ``token`` is sent as ``Authorization: Bearer`` (a ``clusterkg serve --update-token``
    server needs it for updates); it is never part of ``spec`` or of an error message.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        timeout: float = 60,
        token: str | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.timeout = timeout
        self._token = token
        self.spec = f"sparql:{query_url}" + (f",{update_url}" if update_url else "")

    def _headers(self, content_type: str, accept: str) -> dict[str, str]:
        headers = {"Content-Type": content_type, "Accept": accept}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _post(self, url: str, body: bytes, content_type: str, accept: str) -> bytes:
        req = urllib.request.Request(
            url, data=body, method="POST", headers=self._headers(content_type, accept)
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise BackendError(f"{url} answered {exc.code}: {detail}") from None
        except urllib.error.URLError as exc:
            raise BackendError(f"cannot reach {url}: {exc.reason}") from None

    def _select_values(self, sparql: str) -> list[dict]:
        data = self._post(
            self.query_url,
            sparql.encode(),
            "application/sparql-query",
            "application/sparql-results+json",
        )
        return json.loads(data)["results"]["bindings"]

    def graph_names(self) -> list[str]:
        rows = self._select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"]["value"] for r in rows)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        else:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(self._select_values(q)[0]["n"]["value"])

    def load_file(self, path: Path, fmt: str, graph: str | None) -> None:
        self.load_data(Path(path).read_bytes(), fmt, graph)

    def load_data(self, data: bytes | str, fmt: str, graph: str | None) -> None:
        if not self.update_url:
            raise BackendError(
                "this remote store has no update URL: use sparql:QUERY_URL,UPDATE_URL"
            )
        g = Graph()
        g.parse(data=data, format=fmt)
        nt = g.serialize(format="nt")
        body = (
            f"INSERT DATA {{ GRAPH <{graph}> {{ {nt} }} }}" if graph else f"INSERT DATA {{ {nt} }}"
        )
        self.update(body)

    def query(
        self,
        sparql: str,
        *,
        default_graphs=None,
        named_graphs=None,
        substitutions=None,
        row_limit=None,
        deadline_check=None,
    ) -> QueryResult:
        if substitutions:
            from clusterkg.store.engine import bind_values

            sparql = bind_values(sparql, substitutions)
        params = [("query", sparql)]
        params += [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        body = urllib.parse.urlencode(params).encode()
        accept = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
        req = urllib.request.Request(
            self.query_url,
            data=body,
            method="POST",
            headers=self._headers("application/x-www-form-urlencoded", accept),
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                ctype = resp.headers.get_content_type()
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise BackendError(f"{self.query_url} answered {exc.code}: {detail}") from None
        except urllib.error.URLError as exc:
            raise BackendError(f"cannot reach {self.query_url}: {exc.reason}") from None
        if ctype in ("application/sparql-results+json", "application/json"):
            parsed = Result.parse(io.BytesIO(payload), format="json")
            if parsed.type == "ASK":
                return QueryResult("ask", boolean=bool(parsed.askAnswer))
            names = [str(v) for v in parsed.vars]
            rows = []
            truncated = False
            for i, b in enumerate(parsed.bindings):
                if row_limit is not None and i >= row_limit:
                    truncated = True
                    break
                rows.append({str(k): v for k, v in b.items() if v is not None})
            return QueryResult(
                "select", vars=names, rows=rows, truncated=truncated, row_limit=row_limit
            )
        fmt = "nt" if ctype == "application/n-triples" else "turtle"
        g = Graph().parse(data=payload, format=fmt)
        triples = list(g)
        truncated = row_limit is not None and len(triples) > row_limit
        return QueryResult(
            "graph",
            triples=triples[:row_limit] if truncated else triples,
            truncated=truncated,
            row_limit=row_limit,
        )

    def update(self, sparql: str) -> None:
        if not self.update_url:
            raise BackendError(
                "this remote store has no update URL: use sparql:QUERY_URL,UPDATE_URL"
            )
        self._post(self.update_url, sparql.encode(), "application/sparql-update", "*/*")

    def merge_into_default(self, graph: str | None = None) -> None:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        self.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ {where} }}")

    def drop_graph(self, graph: str) -> None:
        self.update(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != <{graph}>) }} }}"
        )
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        res = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}")
        return res.graph().serialize(format=fmt).encode()

    def close(self) -> None:
        pass


def open_backend(spec: str, *, token: str | None = None) -> Backend:
    """A backend for a ``--store`` spec: ``memory``, ``oxigraph:DIR``, ``sparql:Q[,U]``.

    ``token`` (default: ``$CLUSTERKG_REMOTE_TOKEN``) is the bearer token for a remote store.
    """
    spec = (spec or "memory").strip()
    if spec == "memory":
        return OxigraphBackend()
    if spec.startswith("oxigraph:"):
        path = spec.split(":", 1)[1]
        if not path:
            raise BackendError("oxigraph: needs a folder, e.g. --store oxigraph:./data/store")
        Path(path).mkdir(parents=True, exist_ok=True)
        return OxigraphBackend(path)
    if spec.startswith("sparql:"):
        urls = spec.split(":", 1)[1].split(",")
        if not urls[0].startswith(("http://", "https://")):
            raise BackendError(f"sparql: needs an http(s) URL, got {urls[0]!r}")
        if token is None:
            token = Settings.from_env().remote_token
        return RemoteBackend(urls[0], urls[1] if len(urls) > 1 and urls[1] else None, token=token)
    raise BackendError(
        f"unknown store {spec!r}: use memory, oxigraph:DIR or sparql:QUERY_URL[,UPDATE_URL]"
    )

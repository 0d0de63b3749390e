"""A remote store: any SPARQL 1.1 Protocol server (Fuseki, GraphDB, Virtuoso, QLever, ...)."""

from __future__ import annotations

import io
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.query import Result
from rdflib.term import Node

from clusterkg.store.errors import BackendError, QueryTimeout
from clusterkg.store.native import SerializedResult
from clusterkg.store.results import QueryResult, ResultKind, Triple
from clusterkg.store.sparql_text import with_base

_RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


class RemoteBackend:
    """Any SPARQL 1.1 Protocol server (Fuseki, GraphDB, Virtuoso, QLever, Oxigraph server).

    Queries go to ``query_url``; updates and loads to ``update_url`` (SPARQL Update
    ``INSERT DATA`` into the graph). The remote server decides what its default graph is.
    A ``token`` is sent as ``Authorization: Bearer`` (a ``clusterkg serve --update-token``
    server needs it for updates); it is never part of ``spec`` or of an error message.

    ``timeout`` is the HTTP wait of calls that give none; a query's own ``timeout`` travels
    with that call only, so concurrent queries with different limits do not disturb each other.
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

    def _request(
        self, url: str, body: bytes, content_type: str, accept: str, timeout: float | None
    ) -> tuple[str, bytes]:
        """POST ``body`` to ``url``: the answer's media type and bytes.

        Raises :class:`QueryTimeout` past ``timeout`` seconds (the default ``self.timeout``)
        and :class:`BackendError` for HTTP errors and unreachable servers.
        """
        headers = {"Content-Type": content_type, "Accept": accept}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        req = urllib.request.Request(url, data=body, method="POST", headers=headers)
        budget = self.timeout if timeout is None else timeout
        try:
            with urllib.request.urlopen(req, timeout=budget) as resp:
                return resp.headers.get_content_type(), resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise BackendError(f"{url} answered {exc.code}: {detail}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise QueryTimeout(
                    f"the remote store did not answer within the {budget:g} s limit"
                ) from None
            raise BackendError(f"cannot reach {url}: {exc.reason}") from None
        except TimeoutError:
            raise QueryTimeout(
                f"the remote store did not answer within the {budget:g} s limit"
            ) from None

    def _select_values(self, sparql: str) -> list[dict[str, Any]]:
        _, data = self._request(
            self.query_url,
            sparql.encode(),
            "application/sparql-query",
            "application/sparql-results+json",
            None,
        )
        bindings: list[dict[str, Any]] = json.loads(data)["results"]["bindings"]
        return bindings

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
        self._update_url()
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
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_limit: int | None = None,
        deadline_check: Any = None,
        native: Mapping[ResultKind, str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> QueryResult | SerializedResult:
        """Run one query on the remote server, waiting at most ``timeout`` seconds for it.

        ``native`` is ignored: results are parsed here and written by the caller, and
        ``max_bytes`` is applied by the engine to the parsed result.
        """
        if base_iri:
            sparql, _ = with_base(sparql, base_iri)
        params = [("query", sparql)]
        params += [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        body = urllib.parse.urlencode(params).encode()
        ctype, payload = self._request(
            self.query_url, body, "application/x-www-form-urlencoded", _RESULTS_ACCEPT, timeout
        )
        if ctype in ("application/sparql-results+json", "application/json"):
            parsed = Result.parse(io.BytesIO(payload), format="json")
            if parsed.type == "ASK":
                return QueryResult("ask", boolean=bool(parsed.askAnswer))
            names = [str(v) for v in parsed.vars or []]
            rows: list[dict[str, Node]] = []
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
        triples: list[Triple] = list(g)
        truncated = row_limit is not None and len(triples) > row_limit
        return QueryResult(
            "graph",
            triples=triples[:row_limit] if truncated else triples,
            truncated=truncated,
            row_limit=row_limit,
        )

    def _update_url(self) -> str:
        if not self.update_url:
            raise BackendError(
                "this remote store has no update URL: use sparql:QUERY_URL,UPDATE_URL"
            )
        return self.update_url

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        if base_iri:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        self._request(self._update_url(), sparql.encode(), "application/sparql-update", "*/*", None)

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
        assert isinstance(res, QueryResult)
        return res.graph().serialize(format=fmt).encode()

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""

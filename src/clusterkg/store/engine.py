"""The one place queries run: safety rules, limits and errors for people.

Every SPARQL query of clusterkg (endpoint, named queries, analytics projections, exports) goes
through :class:`QueryEngine`, so the rules live here once:

- ``SERVICE`` is refused unless its endpoint is on the configured allow-list;
- ``LOAD`` is always refused, and ``FROM``/``FROM NAMED`` only select graphs already in the
  store (Oxigraph never dereferences them);
- results stop at a row limit, and the result says it was truncated;
- syntax errors carry line and column.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from rdflib import Literal, URIRef
from rdflib.term import Node

from clusterkg.errors import UnusableInput
from clusterkg.store.backends import Backend, BackendError
from clusterkg.store.results import QueryResult


class QueryError(UnusableInput):
    """A query that cannot run: bad syntax, a bad parameter or a store failure."""

    status = 400

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


class QueryRefused(QueryError):
    """A query that asks for something the server does not allow (SERVICE, LOAD, updates)."""

    status = 400


class QueryTimeout(QueryError):
    """A query that ran past the time limit."""

    status = 503


_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
_SERVICE = re.compile(
    r"(?<![\w:?$])SERVICE\s+(?:SILENT\s+)?(<[^>]*>|[?$]\w+|[\w-]*:[\w.-]*)", re.IGNORECASE
)
_KEYWORD = {
    kw: re.compile(rf"(?<![\w:?$]){kw}(?![\w:-])", re.IGNORECASE) for kw in ("SERVICE", "LOAD")
}
_LINE_COL = re.compile(r"(\d+):(\d+)")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _code_only(sparql: str) -> str:
    """The query with strings, IRIs and comments blanked, so keywords are found only as code."""
    return _STRIP.sub(
        lambda m: (
            " " * len(m.group(0))
            if not m.group(0).startswith("<")
            else "<" + " " * (len(m.group(0)) - 2) + ">"
        ),
        sparql,
    )


def _codepoints(sparql: str) -> str:
    """The text with SPARQL codepoint escapes (``\\u0053``, ``\\U00000053``) replaced, as a
    conforming server does before parsing (SPARQL 1.1 section 19.2): ``\\u0053ERVICE`` is
    ``SERVICE`` to a remote store behind ``sparql:``."""
    if "\\u" not in sparql and "\\U" not in sparql:
        return sparql

    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)  # not a character: left as is

    return _CODEPOINT.sub(char, sparql)


def service_endpoints(sparql: str) -> list[str]:
    """The endpoints named after ``SERVICE`` (variables and prefixed names as written)."""
    sparql = _codepoints(sparql)
    if "service" not in sparql.lower():  # the common case, without blanking the whole text
        return []
    code = _code_only(sparql)
    found = []
    for m in _SERVICE.finditer(code):
        start, end = m.span(1)
        found.append(sparql[start:end].strip("<>"))
    if not found and _KEYWORD["SERVICE"].search(code):
        found.append("?")
    return found


def uses_load(sparql: str) -> bool:
    """True if the update text contains a ``LOAD`` operation."""
    sparql = _codepoints(sparql)
    if "load" not in sparql.lower():
        return False
    return bool(_KEYWORD["LOAD"].search(_code_only(sparql)))


def parse_position(message: str) -> tuple[int | None, int | None]:
    """Line and column from an Oxigraph parser message ("error at 3:14: ...")."""
    m = _LINE_COL.search(message)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


_WHERE_BRACE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM_BRACE = re.compile(r"\b(SELECT|ASK)\b[^{]*\{", re.IGNORECASE)


def bind_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """The query with its variables bound by a ``VALUES`` block opening the WHERE group.

    Terms are written with rdflib's escaping (``Node.n3()``), never spliced as raw text, so a
    value such as ``"} ; DROP ALL ; #`` stays a string literal. Opening the group (rather than
    trailing the query) makes the bound values visible to the group's FILTERs, BINDs and
    aggregates, on every backend alike.
    """
    if not bindings:
        return sparql
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"{name!r} is not a SPARQL variable name")
    code = _code_only(sparql)
    m = _WHERE_BRACE.search(code) or _FORM_BRACE.search(code)
    if m is None:
        raise QueryError("parameters need a query with a WHERE clause")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(v.n3() for v in bindings.values())
    at = m.end()
    return f"{sparql[:at]} VALUES ({names}) {{ ({values}) }} {sparql[at:]}"


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn what a store raises for a query or update into :class:`QueryError` for people.

    Syntax errors keep their line and column (parsed from Oxigraph's message).
    """
    try:
        yield
    except SyntaxError as exc:
        msg = str(exc.msg if hasattr(exc, "msg") else exc)
        line, col = parse_position(msg)
        raise QueryError(f"syntax error: {msg}", line, col) from None
    except BackendError as exc:
        raise QueryError(str(exc)) from None
    except OSError as exc:
        raise QueryError(f"the store failed: {exc}") from None


def as_term(value: object) -> Node:
    """An RDF term for a parameter value: IRIs stay IRIs, numbers typed, the rest strings."""
    if isinstance(value, (URIRef, Literal)):
        return value
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, (int, float)):
        return Literal(value)
    text = str(value)
    if re.fullmatch(r"https?://[^\s<>\"{}|^`\\]+", text):
        return URIRef(text)
    return Literal(text)


class QueryEngine:
    """Runs SPARQL against a backend under the server's rules and limits."""

    def __init__(
        self,
        backend: Backend,
        *,
        timeout: float = 10.0,
        row_limit: int = 10_000,
        service_allowlist: tuple[str, ...] = (),
        allow_updates: bool = False,
    ) -> None:
        self.backend = backend
        self.timeout = timeout
        self.row_limit = row_limit
        self.service_allowlist = tuple(service_allowlist)
        self.allow_updates = allow_updates

    def check_query(self, sparql: str) -> None:
        """Raise :class:`QueryRefused` for SERVICE calls off the allow-list."""
        for endpoint in service_endpoints(sparql):
            if endpoint not in self.service_allowlist:
                raise QueryRefused(
                    f"SERVICE {endpoint} is refused: federated queries are off on this server"
                    + (
                        " (allowed: " + ", ".join(self.service_allowlist) + ")"
                        if self.service_allowlist
                        else ""
                    )
                )

    def check_update(self, sparql: str) -> None:
        """Raise :class:`QueryRefused` for LOAD and for SERVICE inside updates."""
        if uses_load(sparql):
            raise QueryRefused("LOAD is refused: this server never fetches data from URLs or files")
        self.check_query(sparql)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, object] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        row_limit: int | None = -1,
    ) -> QueryResult:
        """Run one query; ``bindings`` substitute variables safely (no string splicing).

        ``row_limit=-1`` uses the engine's limit, ``None`` none at all (for trusted internal
        callers such as exporters). Raises :class:`QueryError` and its subclasses.
        """
        self.check_query(sparql)
        limit = self.row_limit if row_limit == -1 else row_limit
        budget = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + budget

        def deadline_check() -> None:
            if time.monotonic() > deadline:
                raise QueryTimeout(f"the query ran longer than the {budget:g} s limit")

        terms = {k: as_term(v) for k, v in (bindings or {}).items()}
        sparql = bind_values(sparql, terms)
        with store_errors():
            result = self.backend.query(
                sparql,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                substitutions=None,
                row_limit=limit,
                deadline_check=deadline_check,
            )
        deadline_check()
        return result

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (callers check the update token first)."""
        if not self.allow_updates:
            raise QueryRefused("updates are disabled on this server")
        self.check_update(sparql)
        with store_errors():
            self.backend.update(sparql)

"""The named-query registry: ``queries/*.rq`` files with a metadata header.

Each file starts with comment lines that tools can read (the model is datasette's canned
queries, with the metadata beside the SQL)::

    # title: Suppliers of an enterprise
    # description: Who supplies the enterprise, what, for how much, and from where.
    # param: enterprise | iri | the customer | id/enterprise/changan-automobile
    # tags: supply, enterprise

A ``param`` line is ``name | type | description [| default]``; ``type`` is one of ``iri``,
``string``, ``integer``, ``decimal`` or ``year``. Parameters are bound as RDF terms through the
query engine (pyoxigraph substitutions, or a ``VALUES`` clause on a remote store), never by
splicing text into the query, so each must be a projected variable of the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from clusterkg.store.query_engine import QueryError
from clusterkg.store.results import QueryResult
from clusterkg.vocab import ID

PARAM_TYPES = ("iri", "string", "integer", "decimal", "year")
_HEADER = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*)$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class QueryNotFound(QueryError):
    """No named query has that name."""

    status = 404
    http_status = 404


@dataclass(frozen=True)
class Parameter:
    """A named query's parameter: its type decides how a text value becomes an RDF term."""

    name: str
    type: str
    description: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None

    def to_term(self, value: str) -> Node:
        """The RDF term for a user-supplied text value; :class:`QueryError` if it does not fit."""
        text = str(value).strip()
        if self.type == "iri":
            if re.fullmatch(r"https?://[^\s<>\"{}|^`\\]+", text):
                return URIRef(text)
            short = text.removeprefix("id/").removeprefix("/id/")
            if re.fullmatch(r"[a-z0-9-]+/[A-Za-z0-9._~%-]+(/[A-Za-z0-9._~%-]+)*", short):
                return ID[short]
            raise QueryError(
                f"parameter {self.name!r} must be an IRI (https://...) or an id "
                f"path like cluster/northeast-china-auto, got {text!r}"
            )
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", text):
                raise QueryError(f"parameter {self.name!r} must be a whole number, got {text!r}")
            return Literal(int(text))
        if self.type == "decimal":
            if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
                raise QueryError(f"parameter {self.name!r} must be a number, got {text!r}")
            # Bound terms match by RDF term equality, so write the number in the canonical
            # form Turtle gives it: 846 as xsd:integer, 8.060 as "8.06"^^xsd:decimal.
            number = Decimal(text).normalize()
            if number == number.to_integral_value():
                return Literal(int(number))
            return Literal(format(number, "f"), datatype=XSD.decimal)
        if self.type == "year":
            if not re.fullmatch(r"\d{4}", text):
                raise QueryError(f"parameter {self.name!r} must be a year like 2021, got {text!r}")
            return Literal(text, datatype=XSD.gYear)
        if len(text) > 1000:
            raise QueryError(f"parameter {self.name!r} is longer than 1000 characters")
        return Literal(text)


@dataclass(frozen=True)
class NamedQuery:
    """One ``.rq`` file: its metadata and its SPARQL text."""

    name: str
    title: str
    description: str
    text: str
    path: Path
    parameters: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)

    def bindings(self, values: Mapping[str, str] | None = None) -> dict[str, Node]:
        """RDF terms for every parameter: given values, else defaults; unknown names refused."""
        values = dict(values or {})
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            raise QueryError(
                f"query {self.name!r} has no parameter {', '.join(unknown)}"
                f" (parameters: {', '.join(sorted(known)) or 'none'})"
            )
        out: dict[str, Node] = {}
        for p in self.parameters:
            if p.name in values and values[p.name] not in (None, ""):
                out[p.name] = p.to_term(values[p.name])
            elif p.default is not None:
                out[p.name] = p.to_term(p.default)
            else:
                raise QueryError(f"query {self.name!r} needs parameter {p.name!r}: {p.description}")
        return out

    def describe(self) -> dict:
        """Metadata as plain data (for JSON listings)."""
        d = asdict(self)
        d["path"] = self.path.name
        d["parameters"] = [asdict(p) for p in self.parameters]
        d["tags"] = list(self.tags)
        return d


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and its header; :class:`QueryError` if the header is malformed."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) not in (3, 4) or parts[1] not in PARAM_TYPES:
                raise QueryError(
                    f"{path}:{lineno}: a param line is 'name | type | description"
                    f" [| default]' with type one of {', '.join(PARAM_TYPES)}"
                )
            params.append(
                Parameter(parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else None)
            )
        else:
            meta[key] = value
    name = path.stem
    if not _NAME.match(name):
        raise QueryError(f"{path}: query file names are lower-case words joined by '-'")
    if "title" not in meta:
        raise QueryError(f"{path}: the header needs a '# title: ...' line")
    tags = tuple(t.strip() for t in meta.get("tags", "").split(",") if t.strip())
    return NamedQuery(
        name, meta["title"], meta.get("description", ""), text, path, tuple(params), tags
    )


def load_queries(directory: Path | Iterable[Path]) -> dict[str, NamedQuery]:
    """Every named query in a folder, or in several (``Settings.query_dirs``), by name, in
    name order; a query in a later folder replaces the one of the same name in an earlier one.
    """
    folders = [directory] if isinstance(directory, (str, Path)) else list(directory)
    files = {p.stem: p for folder in folders for p in sorted(Path(folder).glob("*.rq"))}
    return {name: parse_query_file(files[name]) for name in sorted(files)}


def get_query(queries: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """The query called ``name``; :class:`QueryNotFound` listing the names that exist."""
    try:
        return queries[name]
    except KeyError:
        raise QueryNotFound(f"no named query {name!r}; known: {', '.join(queries)}") from None


def run_named(
    kg,
    name: str,
    params: Mapping[str, str] | None = None,
    *,
    queries: Mapping[str, NamedQuery] | None = None,
    **kwargs,
) -> QueryResult:
    """Run the named query ``name`` on a knowledge graph with parameters bound safely."""
    registry = queries if queries is not None else load_queries(kg.settings.query_dirs)
    query = get_query(registry, name)
    return kg.engine.query(query.text, bindings=query.bindings(params), **kwargs)

"""The Python API: ``clusterkg.open()`` and what the opened graph answers.

::

    import clusterkg
    kg = clusterkg.open()                       # the bundled graph, in memory
    kg.named("deepest-parts-base").to_dataframe()

A thin layer over the same parts the CLI and the web use: :func:`clusterkg.store.kg.open_kg`
opens the store, :func:`clusterkg.queries.run_named` binds named-query parameters (as RDF
terms, never spliced into the text), and the analytics functions run unchanged on the supply
network projected from the graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib.term import Node

from clusterkg.analytics import AnalyticsError, single_points
from clusterkg.analytics import resilience as rs
from clusterkg.analytics.generate import Parameters, load_synthetic
from clusterkg.analytics.projection import (
    located_entities,
    needs_synthetic,
    resolve_nodes,
    resolve_region,
    supply_network,
)
from clusterkg.analytics.scenarios import ScenarioReport, resolve_clusters, run_scenario
from clusterkg.config import Settings, home_folder
from clusterkg.queries import NamedQuery, get_query, load_queries, run_named
from clusterkg.store.kg import KnowledgeGraph, open_kg
from clusterkg.store.query_engine import QueryError
from clusterkg.store.results import QueryResult
from clusterkg.store.terms import to_python
from clusterkg.views.query_errors import readable
from clusterkg.views.query_params import resolve_parameters
from clusterkg.vocab import SYNTHETIC_GRAPH

#: What a value in :attr:`Result.rows` can be.
Value = str | int | float | bool | None

#: ``kg.resilience(section)``: the analytics function of each section.
RESILIENCE: dict[str, Callable[..., Any]] = {
    "sourcing": rs.sourcing,
    "self-sufficiency": rs.self_sufficiency,
    "critical": rs.critical_nodes,
    "single-points": single_points.report,
    "robustness": rs.robustness,
}


def plain(term: Node | None) -> Value:
    """A term as a plain value: IRIs and blank nodes as strings, numbers as ``int`` or
    ``float`` (``xsd:decimal`` too), booleans as ``bool``, every other literal (dates, years,
    durations, strings with a language) as its lexical form, unbound as ``None``."""
    value = to_python(term)
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return value if isinstance(value, str) else str(term)


@dataclass(frozen=True)
class Result:
    """A query's answer as plain Python data.

    ``rows`` is a list of dicts from variable to value (see :func:`plain`) with a key for every
    variable (``None`` where unbound). An ASK answer is one row ``{"boolean": ...}``; a
    CONSTRUCT or DESCRIBE answer has a row per triple (``subject``, ``predicate``, ``object``).
    ``truncated`` says the row limit cut the answer; ``raw`` is the store's own result.
    """

    kind: str
    vars: list[str]
    rows: list[dict[str, Value]]
    truncated: bool = False
    raw: QueryResult | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, result: QueryResult) -> Result:
        if result.kind == "ask":
            return cls("ask", ["boolean"], [{"boolean": bool(result.boolean)}], raw=result)
        if result.kind == "graph":
            names = ["subject", "predicate", "object"]
            rows = [dict(zip(names, map(plain, t), strict=True)) for t in result.triples]
            return cls("graph", names, rows, result.truncated, result)
        rows = [{v: plain(row.get(v)) for v in result.vars} for row in result.rows]
        return cls("select", list(result.vars), rows, result.truncated, result)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_json(self, **dumps: Any) -> str:
        """``{"vars": [...], "rows": [...], "truncated": bool}`` as JSON text (the shape of
        ``clusterkg query --format json``); keyword arguments go to :func:`json.dumps`."""
        doc = {"vars": self.vars, "rows": self.rows, "truncated": self.truncated}
        return json.dumps(doc, **{"ensure_ascii": False, **dumps})

    def to_dataframe(self) -> Any:
        """A :class:`pandas.DataFrame`, one column per variable, numbers as numbers.

        pandas is an optional extra: ``pip install 'clusterkg[pandas]'``.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                "Result.to_dataframe() needs pandas, which is not installed: "
                "pip install 'clusterkg[pandas]' (or pip install pandas)"
            ) from exc
        return pd.DataFrame.from_records(self.rows, columns=self.vars)


def _names(value: str | Iterable[str]) -> list[str]:
    """One name or several: a lone string is one name, not a sequence of letters."""
    return [value] if isinstance(value, str) else list(value)


class Session:
    """An opened knowledge graph: queries, named queries and analytics from Python.

    Use it as a context manager, or call :meth:`close`, to release a persistent store.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        #: The store layer's graph (backend, query engine, settings, cache).
        self.kg = kg

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.kg.close()

    @property
    def settings(self) -> Settings:
        return self.kg.settings

    def query(self, sparql: str, **kwargs: Any) -> Result:
        """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE); keyword arguments go to
        :meth:`clusterkg.store.query_engine.QueryEngine.query` (``bindings``, ``row_limit`` ...)."""
        try:
            return Result.of(self.kg.query(sparql, **kwargs))
        except QueryError as exc:
            # In a person's words, as over HTTP and on the command line (views.query_errors).
            raise readable(self.kg, sparql, exc) from None

    def queries(self) -> dict[str, NamedQuery]:
        """The named queries (bundled and the project's own), by name."""
        return load_queries(self.settings.query_dirs)

    def named(self, name: str, /, **params: Any) -> Result:
        """Run the named query ``name`` with its parameters, e.g.
        ``kg.named("enterprise-suppliers", customer="id/enterprise/changan-automobile")``
        or by label or alias, ``customer="Changan"`` (resolved as over HTTP:
        :func:`clusterkg.views.query_params.resolve_parameters`); a missing parameter takes
        the query's default."""
        values = {k: str(v) for k, v in params.items() if v is not None}
        registry = self.queries()
        query = get_query(registry, name)
        values = resolve_parameters(self.kg, query, values)
        try:
            return Result.of(run_named(self.kg, name, values, queries=registry))
        except QueryError as exc:
            raise readable(self.kg, query.text, exc) from None

    def generate(self, seed: int = 0, scale: float = 1.0, **params: Any) -> dict[str, Any]:
        """Generate the calibrated synthetic supply network into the store's synthetic graph
        (:func:`clusterkg.analytics.generate.load_synthetic`, replacing any earlier one), for
        ``graphs="synthetic"`` or ``"all"``; ``params`` are further
        :class:`~clusterkg.analytics.generate.Parameters`. Returns the generator's summary."""
        return load_synthetic(self.kg, Parameters(seed=seed, scale=scale, **params))

    def supply_network(self, graphs: str = "curated") -> nx.DiGraph:
        """The supply network projected from the graph (``graphs``: curated, synthetic or
        all), made once per state of the store; shared, so copy it before changing it."""
        if needs_synthetic(graphs) and str(SYNTHETIC_GRAPH) not in self.kg.backend.graph_names():
            # An empty projection would report "nothing located here" for every region.
            raise AnalyticsError(
                f"graphs={graphs!r} needs the synthetic network, and the store has none: "
                "call kg.generate() first"
            )
        return self.kg.cached(
            ("session.supply_network", graphs), lambda: supply_network(self.kg, graphs)
        )

    def scenario(
        self,
        *,
        remove: str | Iterable[str] = (),
        remove_regions: str | Iterable[str] = (),
        keep_regions: str | Iterable[str] = (),
        clusters: str | Iterable[str] = (),
        graphs: str = "curated",
        **kwargs: Any,
    ) -> ScenarioReport:
        """A disruption scenario (:func:`clusterkg.analytics.scenarios.run_scenario`).

        What fails is the INTERSECTION of the criteria given: firms named by IRI, slug
        (``enterprise/catl``) or label, regions by IRI, slug, label or alt label, clusters by
        IRI, slug or label, as on the command line; other keyword arguments (``kinds``,
        ``mode``, ``theta`` ...) go to ``run_scenario`` unchanged.
        """
        G = self.supply_network(graphs)
        regions = [resolve_region(self.kg, r) for r in _names(remove_regions)]
        return run_scenario(
            G,
            remove=resolve_nodes(G, _names(remove)),
            remove_regions=regions,
            keep_regions=[resolve_region(self.kg, r) for r in _names(keep_regions)],
            clusters=resolve_clusters(G, _names(clusters)),
            located={r: located_entities(self.kg, r, graphs) for r in regions},
            **kwargs,
        )

    def resilience(self, section: str, *, graphs: str = "curated", **kwargs: Any) -> Any:
        """One resilience analysis of the supply network, as its function returns it:
        ``sourcing`` (:func:`~clusterkg.analytics.resilience.sourcing`, HHI per customer and
        item), ``self-sufficiency``, ``critical`` (:func:`~clusterkg.analytics.resilience.critical_nodes`),
        ``single-points`` (:func:`~clusterkg.analytics.single_points.report`: single points of
        failure under the AND cascade, per firm, region and cluster) or ``robustness`` (:func:`~clusterkg.analytics.resilience.robustness`; ``strategy=``,
        ``trials=`` ...). Keyword arguments go to that function unchanged."""
        try:
            analysis = RESILIENCE[section]
        except KeyError:
            raise AnalyticsError(
                f"unknown resilience section {section!r}: use {', '.join(RESILIENCE)}"
            ) from None
        return analysis(self.supply_network(graphs), **kwargs)


def open(
    store: str | None = None,
    *,
    home: str | Path | None = None,
    data: Sequence[str | Path] = (),
    **settings: Any,
) -> Session:
    """Open the knowledge graph: the bundled graph in memory by default.

    ``store`` is ``memory``, ``oxigraph:DIR`` (an on-disk store, filled with the bundled graph
    when empty) or ``sparql:QUERY_URL[,UPDATE_URL]``; ``home`` a project folder used as
    ``CLUSTERKG_HOME`` is (README, "Your own data and queries"); ``data`` extra RDF files or
    folders loaded on top; other keyword arguments are :class:`clusterkg.config.Settings`
    fields (``row_limit``, ``query_timeout`` ...). Unset values come from ``CLUSTERKG_*``.
    """
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise TypeError(
            f"clusterkg.open() has no setting {', '.join(unknown)} (settings: {', '.join(sorted(known))})"
        )
    overrides = {**settings, "store": store}
    if home is not None:
        overrides["root"] = home_folder(home, "home")
    # One killable worker: a library query stops at the same time limit as the server's.
    return Session(
        open_kg(Settings.from_env(**overrides), isolated=True, workers=1, extra=list(data))
    )

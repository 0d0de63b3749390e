"""Analysis results -> RDF in the ``analytics`` named graph, with the run's provenance.

One ``ck:AnalysisRun`` (a ``prov:Activity``) per run, with ``ck:parameters`` (JSON),
``prov:startedAtTime``/``prov:endedAtTime``, ``ck:softwareVersion``, the graphs it read
(``prov:used``) and ``ck:synthetic true`` when it read the synthetic network. Each score is a
``ck:AnalysisResult`` with ``ck:resultFor`` (the node), ``ck:metric`` and ``ck:scoreValue``,
linked to its run by ``ck:analysisRun`` and ``prov:wasGeneratedBy`` (both written, so that
queries need no inference). Then, over SPARQL::

    SELECT ?firm ?betweenness WHERE {
      ?r ck:resultFor ?firm ; ck:metric ck:BetweennessCentrality ; ck:scoreValue ?betweenness }
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from clusterkg.version import __version__
from clusterkg.vocab import ANALYTICS_GRAPH, CK, ID, SYNTHETIC_GRAPH

#: Metric names of clusterkg.analytics -> local names of their ck: IRIs.
METRICS = {
    "in_degree": "InDegree",
    "out_degree": "OutDegree",
    "in_strength": "InStrength",
    "out_strength": "OutStrength",
    "betweenness": "BetweennessCentrality",
    "pagerank": "PageRank",
    "katz": "KatzCentrality",
    "eigenvector": "EigenvectorCentrality",
    "closeness": "ClosenessCentrality",
    "harmonic": "HarmonicCentrality",
    "community": "LouvainCommunity",
    "node_connectivity": "NodeConnectivity",
    "articulation_point": "ArticulationPoint",
    "dominator_count": "DominatorCount",
    "failure_round": "FailureRound",
    "sourcing_hhi_max": "SourcingHHIMax",
    "share_inside": "RegionalSelfSufficiency",
    "vehicle_enterprises_share": "VehicleEnterpriseShare",
    "parts_enterprises_share": "PartsEnterpriseShare",
    "parts_per_vehicle_enterprise": "PartsPerVehicleEnterprise",
    "parts_location_quotient": "PartsLocationQuotient",
}


def metric_iri(name: str) -> URIRef:
    """The ``ck:`` IRI of a metric name (unknown names are CamelCased)."""
    local = METRICS.get(name) or "".join(w.capitalize() for w in name.split("_"))
    return CK[local]


def now() -> datetime:
    """The current time, UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def results_graph(
    kind: str,
    parameters: dict[str, Any],
    scores: Mapping[str, Mapping[str, float | None] | None],
    *,
    started: datetime,
    ended: datetime | None = None,
    graphs: str = "curated",
    synthetic: bool = False,
) -> tuple[Graph, URIRef]:
    """The RDF of one run and its scores; returns the graph and the run IRI."""
    ended = ended or now()
    params = json.dumps(parameters, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{kind}|{params}|{started.isoformat()}".encode()).hexdigest()[:12]
    run = ID[f"run/{kind}-{started.strftime('%Y%m%dT%H%M%SZ')}-{digest}"]
    g = Graph()
    g.bind("ck", CK)
    g.bind("prov", PROV)
    g.add((run, RDF.type, CK.AnalysisRun))
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, RDFS.label, Literal(f"clusterkg analyze {kind} ({graphs} graph)", lang="en")))
    g.add((run, CK.parameters, Literal(params)))
    g.add((run, CK.softwareVersion, Literal(__version__)))
    g.add((run, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((run, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    g.add((run, CK.synthetic, Literal(bool(synthetic))))
    if synthetic:
        g.add((run, PROV.used, SYNTHETIC_GRAPH))
    i = 0
    for name in sorted(scores):
        values = scores[name]
        if not values:
            continue
        metric = metric_iri(name)
        g.add((metric, RDF.type, CK.Metric))
        g.add((metric, RDFS.label, Literal(name.replace("_", " "), lang="en")))
        for node in sorted(values):
            value = values[node]
            if value is None:
                continue
            i += 1
            r = URIRef(f"{run}/result-{i}")
            g.add((r, RDF.type, CK.AnalysisResult))
            g.add((r, CK.resultFor, URIRef(node)))
            g.add((r, CK.metric, metric))
            g.add((r, CK.scoreValue, Literal(float(value), datatype=XSD.double)))
            g.add((r, CK.analysisRun, run))
            g.add((r, PROV.wasGeneratedBy, run))
    return g, run


def write_results(kg: Any, graph: Graph) -> int:
    """Add ``graph`` to the store's analytics named graph in one load; returns triples written.

    One load call is one transaction on Oxigraph and one ``INSERT DATA`` on a remote store, so a
    failure leaves no partial run behind.
    """
    data = graph.serialize(format="nt", encoding="utf-8")
    kg.backend.load_data(data, "nt", str(ANALYTICS_GRAPH))
    kg.backend.merge_into_default(str(ANALYTICS_GRAPH))
    return len(graph)

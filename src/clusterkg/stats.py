"""Counts that describe a loaded knowledge graph: graphs, classes, indicators."""

from __future__ import annotations

from clusterkg.vocab import CK, GRAPH, curie

_TRIPLES_PER_GRAPH = """
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph
"""

_INSTANCES_PER_CLASS = """
PREFIX ck: <https://w3id.org/clusterkg/ontology#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE {
  ?s a ?class . FILTER (STRSTARTS(STR(?class), STR(ck:)))
} GROUP BY ?class ORDER BY DESC(?instances) ?class
"""

# Instances counted with their superclasses (rdfs:subClassOf*), so "Enterprise" includes
# vehicle manufacturers and parts suppliers.
_INSTANCES_WITH_SUBCLASSES = """
PREFIX ck: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) WHERE {
  VALUES ?class { ck:IndustrialCluster ck:Enterprise ck:Policy ck:SupplyLink ck:Observation
                  ck:University ck:ResearchInstitute ck:IndustrialPark ck:Platform ck:Region
                  ck:EnterpriseGroup ck:ProductionSite ck:Collaboration ck:SourceDocument }
  ?s a/rdfs:subClassOf* ?class .
} GROUP BY ?class ORDER BY ?class
"""

_OBSERVATIONS_PER_INDICATOR = """
PREFIX ck: <https://w3id.org/clusterkg/ontology#>
SELECT ?indicator (COUNT(?o) AS ?observations) WHERE {
  ?o a ck:Observation ; ck:indicator ?indicator .
} GROUP BY ?indicator ORDER BY DESC(?observations) ?indicator
"""


#: The namespaces the statistics abbreviate (classes and named graphs).
_STATS_PREFIXES = {"ck": str(CK), "graph": str(GRAPH)}


def kg_statistics(kg) -> dict[str, object]:
    """Triples in all, per named graph, instances per class (direct and with subclasses),
    observations per indicator, as plain data."""

    def rows(query: str) -> list[dict]:
        res = kg.engine.query(query, row_limit=None)
        # IRIs are plain strings here; numbers stay numbers.
        return [
            {k: curie(v, _STATS_PREFIXES) if isinstance(v, str) else v for k, v in r.items()}
            for r in res.records()
        ]

    return {
        "triples": kg.backend.count(),
        "triples per named graph": rows(_TRIPLES_PER_GRAPH),
        "instances per class (with subclasses)": rows(_INSTANCES_WITH_SUBCLASSES),
        "instances per class (direct type)": rows(_INSTANCES_PER_CLASS),
        "observations per indicator": rows(_OBSERVATIONS_PER_INDICATOR),
    }

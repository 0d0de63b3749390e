"""Network analytics over the knowledge graph: projections to networkx, centrality,
communities, resilience, disruption scenarios, cluster indicators, the calibrated synthetic
network and the write-back of results as RDF.

Every module reads the graph through SPARQL (``clusterkg.store.query_engine``), so the analytics work
on every store backend; networkx only ever sees plain strings and numbers.
"""

from clusterkg.errors import UnusableInput


class AnalyticsError(UnusableInput):
    """An analysis that cannot run on the given input (unknown node, region or option)."""

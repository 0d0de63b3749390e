"""``graphs="curated"`` on a store that also holds the synthetic graph gives the curated
network exactly: the same nodes and links as on a store without it, and no synthetic node.
``graphs="all"`` is the control: there the generated firms do appear."""

from __future__ import annotations

import pytest

from clusterkg.analytics.projection import cluster_network, kg_multidigraph, supply_network

SYNTHETIC = "https://w3id.org/clusterkg/id/synthetic/"
PROJECTIONS = [supply_network, cluster_network, kg_multidigraph]


def _synthetic(G) -> list[str]:
    return sorted(n for n in G if str(n).startswith(SYNTHETIC))


@pytest.mark.parametrize("project", PROJECTIONS, ids=lambda f: f.__name__)
def test_curated_ignores_the_synthetic_graph(kg, kg_2000, project):
    plain = project(kg, "curated")
    mixed = project(kg_2000, "curated")
    assert _synthetic(mixed) == []
    assert set(mixed.nodes) == set(plain.nodes)
    assert sorted(map(tuple, mixed.edges)) == sorted(map(tuple, plain.edges))


@pytest.mark.parametrize("project", PROJECTIONS, ids=lambda f: f.__name__)
def test_all_includes_the_synthetic_graph(kg_2000, project):
    assert len(_synthetic(project(kg_2000, "all"))) > 100

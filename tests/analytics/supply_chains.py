"""Small supply networks in the projection's shape, shared by the analytics tests."""

from __future__ import annotations

import networkx as nx


def chain(edges, **nodes) -> nx.DiGraph:
    """A supply network in the projection's shape: edges (supplier, customer, item, value)."""
    G = nx.DiGraph()
    for s, c, item, value in edges:
        if not G.has_edge(s, c):
            G.add_edge(s, c, links=[], value=None, weight=0.0)
        G.edges[s, c]["links"].append({"iri": f"{s}-{c}-{item}", "item": item, "value": value})
    for n in G:
        G.nodes[n].update(
            {
                "label": n,
                "oem": False,
                "within": [],
                "cluster": None,
                "clusters": [],
                "region": None,
                "outside": [],
            }
        )
    for n, attrs in nodes.items():
        G.nodes[n].update(attrs)
    G.graph["clusters"] = {}
    G.graph["synthetic"] = False
    return G

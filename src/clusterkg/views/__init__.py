"""View models: what the web pages and JSON routes show, computed without Flask.

Each function takes a :class:`~clusterkg.store.kg.KnowledgeGraph` and returns plain data
(dicts, lists, networkx graphs). Derived values are cached in the one cache the knowledge graph
owns, ``kg.cached(key, make)``, keyed by the store's generation.

- :mod:`clusterkg.views.explorer`: the graph explorer's views and the networks behind them;
- :mod:`clusterkg.views.dashboards`: the home page figures and the cluster dashboards;
- :mod:`clusterkg.views.search`: label search and the facts of one node;
- :mod:`clusterkg.views.serialize`: SPARQL results and RDF graphs written as bytes.
"""

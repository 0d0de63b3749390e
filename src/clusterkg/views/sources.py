"""The name a source document is shown by: its title, the same on every page.

A ``ck:SourceDocument`` in ``graphs/sources.ttl`` has a short ``rdfs:label`` and the document's
own ``dcterms:title``; its ``ck:fileName`` names a bundled text file by a hash and is not a
name for people. Pages that name a source (the home page's source list, ``/id/`` pages, the
explorer's quotes, the ``where-number-from`` query) all show the title, English or untagged
preferred, falling back to the label when a document has no title (an imported CSV's source).
``queries/where-number-from.rq`` states the same rule in SPARQL, since a named query cannot
call Python.
"""

from __future__ import annotations

from clusterkg.analytics.projection import select
from clusterkg.store.kg import KnowledgeGraph

# Rank 0: a title, 1: a label; English or untagged before other languages, then by text.
_NAMES = """SELECT ?s ?name ?rank ?lang WHERE { ?s a ck:SourceDocument
  { ?s dcterms:title ?name BIND(0 AS ?rank) } UNION { ?s rdfs:label ?name BIND(1 AS ?rank) }
  BIND(IF(LANG(?name) IN ("", "en"), 0, 1) AS ?lang) }"""


def source_titles(kg: KnowledgeGraph) -> dict[str, str]:
    """Source document IRI -> the title it is shown by (``dcterms:title``, else ``rdfs:label``).

    Cached per state of the store, since every page that quotes a source asks for it.
    """

    def make() -> dict[str, str]:
        best: dict[str, tuple[int, int, str]] = {}
        for row in select(kg, _NAMES):
            key = (int(row["rank"]), int(row["lang"]), str(row["name"]))
            iri = str(row["s"])
            if iri not in best or key < best[iri]:
                best[iri] = key
        return {iri: key[2] for iri, key in best.items()}

    return kg.cached(("source-titles",), make)
